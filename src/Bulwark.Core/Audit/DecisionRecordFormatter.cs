using System.Globalization;
using System.Text.Json;
using Bulwark.Core.Decisions;
using Bulwark.Core.Net;
using Bulwark.Core.Policy;
using Bulwark.Core.Privacy;

namespace Bulwark.Core.Audit;

/// <summary>
/// Writes decision records (CONTRACTS.md §3) as JSON: addresses masked (default IPv4 /24, IPv6 /48), accounts, API keys
/// and sessions pseudonymised with a keyed hash. Nothing that identifies a person leaves in clear.
/// </summary>
public sealed class DecisionRecordFormatter
{
    private readonly PrivacyOptions _privacy;
    private readonly Pseudonymizer _pseudonymizer;

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
        writer.WriteString("ts", decision.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        if (line is { } lineNumber)
        {
            writer.WriteNumber("line", lineNumber);
        }

        writer.WriteString("request_id", decision.Id);
        writer.WriteString("action", BulwarkMetrics.ActionName(decision.Action));
        writer.WriteNumber("status", decision.StatusCode);
        writer.WriteNumber("score", decision.Score);
        writer.WriteString("reason_code", decision.ReasonCode);
        writer.WriteStartArray("reasons");
        foreach (var reason in decision.Reasons)
        {
            writer.WriteStartObject();
            writer.WriteString("signal", reason.Signal);
            writer.WriteNumber("weight", reason.Weight);
            writer.WriteString("detail", reason.Detail);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteString("policy", decision.Policy);
        if (decision.Limit is { } limit)
        {
            writer.WriteStartObject("limit");
            writer.WriteString("name", limit.Name);
            writer.WriteNumber("remaining", limit.Remaining);
            writer.WriteNumber("reset_s", limit.ResetSeconds);
            writer.WriteEndObject();
        }

        if (decision.StepUp)
        {
            writer.WriteBoolean("step_up", true);
        }

        if (decision.Delay > TimeSpan.Zero)
        {
            writer.WriteNumber("delay_ms", (long)decision.Delay.TotalMilliseconds);
        }

        writer.WriteStartObject("actor");
        writer.WriteString("ip", IpAddressExtensions.FormatMasked(request.ClientIp, _privacy.Ipv4MaskBits, _privacy.Ipv6MaskBits));
        if (decision.Actor.Asn is { } asn)
        {
            writer.WriteNumber("asn", asn);
        }

        if (decision.Actor.Ja4 is { } ja4)
        {
            writer.WriteString("ja4", ja4);
        }

        WritePseudonym(writer, "account", decision.Actor.Account?.Trim().ToLowerInvariant());
        WritePseudonym(writer, "api_key", decision.Actor.ApiKey);
        WritePseudonym(writer, "session", decision.Actor.Session);
        writer.WriteEndObject();
        writer.WriteBoolean("enforced", decision.Enforced);
        writer.WriteString("method", request.Method);
        writer.WriteString("path", request.Path);
        if (label is not null)
        {
            writer.WriteString("label", label);
        }

        writer.WriteEndObject();
    }

    private void WritePseudonym(Utf8JsonWriter writer, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            writer.WriteString(name, _pseudonymizer.Pseudonymize(value));
        }
    }
}
