namespace Bulwark.Core.Decisions;

/// <summary>What Bulwark does with a request. Ordered by severity: a later value overrides an earlier one.</summary>
public enum DecisionAction
{
    /// <summary>Pass the request on.</summary>
    Allow = 0,

    /// <summary>Pass the request on after a (capped, progressive) delay.</summary>
    Delay = 1,

    /// <summary>Ask the client to prove itself (proof of work, CAPTCHA) before passing it on.</summary>
    Challenge = 2,

    /// <summary>Refuse the request: 429 when a limit decided, 403 otherwise.</summary>
    Block = 3,
}
