using System.Buffers.Binary;
using System.Text;
using Bulwark.Core.Fingerprints;

namespace Bulwark.Core.Tests.Fingerprints;

/// <summary>Writes ClientHello bytes field by field, so tests can state exactly what a hello holds.</summary>
internal sealed class ClientHelloBuilder
{
    private readonly List<(ushort Type, byte[] Data)> _extensions = [];

    public ushort RecordVersion { get; set; } = 0x0301;

    public ushort LegacyVersion { get; set; } = 0x0303;

    public byte[] SessionId { get; set; } = new byte[32];

    public List<ushort> Ciphers { get; } = [];

    /// <summary>When false, the hello ends after the compression methods (no extensions block at all).</summary>
    public bool WriteExtensionsBlock { get; set; } = true;

    public ClientHelloBuilder WithCiphers(params ushort[] ciphers)
    {
        Ciphers.AddRange(ciphers);
        return this;
    }

    public ClientHelloBuilder WithExtension(ushort type, params byte[] data)
    {
        _extensions.Add((type, data));
        return this;
    }

    public ClientHelloBuilder WithServerName(string host)
    {
        var name = Encoding.ASCII.GetBytes(host);
        return WithExtension(0x0000, [.. U16(name.Length + 3), 0, .. U16(name.Length), .. name]);
    }

    public ClientHelloBuilder WithAlpn(params byte[][] protocols)
    {
        var list = protocols.SelectMany(p => (byte[])[(byte)p.Length, .. p]).ToArray();
        return WithExtension(0x0010, [.. U16(list.Length), .. list]);
    }

    public ClientHelloBuilder WithAlpn(params string[] protocols) => WithAlpn(protocols.Select(Encoding.ASCII.GetBytes).ToArray());

    public ClientHelloBuilder WithSupportedVersions(params ushort[] versions) =>
        WithExtension(0x002B, [(byte)(2 * versions.Length), .. versions.SelectMany(U16)]);

    public ClientHelloBuilder WithSignatureAlgorithms(params ushort[] algorithms) => WithExtension(0x000D, List16(algorithms));

    public ClientHelloBuilder WithSupportedGroups(params ushort[] groups) => WithExtension(0x000A, List16(groups));

    public ClientHelloBuilder WithPointFormats(params byte[] formats) => WithExtension(0x000B, [(byte)formats.Length, .. formats]);

    /// <summary>The ClientHello body (after the handshake header).</summary>
    public byte[] Body(bool dtls = false)
    {
        var body = new List<byte>();
        body.AddRange(U16(LegacyVersion));
        body.AddRange(new byte[32]);
        body.Add((byte)SessionId.Length);
        body.AddRange(SessionId);
        if (dtls)
        {
            body.Add(0); // empty cookie
        }

        body.AddRange(U16(2 * Ciphers.Count));
        body.AddRange(Ciphers.SelectMany(U16));
        body.Add(1);
        body.Add(0); // compression: null
        if (WriteExtensionsBlock)
        {
            var block = _extensions.SelectMany(e => (byte[])[.. U16(e.Type), .. U16(e.Data.Length), .. e.Data]).ToArray();
            body.AddRange(U16(block.Length));
            body.AddRange(block);
        }

        return [.. body];
    }

    /// <summary>The handshake message: type 1, 3-byte length, body.</summary>
    public byte[] Handshake() => Handshake(Body());

    public static byte[] Handshake(byte[] body) => [1, .. U24(body.Length), .. body];

    /// <summary>One TLS record holding the whole hello.</summary>
    public byte[] Record() => Record(RecordVersion, Handshake());

    public static byte[] Record(ushort version, ReadOnlySpan<byte> payload) => [0x16, .. U16(version), .. U16(payload.Length), .. payload];

    /// <summary>The hello split into TLS records of at most <paramref name="payloadSize"/> bytes each, concatenated.</summary>
    public byte[] Records(int payloadSize)
    {
        var handshake = Handshake();
        var output = new List<byte>();
        for (var offset = 0; offset < handshake.Length; offset += payloadSize)
        {
            output.AddRange(Record(RecordVersion, handshake.AsSpan(offset, Math.Min(payloadSize, handshake.Length - offset))));
        }

        return [.. output];
    }

    /// <summary>A DTLS 1.2 record with an unfragmented DTLS handshake message.</summary>
    public byte[] DtlsRecord()
    {
        var body = Body(dtls: true);
        byte[] handshake = [1, .. U24(body.Length), 0, 0, 0, 0, 0, .. U24(body.Length), .. body];
        return [0x16, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, .. U16(handshake.Length), .. handshake];
    }

    public ClientHello Parse()
    {
        Assert.True(ClientHelloParser.TryParse(Record(), out var hello, out var error), error);
        return hello;
    }

    private static byte[] List16(ushort[] values) => [.. U16(2 * values.Length), .. values.SelectMany(U16)];

    private static byte[] U16(int value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)value);
        return bytes;
    }

    private static byte[] U16(ushort value) => U16((int)value);

    private static byte[] U24(int value) => [(byte)(value >> 16), (byte)(value >> 8), (byte)value];
}
