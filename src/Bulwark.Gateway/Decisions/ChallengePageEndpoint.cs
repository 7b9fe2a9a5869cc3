using System.Security.Cryptography;
using Bulwark.AspNetCore;
using Bulwark.Core;
using Bulwark.Core.Decisions;
using Microsoft.AspNetCore.Http;

namespace Bulwark.Gateway.Decisions;

/// <summary>
/// <c>GET /.bulwark/challenge/page</c>: the challenge answer of <c>/.bulwark/decide</c> for a front proxy that cannot show
/// a subrequest's body. nginx's <c>auth_request</c> drops the body of the decision endpoint's 401, so the nginx sample maps
/// that 401 here (<c>error_page 401 = @bulwark_challenge</c>): the client gets the same <c>401</c> — the proof-of-work
/// page for <c>Accept: text/html</c>, else problem+json with the <c>challenge</c> member — bound, like every challenge, to
/// its address group, User-Agent and Host (docs/challenge.md).
/// </summary>
/// <remarks>
/// The endpoint does not decide: it only hands out a puzzle. That gives nothing away — a pass earned from it is worth what
/// the same work earns after a real challenge, and it never lifts a block, limit or ban. The original method comes from
/// <c>X-Original-Method</c>/<c>X-Forwarded-Method</c> (the page reloads GET and HEAD requests only).
/// </remarks>
internal sealed class ChallengePageEndpoint(BulwarkEngine engine)
{
    /// <summary>The path the front proxy sends challenged requests to.</summary>
    public const string PagePath = "/.bulwark/challenge/page";

    public async Task InvokeAsync(HttpContext context)
    {
        if (!engine.Configuration.Options.Challenge.Enabled)
        {
            await GatewayProblems.WriteAsync(context, 404, "challenge_disabled", "Challenges are not enabled here.", null).ConfigureAwait(false);
            return;
        }

        var headers = context.Request.Headers;
        var method = headers["X-Original-Method"].ToString() is { Length: > 0 } original ? original : headers["X-Forwarded-Method"].ToString();
        context.Request.Method = method.Length > 0 ? method.ToUpperInvariant() : HttpMethods.Get;

        // Not a decision of the engine: a reference of its own for the page, in the decision ids' format.
        var decision = new Decision
        {
            Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            Action = DecisionAction.Challenge,
            StatusCode = StatusCodes.Status401Unauthorized,
            ReasonCode = ReasonCodes.ChallengeRequired,
        };
        BulwarkResponses.PrepareRefusal(context.Response, decision);
        await BulwarkResponses.WriteRefusalBodyAsync(context, decision).ConfigureAwait(false);
    }
}
