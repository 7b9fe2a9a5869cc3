using System.Net;
using System.Text.Json;
using Bulwark.Core;
using Bulwark.Core.Limits;
using Bulwark.Core.Pipeline;
using Bulwark.Core.Policy;

namespace Bulwark.Core.Tests.Engine;

/// <summary>Builds engines from JSON policies and requests on an explicit clock.</summary>
internal static class EngineFixture
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    public static BulwarkOptions Options(string bulwarkObjectJson)
    {
        var loaded = BulwarkConfigLoader.LoadJson("{\"Bulwark\":" + bulwarkObjectJson + "}");
        Assert.True(loaded.Options is not null, string.Join("\n", loaded.Errors));
        return loaded.Options!;
    }

    public static BulwarkEngine NewEngine(string bulwarkObjectJson, ICounterStore? store = null, IEnumerable<IDetector>? detectors = null, IEnumerable<IEnricher>? enrichers = null) =>
        new(Options(bulwarkObjectJson), store, enrichers, detectors ?? []);

    public static RequestContext Request(
        string method = "GET", string path = "/api/x", string ip = "203.0.113.7", DateTimeOffset? at = null,
        string? account = null, string? apiKey = null, string? body = null, string? userAgent = "test/1.0", string? ja4 = null)
    {
        return new RequestContext
        {
            Timestamp = at ?? T0,
            ClientIp = IPAddress.Parse(ip),
            Method = method,
            Path = path,
            Account = account,
            ApiKey = apiKey,
            Body = body is null ? null : JsonDocument.Parse(body).RootElement.Clone(),
            Headers = userAgent is null ? HeaderList.Empty : HeaderList.From(("user-agent", userAgent)),
            Tls = ja4 is null ? null : new TlsFingerprints(ja4, null),
        };
    }

    /// <summary>A detector that fires a fixed signal on every request, for score tests.</summary>
    internal sealed class FixedSignalDetector(string signal, int weight, string? tier = null) : IDetector
    {
        public void Detect(RequestContext request, EvaluationContext context)
        {
            context.AddSignal(signal, weight, "fixed test signal");
            if (tier is not null)
            {
                context.AddTier(tier);
            }
        }
    }
}
