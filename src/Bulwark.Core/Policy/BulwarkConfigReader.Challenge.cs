using Bulwark.Core.Challenges;
using Microsoft.Extensions.Configuration;

namespace Bulwark.Core.Policy;

/// <summary>Reading of <c>Bulwark:Challenge</c> (docs/challenge.md).</summary>
public static partial class BulwarkConfigReader
{
    private static readonly string[] ChallengeKeys = ["Enabled", "Difficulty", "ChallengeSeconds", "PassMinutes", "Key", "CookieName"];

    private sealed partial class Walker
    {
        private ChallengeOptions ReadChallenge(IConfigurationSection section, string path)
        {
            var o = new ChallengeOptions();
            foreach (var (key, child, p) in Fields(section, path, ChallengeKeys, "the challenge settings"))
            {
                o = key switch
                {
                    "Enabled" => o with { Enabled = Bool(child, p) ?? o.Enabled },
                    "Difficulty" => o with { Difficulty = Int(child, p) ?? o.Difficulty },
                    "ChallengeSeconds" => o with { ChallengeSeconds = Int(child, p) ?? o.ChallengeSeconds },
                    "PassMinutes" => o with { PassMinutes = Int(child, p) ?? o.PassMinutes },
                    "Key" => o with { Key = String(child, p) is { Length: > 0 } k ? k : null },
                    "CookieName" => o with { CookieName = String(child, p) ?? o.CookieName },
                    _ => o,
                };
            }

            return o;
        }
    }
}
