namespace Bulwark.Core.Policy;

/// <summary>
/// One configuration mistake: where it is (<c>$.Bulwark.Policies.login.Limits[0].Rate</c>), what is wrong with the value
/// written there, and how to fix it.
/// </summary>
/// <param name="Path">JSON path of the offending key, <c>$</c> for the file as a whole.</param>
/// <param name="Message">What is wrong, naming the bad value.</param>
/// <param name="Hint">How to fix it, as an instruction ("Write the rate like \"100/min\".").</param>
public sealed record ConfigError(string Path, string Message, string Hint)
{
    /// <summary>The error on one line: <c>{Path}: {Message}. {Hint}</c>.</summary>
    public override string ToString()
    {
        var message = Message.EndsWith('.') ? Message : Message + ".";
        return string.IsNullOrEmpty(Hint) ? $"{Path}: {message}" : $"{Path}: {message} {Hint}";
    }
}
