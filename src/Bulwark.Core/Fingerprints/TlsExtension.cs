namespace Bulwark.Core.Fingerprints;

/// <summary>One ClientHello extension as sent: its type and its undecoded body.</summary>
/// <param name="Type">The extension type (for example <c>0x0000</c> server_name, <c>0x0010</c> ALPN).</param>
/// <param name="Data">The extension's body, after its 4-byte header.</param>
public readonly record struct TlsExtension(ushort Type, ReadOnlyMemory<byte> Data);
