namespace Bulwark.Core;

/// <summary>
/// Request headers in the order the client sent them. Lookups are case-insensitive and linear: requests carry few
/// headers, and a scan over a small array beats hashing them.
/// </summary>
public sealed class HeaderList
{
    private readonly KeyValuePair<string, string>[] _headers;

    /// <summary>No headers.</summary>
    public static HeaderList Empty { get; } = new([]);

    /// <summary>Creates a list from headers in client order. Names are matched case-insensitively.</summary>
    public HeaderList(KeyValuePair<string, string>[] headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        _headers = headers;
    }

    /// <summary>
    /// True when the order is the client's (HTTP/1.1 bytes, replay records); false when it is a server's own order (for
    /// example Kestrel's for HTTP/2), which order-based detectors then ignore.
    /// </summary>
    public bool InClientOrder { get; init; } = true;

    /// <summary>The number of headers.</summary>
    public int Count => _headers.Length;

    /// <summary>The headers in client order.</summary>
    public ReadOnlySpan<KeyValuePair<string, string>> AsSpan() => _headers;

    /// <summary>The first value of the named header, or null.</summary>
    public string? this[string name]
    {
        get
        {
            foreach (var header in _headers)
            {
                if (string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    return header.Value;
                }
            }

            return null;
        }
    }

    /// <summary>Creates a list from name/value pairs in client order.</summary>
    public static HeaderList From(params (string Name, string Value)[] headers)
    {
        var array = new KeyValuePair<string, string>[headers.Length];
        for (var i = 0; i < headers.Length; i++)
        {
            array[i] = new(headers[i].Name, headers[i].Value);
        }

        return new HeaderList(array);
    }
}
