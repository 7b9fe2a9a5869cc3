using System.Collections.Frozen;
using Bulwark.Core.Policy;

namespace Bulwark.Core.Schema;

/// <summary><c>Bulwark:Schema</c> compiled: the document and which policies' requests it checks.</summary>
public sealed class CompiledSchemaValidation
{
    private readonly FrozenSet<string>? _policies;

    private CompiledSchemaValidation(SchemaDocument document, SchemaOptions options)
    {
        Document = document;
        RejectUndefinedRoutes = options.RejectUndefinedRoutes;
        _policies = options.Policies.Count == 0 ? null : options.Policies.ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>The compiled OpenAPI document.</summary>
    public SchemaDocument Document { get; }

    /// <summary>Whether routes and methods the document does not define are refused (404 / 405).</summary>
    public bool RejectUndefinedRoutes { get; }

    /// <summary>
    /// Loads the document of validated <paramref name="options"/>; null when no document is configured. Throws
    /// <see cref="FormatException"/> when the document cannot be loaded (validation reports that as a configuration error).
    /// </summary>
    public static CompiledSchemaValidation? Create(SchemaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Document is null)
        {
            return null;
        }

        var result = BulwarkConfigValidator.LoadSchemaDocument(options);
        if (result.Document is not { } document)
        {
            throw new FormatException(string.Join(Environment.NewLine, result.Errors));
        }

        return new CompiledSchemaValidation(document, options);
    }

    /// <summary>Whether requests under <paramref name="policy"/> are validated.</summary>
    public bool AppliesTo(string policy) => _policies is null || _policies.Contains(policy);

    /// <summary>The first thing wrong with <paramref name="request"/>, or null.</summary>
    public SchemaViolation? Validate(RequestContext request) => Document.Validate(request, RejectUndefinedRoutes);
}
