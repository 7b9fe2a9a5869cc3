using Bulwark.Core;
using Bulwark.Core.Decisions;
using Bulwark.Core.Policy;
using Bulwark.Core.Protections;
using Microsoft.AspNetCore.Http;

namespace Bulwark.Gateway;

/// <summary>
/// The login preset at the gateway: the upstream reports the outcome of a login in a response header (the policy's
/// <c>Login.OutcomeHeader</c>, default <c>Bulwark-Login</c>). The header is read and removed when the proxied response
/// starts, so it never reaches the client, and the outcome goes to <c>BulwarkEngine.Feedback</c>.
/// </summary>
internal sealed class GatewayLoginOutcome
{
    private readonly string _header;

    private GatewayLoginOutcome(string header) => _header = header;

    /// <summary>What the header said (unknown until the response started, or when it was absent or unreadable).</summary>
    public LoginOutcome Outcome { get; private set; }

    /// <summary>Watches the response of a request on a login-preset policy; null for every other request (no cost).</summary>
    public static GatewayLoginOutcome? Start(HttpContext context, Decision decision, CompiledConfiguration configuration)
    {
        if (decision.Policy is null || !configuration.Policies.TryGetValue(decision.Policy, out var policy) || policy.Login?.OutcomeHeader is not { } header)
        {
            return null;
        }

        var watcher = new GatewayLoginOutcome(header);
        context.Response.OnStarting(static state =>
        {
            var (watcher, response) = ((GatewayLoginOutcome, HttpResponse))state;
            watcher.Take(response);
            return Task.CompletedTask;
        }, (watcher, context.Response));
        return watcher;
    }

    /// <summary>The outcome to feed back; takes the header now if the response never started.</summary>
    public static LoginOutcome Finish(GatewayLoginOutcome? watcher, HttpContext context)
    {
        if (watcher is null)
        {
            return LoginOutcome.Unknown;
        }

        if (!context.Response.HasStarted)
        {
            watcher.Take(context.Response);
        }

        return watcher.Outcome;
    }

    private void Take(HttpResponse response)
    {
        if (response.Headers.TryGetValue(_header, out var value))
        {
            Outcome = CompiledLogin.ParseOutcome(value.ToString());
            response.Headers.Remove(_header);
        }
    }
}
