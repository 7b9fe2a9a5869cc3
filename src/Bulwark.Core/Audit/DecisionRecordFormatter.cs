using System.Text.Json;
using Bulwark.Core.Decisions;
using Bulwark.Core.Net;
using Bulwark.Core.Policy;
using Bulwark.Core.Privacy;

namespace Bulwark.Core.Audit;

/// <summary>
/// Writes decision records (CONTRACTS.md §3) as JSON: addresses masked (default IPv4 /24, IPv6 /48), accounts, API keys
/// and sessions pseudonymised with a keyed hash. Nothing that identifies a person leaves in clear. Not thread-safe: one
/// formatter per writer (it remembers the last 16,384 pseudonyms of each kind, so a repeated account costs no hash).
/// </summary>
public sealed class DecisionRecordFormatter
{
    private const int PseudonymCacheSize = 16_384;

    private readonly PrivacyOptions _privacy;
    private readonly Pseudonymizer _pseudonymizer;
    private readonly Dictionary<string, string> _accounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _apiKeys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _sessions = new(StringComparer.Ordinal);

    /// <summary>Creates a formatter with the configured masking and pseudonym key.</summary>
    public DecisionRecordFormatter(PrivacyOptions privacy)
    {
        ArgumentNullException.ThrowIfNull(privacy);
        _privacy = privacy;
        _pseudonymizer = new Pseudonymizer(privacy.PseudonymKey);
    }

    /// <summary>Writes one record as a JSON object.</summary>
    public void Write(Utf8JsonWriter writer, Decision decision, RequestContext request, long? line, string? label)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(request);
        writer.WriteStartObject();
        Span<byte> ts = stackalloc byte[24];
        writer.WriteString("ts"u8, FormatTimestamp(decision.Timestamp, ts));
        if (line is { } lineNumber)
        {
            writer.WriteNumber("line"u8, lineNumber);
        }

        writer.WriteString("request_id"u8, decision.Id);
        writer.WriteString("action"u8, BulwarkMetrics.ActionName(decision.Action));
        writer.WriteNumber("status"u8, decision.StatusCode);
        writer.WriteNumber("score"u8, decision.Score);
        writer.WriteString("reason_code"u8, decision.ReasonCode);
        writer.WriteStartArray("reasons"u8);
        foreach (var reason in decision.Reasons)
        {
            writer.WriteStartObject();
            writer.WriteString("signal"u8, reason.Signal);
            writer.WriteNumber("weight"u8, reason.Weight);
            writer.WriteString("detail"u8, reason.Detail);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteString("policy"u8, decision.Policy);
        if (decision.Limit is { } limit)
        {
            writer.WriteStartObject("limit"u8);
            writer.WriteString("name"u8, limit.Name);
            writer.WriteNumber("remaining"u8, limit.Remaining);
            writer.WriteNumber("reset_s"u8, limit.ResetSeconds);
            writer.WriteEndObject();
        }

        if (decision.StepUp)
        {
            writer.WriteBoolean("step_up"u8, true);
        }

        if (decision.Delay > TimeSpan.Zero)
        {
            writer.WriteNumber("delay_ms"u8, (long)decision.Delay.TotalMilliseconds);
        }

        if (decision.SavedUsd > 0)
        {
            // What the refused call would have cost (the route's CostUsd); "enforced" says whether it was really saved.
            writer.WriteNumber("saved_usd"u8, decision.SavedUsd);
        }

        writer.WriteStartObject("actor"u8);
        Span<char> ip = stackalloc char[64];
        IpAddressExtensions.TryFormatMasked(request.ClientIp, _privacy.Ipv4MaskBits, _privacy.Ipv6MaskBits, ip, out var ipLength);
        writer.WriteString("ip"u8, ip[..ipLength]);
        if (decision.Actor.Asn is { } asn)
        {
            writer.WriteNumber("asn"u8, asn);
        }

        if (decision.Actor.Ja4 is { } ja4)
        {
            writer.WriteString("ja4"u8, ja4);
        }

        WritePseudonym(writer, "account"u8, decision.Actor.Account, _accounts, normalize: true);
        WritePseudonym(writer, "api_key"u8, decision.Actor.ApiKey, _apiKeys, normalize: false);
        WritePseudonym(writer, "session"u8, decision.Actor.Session, _sessions, normalize: false);
        writer.WriteEndObject();
        writer.WriteBoolean("enforced"u8, decision.Enforced);
        writer.WriteString("method"u8, request.Method);
        writer.WriteString("path"u8, request.Path);
        if (label is not null)
        {
            writer.WriteString("label"u8, label);
        }

        writer.WriteEndObject();
    }

    private void WritePseudonym(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value, Dictionary<string, string> cache, bool normalize)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        if (!cache.TryGetValue(value, out var pseudonym))
        {
            // Accounts are compared as the limits key them: trimmed and lower-cased.
            var normalized = normalize ? value.Trim().ToLowerInvariant() : value;
            if (normalized.Length == 0)
            {
                return;
            }

            if (cache.Count >= PseudonymCacheSize)
            {
                cache.Clear();
            }

            cache[value] = pseudonym = _pseudonymizer.Pseudonymize(normalized);
        }

        writer.WriteString(name, pseudonym);
    }

    /// <summary><c>yyyy-MM-ddTHH:mm:ss.fffZ</c> in UTC, written without a format string or an intermediate string.</summary>
    private static ReadOnlySpan<byte> FormatTimestamp(DateTimeOffset timestamp, Span<byte> destination)
    {
        var utc = timestamp.UtcDateTime;
        Two(destination, 0, utc.Year / 100);
        Two(destination, 2, utc.Year % 100);
        destination[4] = (byte)'-';
        Two(destination, 5, utc.Month);
        destination[7] = (byte)'-';
        Two(destination, 8, utc.Day);
        destination[10] = (byte)'T';
        Two(destination, 11, utc.Hour);
        destination[13] = (byte)':';
        Two(destination, 14, utc.Minute);
        destination[16] = (byte)':';
        Two(destination, 17, utc.Second);
        destination[19] = (byte)'.';
        var millisecond = utc.Millisecond;
        destination[20] = (byte)('0' + (millisecond / 100));
        Two(destination, 21, millisecond % 100);
        destination[23] = (byte)'Z';
        return destination[..24];

        static void Two(Span<byte> destination, int at, int value)
        {
            destination[at] = (byte)('0' + (value / 10));
            destination[at + 1] = (byte)('0' + (value % 10));
        }
    }
}
