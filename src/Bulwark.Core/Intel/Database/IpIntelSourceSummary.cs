namespace Bulwark.Core.Intel.Database;

/// <summary>What one source contributed to a build: its name, what it is, and how many ranges (or ASNs) it gave.</summary>
public sealed record IpIntelSourceSummary(string Name, string Description, long Entries);
