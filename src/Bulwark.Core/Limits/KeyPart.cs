namespace Bulwark.Core.Limits;

/// <summary>One part of a limit key.</summary>
/// <param name="Kind">The dimension.</param>
/// <param name="Argument">Header name or body field name; null for other kinds.</param>
/// <param name="PrefixLength">For <see cref="KeyPartKind.Subnet"/>: the IPv4 prefix length (IPv6 uses 48). 0 otherwise.</param>
public readonly record struct KeyPart(KeyPartKind Kind, string? Argument = null, int PrefixLength = 0);
