using System.Runtime.CompilerServices;
using Bulwark.Core.Schema;

namespace Bulwark.Core.Policy;

public static partial class BulwarkConfigValidator
{
    // The document validation loaded, kept for CompiledConfiguration so one read of the configuration loads it once.
    private static readonly ConditionalWeakTable<SchemaOptions, SchemaDocument> LoadedDocuments = new();

    /// <summary>The compiled document for <paramref name="schema"/>: the one validation loaded, else loaded now.</summary>
    internal static SchemaLoadResult LoadSchemaDocument(SchemaOptions schema)
    {
        if (LoadedDocuments.TryGetValue(schema, out var loaded))
        {
            return new SchemaLoadResult(loaded, []);
        }

        var result = SchemaDocument.Load(schema.Document!);
        if (result.Document is { } document)
        {
            LoadedDocuments.AddOrUpdate(schema, document);
        }

        return result;
    }

    private static void CheckSchema(List<ConfigError> errors, string path, SchemaOptions schema, IReadOnlyDictionary<string, PolicyOptions> policies)
    {
        var policiesPath = ConfigPath.Property(path, "Policies");
        for (var i = 0; i < schema.Policies.Count; i++)
        {
            if (!policies.ContainsKey(schema.Policies[i]))
            {
                errors.Add(new ConfigError(
                    ConfigPath.Index(policiesPath, i),
                    $"policy \"{schema.Policies[i]}\" does not exist",
                    policies.Count == 0
                        ? "Define it under Bulwark:Policies, or remove it from the list."
                        : $"Use one of the policies defined under Bulwark:Policies: {string.Join(", ", policies.Keys)}."));
            }
        }

        if (schema.Document is null)
        {
            if (schema.RejectUndefinedRoutes || schema.Policies.Count > 0)
            {
                errors.Add(new ConfigError(
                    ConfigPath.Property(path, "Document"),
                    "schema settings are given but no document",
                    "Set Document to the path of the API's OpenAPI 3 document (JSON or YAML), for example \"openapi.yaml\"."));
            }

            return;
        }

        var result = LoadSchemaDocument(schema);
        foreach (var error in result.Errors)
        {
            errors.Add(new ConfigError(
                ConfigPath.Property(path, "Document"),
                error,
                "Fix the OpenAPI document (3.0 or 3.1, JSON or YAML), or point Document at the right file; paths are relative to the working directory."));
        }
    }
}
