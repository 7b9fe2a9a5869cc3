using System.Globalization;

namespace Bulwark.Core.Policy;

/// <summary>The <c>bulwark config check</c> command: loads a file without environment overrides and reports every error.</summary>
public static class ConfigCheck
{
    /// <summary>Exit code for a valid file.</summary>
    public const int Valid = 0;

    /// <summary>Exit code for a file with errors.</summary>
    public const int Invalid = 2;

    /// <summary>
    /// Checks <paramref name="path"/>. Valid: one <c>OK: …</c> line on <paramref name="stdout"/>, returns 0. Invalid: one line
    /// per error (<c>{path}: {JSON path}: {message} {hint}</c>) and a count line on <paramref name="stderr"/>, returns 2.
    /// </summary>
    public static int Run(string path, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        var result = BulwarkConfigLoader.LoadFile(path, includeEnvironment: false);
        if (result.Options is { } options)
        {
            var limits = options.Policies.Values.Sum(p => p.Limits.Count);
            stdout.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"OK: {path}: {options.Routes.Count} routes, {options.Policies.Count} policies, {limits} limits"));
            if (options.Schema.Document is not null && BulwarkConfigValidator.LoadSchemaDocument(options.Schema).Document is { } schema)
            {
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"OpenAPI {schema.Version} document {schema.Source}: {schema.OperationCount} operations"));
                foreach (var warning in schema.Warnings)
                {
                    stdout.WriteLine($"warning: {schema.Source}: {warning}");
                }
            }

            return Valid;
        }

        foreach (var error in result.Errors)
        {
            stderr.WriteLine($"{path}: {error}");
        }

        stderr.WriteLine(result.Errors.Count == 1 ? "1 error" : string.Create(CultureInfo.InvariantCulture, $"{result.Errors.Count} errors"));
        return Invalid;
    }
}
