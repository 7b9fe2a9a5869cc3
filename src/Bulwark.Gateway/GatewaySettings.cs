using System.Security.Cryptography.X509Certificates;
using Bulwark.Core.Policy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bulwark.Gateway;

/// <summary>How <see cref="GatewayHost.Build"/> sets the gateway up (what <c>bulwark serve</c> was asked for).</summary>
public sealed record GatewaySettings
{
    /// <summary>The configuration; it is validated before it gets here.</summary>
    public required BulwarkOptions Options { get; init; }

    /// <summary>The file <see cref="Options"/> came from: the engine's policy reloads when it changes. Null: no reload.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>Where to listen, in ASP.NET Core's URL syntax. Default <c>http://127.0.0.1:5080</c>.</summary>
    public string Urls { get; init; } = GatewayHost.DefaultUrls;

    /// <summary>Append every decision record to this JSON Lines file. Default: none.</summary>
    public string? DecisionLogPath { get; init; }

    /// <summary>The certificate for https URLs when <c>Gateway:Tls</c> names none (the demo's self-signed one).</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>Logging setup; null logs to the console at Information (Microsoft.* at Warning).</summary>
    public Action<ILoggingBuilder>? Logging { get; init; }

    /// <summary>Extra services (the demo adds its bundled upstream as a hosted service here).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }
}
