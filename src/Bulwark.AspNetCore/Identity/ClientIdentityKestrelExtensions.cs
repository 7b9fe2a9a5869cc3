using System.Buffers;
using System.Diagnostics.Metrics;
using Bulwark.Core;
using Bulwark.Core.Fingerprints;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bulwark.AspNetCore.Identity;

/// <summary>
/// Kestrel hooks that give every request its client identity: JA3/JA4 from the ClientHello (once per connection) and
/// the header order of HTTP/1.1 request heads as sent. On a TLS endpoint:
/// <code>
/// listen.UseHttps(https => { https.ServerCertificate = cert; https.UseBulwarkClientIdentity(); })
///       .UseBulwarkClientIdentity();
/// </code>
/// and on a plain HTTP endpoint <c>listen.UseBulwarkClientIdentity()</c>. <see cref="RequestContextFactory"/> reads both.
/// </summary>
public static partial class ClientIdentityKestrelExtensions
{
    private static readonly Meter Meter = new(BulwarkMetrics.MeterName);
    private static readonly Counter<long> Fingerprinted = Meter.CreateCounter<long>(
        "bulwark.tls.client_hellos", "{connection}", "ClientHellos seen by the TLS hook, by outcome (ok, split, unreadable).");

    /// <summary>
    /// Computes JA3 and JA4 of each connection's ClientHello through Kestrel's <c>TlsClientHelloBytesCallback</c> (any
    /// callback already set still runs first). A hello the callback hands over incomplete — split over several TLS records —
    /// is logged (event 2301) and counted as <c>split</c>; the connection goes on without fingerprints.
    /// </summary>
    public static HttpsConnectionAdapterOptions UseBulwarkClientIdentity(this HttpsConnectionAdapterOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var previous = options.TlsClientHelloBytesCallback;
        var log = logger ?? NullLogger.Instance;
        options.TlsClientHelloBytesCallback = (connection, bytes) =>
        {
            previous?.Invoke(connection, bytes);
            OnClientHello(connection, bytes, log);
        };
        return options;
    }

    /// <summary>
    /// Adds the connection middleware that reads HTTP/1.1 request heads as they arrive, so requests keep the header order
    /// the client sent (Kestrel's header collection reorders known headers). On a TLS endpoint call it after
    /// <c>UseHttps</c>, so it sees decrypted bytes. HTTP/2 connections pass untouched (see docs/fingerprints.md).
    /// </summary>
    public static ListenOptions UseBulwarkClientIdentity(this ListenOptions listenOptions)
    {
        ArgumentNullException.ThrowIfNull(listenOptions);
        listenOptions.Use(next => async connection =>
        {
            var feature = GetOrAddFeature(connection);
            var protocol = connection.Features.Get<ITlsApplicationProtocolFeature>()?.ApplicationProtocol;
            if (protocol is { Length: > 0 } alpn && alpn.Span.SequenceEqual("h2"u8))
            {
                await next(connection).ConfigureAwait(false);
                return;
            }

            var original = connection.Transport;
            var scanner = new RequestHeadScanner(feature.AddHead);
            connection.Transport = new DuplexPipe(new HeadObservingPipeReader(original.Input, scanner), original.Output);
            try
            {
                await next(connection).ConfigureAwait(false);
            }
            finally
            {
                connection.Transport = original;
            }
        });
        return listenOptions;
    }

    /// <summary>
    /// For endpoints Kestrel makes from URLs (<c>--urls</c>, <c>UseUrls</c>): fingerprints on every HTTPS endpoint and
    /// header order on every plain HTTP one. Kestrel applies endpoint defaults before <c>UseHttps</c>, so on HTTPS endpoints
    /// made this way the header-order middleware sees only TLS bytes and stands aside; configure such endpoints with
    /// <c>Listen</c> and the two calls of the class example to get both.
    /// </summary>
    public static KestrelServerOptions UseBulwarkClientIdentity(this KestrelServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ConfigureHttpsDefaults(https => https.UseBulwarkClientIdentity(options.ApplicationServices?.GetService<ILoggerFactory>()?.CreateLogger("Bulwark.ClientIdentity")));
        options.ConfigureEndpointDefaults(listen => listen.UseBulwarkClientIdentity());
        return options;
    }

    /// <summary>As <see cref="UseBulwarkClientIdentity(HttpsConnectionAdapterOptions, ILogger?)"/> with the logger from the listener's services.</summary>
    public static HttpsConnectionAdapterOptions UseBulwarkClientIdentity(this HttpsConnectionAdapterOptions options, ListenOptions listenOptions)
    {
        ArgumentNullException.ThrowIfNull(listenOptions);
        var logger = listenOptions.ApplicationServices?.GetService<ILoggerFactory>()?.CreateLogger("Bulwark.ClientIdentity");
        return options.UseBulwarkClientIdentity(logger);
    }

    private static void OnClientHello(ConnectionContext connection, ReadOnlySequence<byte> bytes, ILogger logger)
    {
        var feature = GetOrAddFeature(connection);
        if (TlsClientFingerprinter.TryCompute(bytes, out var fingerprint, out var error))
        {
            feature.Tls = fingerprint;
            Count("ok");
            return;
        }

        feature.TlsError = error;
        var split = error.StartsWith("incomplete ClientHello", StringComparison.Ordinal);
        Count(split ? "split" : "unreadable");
        LogUnreadableHello(logger, connection.ConnectionId, error);
    }

    private static void Count(string outcome)
    {
        if (Fingerprinted.Enabled)
        {
            Fingerprinted.Add(1, new KeyValuePair<string, object?>("bulwark.outcome", outcome));
        }
    }

    internal static ClientIdentityFeature GetOrAddFeature(ConnectionContext connection)
    {
        if (connection.Features.Get<IBulwarkClientIdentityFeature>() is ClientIdentityFeature existing)
        {
            return existing;
        }

        var feature = new ClientIdentityFeature();
        connection.Features.Set<IBulwarkClientIdentityFeature>(feature);
        return feature;
    }

    [LoggerMessage(EventId = 2301, Level = LogLevel.Information, Message = "Connection {ConnectionId}: no TLS fingerprint: {Error}")]
    private static partial void LogUnreadableHello(ILogger logger, string connectionId, string error);
}
