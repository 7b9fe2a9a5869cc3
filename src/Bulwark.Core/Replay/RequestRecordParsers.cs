using Bulwark.Core.Policy;

namespace Bulwark.Core.Replay;

/// <summary>The parser for each <see cref="ReplayInputFormat"/>, and the formats' command-line names.</summary>
public static class RequestRecordParsers
{
    /// <summary>The command-line names, in the order <c>--help</c> lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["jsonl", "nginx", "nginx-json"];

    /// <summary>Creates the parser for <paramref name="format"/>, finding identities as <paramref name="identity"/> says.</summary>
    public static IRequestRecordParser Create(ReplayInputFormat format, IdentityOptions identity) => format switch
    {
        ReplayInputFormat.JsonLines => new RequestRecordParser(identity),
        ReplayInputFormat.NginxCombined => new NginxCombinedParser(identity),
        ReplayInputFormat.NginxJson => new NginxJsonParser(identity),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown input format"),
    };

    /// <summary>Reads a command-line name (<c>jsonl</c>, <c>nginx</c>, <c>nginx-json</c>).</summary>
    public static bool TryParseName(string? name, out ReplayInputFormat format)
    {
        (var known, format) = name switch
        {
            "jsonl" => (true, ReplayInputFormat.JsonLines),
            "nginx" => (true, ReplayInputFormat.NginxCombined),
            "nginx-json" => (true, ReplayInputFormat.NginxJson),
            _ => (false, ReplayInputFormat.JsonLines),
        };
        return known;
    }
}
