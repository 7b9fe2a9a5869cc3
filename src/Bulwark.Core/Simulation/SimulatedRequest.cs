namespace Bulwark.Core.Simulation;

/// <summary>One generated request, written as a request record (CONTRACTS.md §2).</summary>
public sealed class SimulatedRequest
{
    /// <summary>When the request arrives (millisecond precision).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The client address the gateway sees.</summary>
    public required string Ip { get; init; }

    /// <summary>HTTP method.</summary>
    public required string Method { get; init; }

    /// <summary>Path without the query.</summary>
    public required string Path { get; init; }

    /// <summary>Query string without the '?', if any.</summary>
    public string? Query { get; init; }

    /// <summary>Headers in the order the client sends them; names lower-case.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; }

    /// <summary>The TLS handshake's fingerprint, if one is known.</summary>
    public Fingerprint? Tls { get; init; }

    /// <summary>API key sent.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Account the request acts for.</summary>
    public string? Account { get; init; }

    /// <summary>Session identifier.</summary>
    public string? Session { get; init; }

    /// <summary>JSON body as name/value pairs (values are strings or integers).</summary>
    public IReadOnlyList<KeyValuePair<string, object>>? Body { get; init; }

    /// <summary>What the demo API would answer.</summary>
    public required int Status { get; init; }

    /// <summary>How long the upstream took.</summary>
    public double LatencyMs { get; init; }

    /// <summary>The record's label (<c>legit…</c> or <c>attack:…</c>).</summary>
    public required string Label { get; init; }
}
