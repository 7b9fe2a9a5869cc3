using Bulwark.Core.Pipeline;

namespace Bulwark.Core.Identity;

/// <summary>
/// Signals <c>declared_bot</c> (default weight 10) when the User-Agent matches the crawler list: the client says it is a
/// bot. Honest bots are not attackers, so the default only marks them; raise the weight in policies bots should not use.
/// Entries the list tags only <c>http-library</c> (okhttp, python-requests, Go-http-client, curl …) do not count: that
/// User-Agent names the HTTP stack an Android app, a partner's integration or a script uses, not a bot.
/// </summary>
public sealed class DeclaredBotDetector(ClientIdentity identity) : IDetector
{
    /// <summary>The signal name.</summary>
    public const string Signal = "declared_bot";

    /// <summary>The default weight.</summary>
    public const int DefaultWeight = 10;

    /// <inheritdoc />
    public void Detect(RequestContext request, EvaluationContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var ua = identity.UserAgents.Parse(request.Headers["user-agent"]);
        if (ua.Bot is { } pattern && !ua.BotIsHttpLibrary)
        {
            context.AddSignal(Signal, DefaultWeight, $"User-Agent declares a bot (crawler list pattern '{pattern}')");
        }
    }
}
