using Bulwark.Core.Challenges;

namespace Bulwark.Core.Policy;

/// <summary>Checks of <c>Bulwark:Challenge</c>.</summary>
public static partial class BulwarkConfigValidator
{
    private static void CheckChallenge(List<ConfigError> errors, string path, ChallengeOptions challenge)
    {
        Range(errors, path, "Difficulty", challenge.Difficulty, 1, 32, "16 is the default (well under a second in a browser); each bit doubles the work");
        Range(errors, path, "ChallengeSeconds", challenge.ChallengeSeconds, 10, 86_400, "300 is the default");
        Range(errors, path, "PassMinutes", challenge.PassMinutes, 1, 10_080, "30 is the default");
        if (challenge.Key is { } key && key.Length < 32)
        {
            errors.Add(new ConfigError(ConfigPath.Property(path, "Key"), "the challenge key is shorter than 32 characters",
                "Use at least 32 random characters (for example `openssl rand -base64 32`), the same on every gateway; or leave it out for a random key per process."));
        }

        if (string.IsNullOrEmpty(challenge.CookieName) || !challenge.CookieName.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            errors.Add(new ConfigError(ConfigPath.Property(path, "CookieName"), $"\"{challenge.CookieName}\" is not a valid cookie name",
                "Use letters, digits, '_', '-' or '.'; \"bulwark_pass\" is the default."));
        }
    }
}
