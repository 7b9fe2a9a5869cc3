using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Bulwark.Core;
using Bulwark.Core.Challenges;
using Bulwark.Core.Net;
using Bulwark.Core.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.AspNetCore.Challenges;

/// <summary>
/// The front door's half of the proof-of-work challenge (docs/challenge.md): issues challenges for challenge refusals,
/// answers <c>/.bulwark/challenge/verify</c> with a signed pass cookie, and checks that cookie on later requests.
/// </summary>
public static class BulwarkChallenges
{
    /// <summary>The path solutions are sent to (POST form fields or GET query <c>challenge</c> and <c>nonce</c>).</summary>
    public const string VerifyPath = "/.bulwark/challenge/verify";

    /// <summary>The algorithm name the 401 body gives.</summary>
    public const string Algorithm = "sha256-leading-zero-bits";

    private const int MaxFormBytes = 1024;

    private static readonly ConditionalWeakTable<ChallengeOptions, ChallengeSigner> Signers = [];

    /// <summary>The signer of a configuration (one per <see cref="ChallengeOptions"/> instance, so a reload with a new key takes effect).</summary>
    public static ChallengeSigner Signer(ChallengeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Signers.GetValue(options, static o => new ChallengeSigner(o.Key));
    }

    /// <summary>What tokens are bound to for this request: the actor's IP group, the User-Agent and the Host.</summary>
    public static ChallengeBinding Binding(HttpContext httpContext, CompiledConfiguration configuration, IPAddress clientIp)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(clientIp);
        var ip = clientIp.IsIPv4MappedToIPv6 ? clientIp.MapToIPv4() : clientIp;
        return new ChallengeBinding(
            ip.FormatGroup(configuration.Ipv6Prefix),
            httpContext.Request.Headers.UserAgent.ToString(),
            httpContext.Request.Host.Value?.ToLowerInvariant() ?? string.Empty);
    }

    /// <summary>True when the request carries a valid, unexpired pass cookie for its binding. Cheap when there is no cookie.</summary>
    public static bool HasPass(HttpContext httpContext, CompiledConfiguration configuration, IPAddress clientIp, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.Options.Challenge;
        if (!options.Enabled || httpContext.Request.Cookies[options.CookieName] is not { Length: > 0 } token)
        {
            return false;
        }

        return Signer(options).CheckPass(token, Binding(httpContext, configuration, clientIp), now);
    }

    /// <summary>A new challenge for this request, or null when challenges are turned off or Bulwark is not set up in this application.</summary>
    public static ChallengeTicket? Issue(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (httpContext.RequestServices?.GetService<BulwarkEngine>() is not { } engine)
        {
            return null;
        }

        var configuration = engine.Configuration;
        var options = configuration.Options.Challenge;
        if (!options.Enabled)
        {
            return null;
        }

        var now = (httpContext.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow();
        var expires = now.AddSeconds(options.ChallengeSeconds);
        var binding = Binding(httpContext, configuration, RequestContextFactory.ResolveClientIp(httpContext, configuration));
        return new ChallengeTicket(Signer(options).IssueChallenge(binding, expires, options.Difficulty), options.Difficulty, expires, VerifyPath);
    }

    /// <summary>
    /// Answers <c>/.bulwark/challenge/verify</c>: checks the challenge's signature, binding and expiry and the solution; on
    /// success sets the pass cookie and answers 200 JSON; otherwise 400 (fields missing) or 403 problem+json.
    /// </summary>
    public static async Task VerifyAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.Headers.CacheControl = "no-store";
        if (httpContext.RequestServices.GetService<BulwarkEngine>() is not { } engine || !engine.Configuration.Options.Challenge.Enabled)
        {
            await WriteProblemAsync(httpContext, 404, "challenge_disabled", "Challenges are not enabled here.").ConfigureAwait(false);
            return;
        }

        var request = httpContext.Request;
        string? challenge = request.Query["challenge"];
        string? nonce = request.Query["nonce"];
        if (HttpMethods.IsPost(request.Method) && request.HasFormContentType)
        {
            // A solution is two short fields: read no more than a small form (the endpoint is open to anyone).
            if (request.ContentLength is not { } length || length > MaxFormBytes)
            {
                await WriteProblemAsync(httpContext, 400, "challenge_incomplete", $"Send the fields challenge and nonce in a form of at most {MaxFormBytes} bytes with a Content-Length.").ConfigureAwait(false);
                return;
            }

            var form = await request.ReadFormAsync(httpContext.RequestAborted).ConfigureAwait(false);
            challenge = form["challenge"].ToString() is { Length: > 0 } c ? c : challenge;
            nonce = form["nonce"].ToString() is { Length: > 0 } n ? n : nonce;
        }

        if (string.IsNullOrEmpty(challenge) || string.IsNullOrEmpty(nonce))
        {
            await WriteProblemAsync(httpContext, 400, "challenge_incomplete", "Send the fields challenge and nonce.").ConfigureAwait(false);
            return;
        }

        var configuration = engine.Configuration;
        var options = configuration.Options.Challenge;
        var now = (httpContext.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow();
        var binding = Binding(httpContext, configuration, RequestContextFactory.ResolveClientIp(httpContext, configuration));
        var signer = Signer(options);
        if (signer.CheckChallenge(challenge, binding, now) is not { } difficulty || !ChallengeSigner.IsSolution(challenge, nonce, difficulty))
        {
            await WriteProblemAsync(httpContext, 403, "challenge_failed",
                "The solution is wrong, or the challenge expired or was issued to another client. Load the page again for a new challenge.").ConfigureAwait(false);
            return;
        }

        var expires = now.AddMinutes(options.PassMinutes);
        response.Cookies.Append(options.CookieName, signer.IssuePass(binding, expires), new CookieOptions
        {
            Path = "/",
            HttpOnly = true,
            Secure = IsHttpsForClient(httpContext, configuration),
            SameSite = SameSiteMode.Lax,
            MaxAge = TimeSpan.FromMinutes(options.PassMinutes),
        });
        response.StatusCode = 200;
        response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(response.Body);
        writer.WriteStartObject();
        writer.WriteBoolean("passed", true);
        writer.WriteString("cookie", options.CookieName);
        writer.WriteString("expires", expires.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        writer.WriteEndObject();
        await writer.FlushAsync(httpContext.RequestAborted).ConfigureAwait(false);
    }

    // Whether the client's own connection is HTTPS: this one, or — behind a TLS-terminating proxy the configuration trusts —
    // the scheme that proxy reports (first X-Forwarded-Proto value, else the first Forwarded element's proto). An untrusted
    // peer's headers are ignored, as they are for the client address.
    internal static bool IsHttpsForClient(HttpContext httpContext, CompiledConfiguration configuration)
    {
        var request = httpContext.Request;
        if (request.IsHttps)
        {
            return true;
        }

        if (httpContext.Connection.RemoteIpAddress is not { } peer || !configuration.ProxyResolver.IsTrusted(peer))
        {
            return false;
        }

        if (request.Headers["X-Forwarded-Proto"].ToString() is { Length: > 0 } forwardedProto)
        {
            var first = forwardedProto.AsSpan();
            var comma = first.IndexOf(',');
            return (comma < 0 ? first : first[..comma]).Trim().Equals("https", StringComparison.OrdinalIgnoreCase);
        }

        var forwarded = request.Headers["Forwarded"].ToString().AsSpan();
        var element = forwarded.IndexOf(',') is var end and >= 0 ? forwarded[..end] : forwarded;
        foreach (var range in element.Split(';'))
        {
            var pair = element[range].Trim();
            if (pair.StartsWith("proto=", StringComparison.OrdinalIgnoreCase))
            {
                return pair["proto=".Length..].Trim('"').Equals("https", StringComparison.OrdinalIgnoreCase);
            }
        }

        return false;
    }

    private static async Task WriteProblemAsync(HttpContext httpContext, int status, string reason, string detail)
    {
        var response = httpContext.Response;
        response.StatusCode = status;
        response.ContentType = "application/problem+json";
        await using var writer = new Utf8JsonWriter(response.Body);
        writer.WriteStartObject();
        writer.WriteString("type", "urn:bulwark:problem:" + reason);
        writer.WriteString("title", status == 400 ? "Bad Request" : status == 404 ? "Not Found" : "Forbidden");
        writer.WriteNumber("status", status);
        writer.WriteString("detail", detail);
        writer.WriteString("reason", reason);
        writer.WriteEndObject();
        await writer.FlushAsync(httpContext.RequestAborted).ConfigureAwait(false);
    }
}
