namespace Bulwark.Core.Intel.Database;

/// <summary>
/// One range a build source contributes: <paramref name="First"/>..<paramref name="Last"/> inclusive (IPv4 in the low 32
/// bits when <paramref name="IsV6"/> is false) and what it says about them. <see cref="IpInfo.SourceMask"/> of
/// <paramref name="Facts"/> is ignored; the builder sets it. <paramref name="Line"/> locates the range in its file for the
/// build report (0 when the source has no lines).
/// </summary>
public readonly record struct IpIntelRange(UInt128 First, UInt128 Last, bool IsV6, IpInfo Facts, int Line);
