namespace Bulwark.Core.Simulation;

/// <summary>A real TLS fingerprint from the JA4 fixtures: the JA4 and JA3 values and the capture it came from.</summary>
/// <param name="Ja4">The JA4 fingerprint.</param>
/// <param name="Ja3">The JA3 hash, when the fixture has one.</param>
/// <param name="Capture">The capture file and stream, for documentation.</param>
public sealed record Fingerprint(string Ja4, string? Ja3, string Capture);
