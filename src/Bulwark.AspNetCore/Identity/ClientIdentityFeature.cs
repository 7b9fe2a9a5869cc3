using Bulwark.Core;
using Bulwark.Core.Fingerprints;

namespace Bulwark.AspNetCore.Identity;

/// <summary>The connection's <see cref="IBulwarkClientIdentityFeature"/>: fingerprints plus the request heads seen on the wire.</summary>
internal sealed class ClientIdentityFeature : IBulwarkClientIdentityFeature
{
    // Heads scanned but not yet claimed by a request. Pipelined clients may send several before the first is served;
    // the bound keeps a client that never reaches the middleware from growing it.
    private const int MaxPending = 16;
    private readonly Queue<RequestHead> _heads = new();

    private TlsFingerprints? _tlsFingerprints;

    public TlsClientFingerprint? Tls { get; set; }

    // Made on the connection's first request and reused by the rest; concurrent HTTP/2 streams may both make one, the
    // same value either way.
    public TlsFingerprints? TlsFingerprints => _tlsFingerprints ??= Tls?.ToTlsFingerprints();

    public string? TlsError { get; set; }

    public void AddHead(RequestHead head)
    {
        lock (_heads)
        {
            if (_heads.Count == MaxPending)
            {
                _heads.Dequeue();
            }

            _heads.Enqueue(head);
        }
    }

    public string[]? TakeHeaderOrder(string method, string rawTarget)
    {
        lock (_heads)
        {
            // Heads of requests that never reached the middleware (skipped, or answered by Kestrel) are dropped on the way.
            while (_heads.TryDequeue(out var head))
            {
                if (head.Method == method && head.Target == rawTarget)
                {
                    return head.HeaderNames;
                }
            }
        }

        return null;
    }
}
