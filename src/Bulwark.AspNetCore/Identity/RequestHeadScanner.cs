using System.Buffers;
using System.Collections.Frozen;
using System.Text;

namespace Bulwark.AspNetCore.Identity;

/// <summary>
/// Follows an HTTP/1.x request stream byte by byte — request line, header lines, then the body by Content-Length or chunked
/// framing — and reports each request head's header names in wire order. It only reads: the bytes go on to Kestrel
/// untouched. It stops for good on anything it does not follow (a line over 8 KiB, an Upgrade, a malformed chunk size),
/// after which requests on the connection fall back to Kestrel's header order.
/// </summary>
internal sealed class RequestHeadScanner(Action<RequestHead> onHead)
{
    private const int MaxLine = 8 * 1024;
    private const int MaxHeaders = 100;

    private static readonly FrozenDictionary<string, string> KnownNames = new[]
    {
        "host", "user-agent", "accept", "accept-language", "accept-encoding", "accept-charset", "connection", "keep-alive",
        "content-length", "content-type", "transfer-encoding", "cookie", "referer", "origin", "authorization", "cache-control",
        "pragma", "upgrade", "upgrade-insecure-requests", "te", "dnt", "priority", "if-none-match", "if-modified-since", "range",
        "sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform", "sec-fetch-site", "sec-fetch-mode", "sec-fetch-user",
        "sec-fetch-dest", "sec-gpc", "x-requested-with", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host",
        "x-real-ip", "forwarded", "x-api-key", "expect", "via",
    }.ToFrozenDictionary(n => n, StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> KnownLookup = KnownNames.GetAlternateLookup<ReadOnlySpan<char>>();

    private readonly byte[] _line = new byte[MaxLine];
    private readonly List<string> _names = new(16);
    private int _lineLength;
    private Phase _phase = Phase.RequestLine;
    private long _remaining;
    private long _contentLength;
    private bool _chunked;
    private bool _upgrade;
    private string? _method;
    private string? _target;

    private enum Phase
    {
        RequestLine,
        Headers,
        Body,
        ChunkSize,
        ChunkData,
        Trailers,
        Stopped,
    }

    /// <summary>True once the scanner has given up on the connection.</summary>
    public bool Stopped => _phase == Phase.Stopped;

    public void Scan(in ReadOnlySequence<byte> data)
    {
        foreach (var segment in data)
        {
            Scan(segment.Span);
            if (_phase == Phase.Stopped)
            {
                return;
            }
        }
    }

    public void Scan(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty && _phase != Phase.Stopped)
        {
            if (_phase is Phase.Body or Phase.ChunkData)
            {
                var skip = (int)Math.Min(_remaining, data.Length);
                data = data[skip..];
                _remaining -= skip;
                if (_remaining == 0)
                {
                    _phase = _phase == Phase.Body ? Phase.RequestLine : Phase.ChunkSize;
                }

                continue;
            }

            if (_phase == Phase.RequestLine && _lineLength == 0 && data[0] == 0x16)
            {
                _phase = Phase.Stopped; // a TLS record: this middleware sits before TLS, where it can read nothing
                return;
            }

            var newline = data.IndexOf((byte)'\n');
            var take = newline < 0 ? data.Length : newline;
            if (_lineLength + take > MaxLine)
            {
                _phase = Phase.Stopped;
                return;
            }

            data[..take].CopyTo(_line.AsSpan(_lineLength));
            _lineLength += take;
            if (newline < 0)
            {
                return;
            }

            data = data[(newline + 1)..];
            var line = _line.AsSpan(0, _lineLength);
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            _lineLength = 0;
            OnLine(line);
        }
    }

    private void OnLine(ReadOnlySpan<byte> line)
    {
        switch (_phase)
        {
            case Phase.RequestLine:
                if (line.IsEmpty)
                {
                    return; // RFC 9112 §2.2: a server ignores empty lines before a request line
                }

                var firstSpace = line.IndexOf((byte)' ');
                var lastSpace = line.LastIndexOf((byte)' ');
                if (firstSpace <= 0 || lastSpace <= firstSpace)
                {
                    _phase = Phase.Stopped;
                    return;
                }

                _method = Encoding.ASCII.GetString(line[..firstSpace]);
                _target = Encoding.ASCII.GetString(line[(firstSpace + 1)..lastSpace]);
                _names.Clear();
                _contentLength = 0;
                _chunked = false;
                _upgrade = false;
                _phase = Phase.Headers;
                return;
            case Phase.Headers:
                if (line.IsEmpty)
                {
                    EndOfHead();
                    return;
                }

                var colon = line.IndexOf((byte)':');
                if (colon <= 0)
                {
                    _phase = Phase.Stopped;
                    return;
                }

                var name = Name(line[..colon]);
                if (_names.Count < MaxHeaders)
                {
                    _names.Add(name);
                }

                var value = line[(colon + 1)..].Trim(" \t"u8);
                if (name == "content-length")
                {
                    if (!System.Buffers.Text.Utf8Parser.TryParse(value, out long length, out var used) || used != value.Length || length < 0)
                    {
                        _phase = Phase.Stopped;
                        return;
                    }

                    _contentLength = length;
                }
                else if (name == "transfer-encoding")
                {
                    _chunked = value.Length >= 7 && Ascii.EqualsIgnoreCase(value[^7..], "chunked"u8);
                }
                else if (name == "upgrade")
                {
                    _upgrade = true;
                }

                return;
            case Phase.ChunkSize:
                var semicolon = line.IndexOf((byte)';');
                var hex = (semicolon < 0 ? line : line[..semicolon]).Trim(" \t"u8);
                if (!System.Buffers.Text.Utf8Parser.TryParse(hex, out long size, out var parsed, 'x') || parsed != hex.Length || size < 0)
                {
                    _phase = Phase.Stopped;
                    return;
                }

                if (size == 0)
                {
                    _phase = Phase.Trailers;
                }
                else
                {
                    _remaining = size + 2; // the data and its CRLF
                    _phase = Phase.ChunkData;
                }

                return;
            case Phase.Trailers:
                if (line.IsEmpty)
                {
                    _phase = Phase.RequestLine;
                }

                return;
        }
    }

    private void EndOfHead()
    {
        onHead(new RequestHead(_method!, _target!, [.. _names]));
        if (_upgrade || _method == "CONNECT")
        {
            _phase = Phase.Stopped; // the connection may stop speaking HTTP/1.1 here
        }
        else if (_chunked)
        {
            _phase = Phase.ChunkSize;
        }
        else if (_contentLength > 0)
        {
            _remaining = _contentLength;
            _phase = Phase.Body;
        }
        else
        {
            _phase = Phase.RequestLine;
        }
    }

    /// <summary>The lower-case name; common names come from a static table so they cost no allocation.</summary>
    private static string Name(ReadOnlySpan<byte> raw)
    {
        raw = raw.Trim(" \t"u8);
        Span<char> lower = stackalloc char[Math.Min(raw.Length, 256)];
        var length = Ascii.ToLower(raw[..lower.Length], lower, out var written) == OperationStatus.Done ? written : 0;
        var name = lower[..length];
        return KnownLookup.TryGetValue(name, out var known) ? known : new string(name);
    }
}
