using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Bulwark.Core.Policy;

/// <summary>
/// Loads a configuration file (and, by default, <c>Bulwark__…</c> environment variables over it) and reads it with
/// <see cref="BulwarkConfigReader"/>. A missing file or broken JSON is an error in the result, never an exception.
/// </summary>
public static class BulwarkConfigLoader
{
    /// <summary>The <see cref="ConfigLoadResult.Source"/> of a document given as a string.</summary>
    public const string JsonSource = "<json>";

    /// <summary>
    /// Loads <paramref name="path"/>. With <paramref name="includeEnvironment"/>, environment variables override the file
    /// (<c>Bulwark__Mode=monitor</c> sets <c>Bulwark:Mode</c>).
    /// </summary>
    public static ConfigLoadResult LoadFile(string path, bool includeEnvironment = true) => LoadFile(path, includeEnvironment, []);

    /// <summary>Reads a JSON document given as a string, without environment overrides (tests, embedded defaults).</summary>
    public static ConfigLoadResult LoadJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return LoadBytes(System.Text.Encoding.UTF8.GetBytes(json), JsonSource, includeEnvironment: false, []);
    }

    /// <summary><see cref="LoadFile(string, bool)"/> with further sources layered last (over the file and the environment).</summary>
    internal static ConfigLoadResult LoadFile(string path, bool includeEnvironment, IEnumerable<IConfigurationSource> extraSources)
    {
        ArgumentNullException.ThrowIfNull(path);
        string fullPath;
        try
        {
            fullPath = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return Failed(path, $"\"{path}\" is not a valid file path: {e.Message}", "Pass the path of the JSON configuration file.");
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(fullPath);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Failed(
                fullPath,
                $"configuration file \"{fullPath}\" does not exist",
                "Check the path, or create the file with a top-level \"Bulwark\" object (see samples/bulwark.json).");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Failed(fullPath, $"configuration file \"{fullPath}\" cannot be read: {e.Message}", "Check that the file exists and that this process may read it.");
        }

        return LoadBytes(bytes, fullPath, includeEnvironment, extraSources);
    }

    /// <summary>Reads a JSON document already in memory; <paramref name="source"/> names it in errors.</summary>
    internal static ConfigLoadResult LoadBytes(byte[] json, string source, bool includeEnvironment, IEnumerable<IConfigurationSource> extraSources)
    {
        var builder = new ConfigurationBuilder().AddJsonStream(new MemoryStream(json, writable: false));
        if (includeEnvironment)
        {
            builder.AddEnvironmentVariables();
        }

        foreach (var extra in extraSources)
        {
            builder.Add(extra);
        }

        IConfigurationRoot root;
        try
        {
            root = builder.Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or JsonException)
        {
            return new ConfigLoadResult(source, null, [JsonError(source, e)]);
        }

        try
        {
            var result = BulwarkConfigReader.Read(root);
            return new ConfigLoadResult(source, result.Options, result.Errors);
        }
        finally
        {
            (root as IDisposable)?.Dispose();
        }
    }

    private static ConfigLoadResult Failed(string source, string message, string hint) =>
        new(source, null, [new ConfigError("$", message, hint)]);

    /// <summary>The JSON provider wraps the parser's <see cref="JsonException"/>; dig it out for the line and position.</summary>
    private static ConfigError JsonError(string source, Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is JsonException json)
            {
                var reason = json.Message;
                foreach (var marker in (string[])[" Path:", " LineNumber:"])
                {
                    var at = reason.IndexOf(marker, StringComparison.Ordinal);
                    if (at > 0)
                    {
                        reason = reason[..at];
                    }
                }

                var where = json.LineNumber is { } line
                    ? $" at line {line + 1}" + (json.BytePositionInLine is { } position ? $", position {position + 1}" : "")
                    : "";
                return new ConfigError(
                    "$",
                    $"\"{source}\" is not valid JSON{where}: {reason.TrimEnd('.', ' ')}",
                    "Fix the JSON there: look for a missing comma, quote or closing bracket just before it.");
            }
        }

        return new ConfigError(
            "$",
            $"\"{source}\" cannot be read as configuration: {exception.Message.TrimEnd('.')}",
            "Write one JSON object with each key once (keys are case-insensitive), like { \"Bulwark\": { … } }.");
    }
}
