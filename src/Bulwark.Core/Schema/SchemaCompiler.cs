using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.OpenApi;

namespace Bulwark.Core.Schema;

/// <summary>
/// Turns Microsoft.OpenApi's schema objects into <see cref="CompiledSchema"/> nodes, once per document. <c>$ref</c> targets
/// (already resolved by the reader) become shared nodes, so recursive schemas compile to cycles, not infinite trees. Keywords
/// Bulwark does not enforce are reported once each as warnings; errors are values that cannot work (a broken pattern).
/// </summary>
internal sealed class SchemaCompiler
{
    /// <summary>How long one <c>pattern</c> may run on one value before the value is refused.</summary>
    public static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(100);

    private static readonly JsonElement NullElement = JsonDocument.Parse("null").RootElement.Clone();

    private readonly Dictionary<IOpenApiSchema, CompiledSchema> _compiled = new(ReferenceEqualityComparer.Instance);
    private readonly SortedDictionary<string, string> _unsupported = new(StringComparer.Ordinal);

    public List<string> Errors { get; } = [];

    /// <summary>One line per unsupported keyword: the keyword and the first place it appears.</summary>
    public IEnumerable<string> Warnings => _unsupported.Select(u => $"keyword '{u.Key}' is not enforced (first at {u.Value}); values are accepted as if it were absent");

    public CompiledSchema Compile(IOpenApiSchema? schema, string location)
    {
        if (schema is null)
        {
            return CompiledSchema.AcceptAll;
        }

        var target = Resolve(schema, location);
        if (target is null)
        {
            return CompiledSchema.AcceptAll;
        }

        if (_compiled.TryGetValue(target, out var done))
        {
            return done;
        }

        var node = new CompiledSchema();
        _compiled[target] = node; // before the children, so a cycle finds this node
        Fill(node, target, location);
        return node;
    }

    private IOpenApiSchema? Resolve(IOpenApiSchema schema, string location)
    {
        var seen = 0;
        while (schema is OpenApiSchemaReference reference)
        {
            if (reference.Target is not { } target || ++seen > 32)
            {
                Errors.Add($"{location}: $ref '{reference.Reference?.ReferenceV3 ?? reference.Id}' does not resolve to a schema in the document");
                return null;
            }

            schema = target;
        }

        return schema;
    }

    private void Fill(CompiledSchema node, IOpenApiSchema schema, string location)
    {
        node.Types = Types(schema);
        if (schema.Enum is { Count: > 0 } values)
        {
            // Microsoft.OpenApi stands a sentinel string in for a JSON null it keeps.
            node.Enum = values.Select(v => v is null || JsonNullSentinel.IsJsonNullSentinel(v) ? NullElement : JsonSerializer.SerializeToElement(v)).ToArray();
        }

        node.Const = schema.Const;
        if (schema.Format is { Length: > 0 } format && SchemaFormats.IsChecked(format))
        {
            node.Format = format;
        }

        node.MinLength = schema.MinLength;
        node.MaxLength = schema.MaxLength;
        if (schema.Pattern is { Length: > 0 } pattern)
        {
            node.Pattern = CompilePattern(pattern, location);
        }

        node.Minimum = Number(schema.Minimum, "minimum", location);
        node.Maximum = Number(schema.Maximum, "maximum", location);
        node.ExclusiveMinimum = Number(schema.ExclusiveMinimum, "exclusiveMinimum", location);
        node.ExclusiveMaximum = Number(schema.ExclusiveMaximum, "exclusiveMaximum", location);
        if (schema.MultipleOf is { } multipleOf)
        {
            if (multipleOf <= 0)
            {
                Errors.Add($"{location}: multipleOf must be greater than 0, not {multipleOf.ToString(CultureInfo.InvariantCulture)}");
            }
            else
            {
                node.MultipleOf = multipleOf;
            }
        }

        node.MinItems = schema.MinItems;
        node.MaxItems = schema.MaxItems;
        node.UniqueItems = schema.UniqueItems == true;
        node.MinProperties = schema.MinProperties;
        node.MaxProperties = schema.MaxProperties;
        if (schema.Required is { Count: > 0 } required)
        {
            node.Required = [.. required.Select(name => new SchemaProperty(name, null))];
        }

        if (schema.Properties is { Count: > 0 } properties)
        {
            node.Properties = [.. properties.Select(p => new SchemaProperty(p.Key, Compile(p.Value, $"{location}/properties/{p.Key}")))];
        }

        node.AdditionalPropertiesAllowed = schema.AdditionalPropertiesAllowed;
        if (schema.AdditionalProperties is { } additional)
        {
            node.AdditionalProperties = Compile(additional, location + "/additionalProperties");
        }

        if (schema.Items is { } items)
        {
            node.Items = Compile(items, location + "/items");
        }

        node.AllOf = List(schema.AllOf, location + "/allOf");
        node.AnyOf = List(schema.AnyOf, location + "/anyOf");
        node.OneOf = List(schema.OneOf, location + "/oneOf");
        if (schema.Not is { } not)
        {
            node.Not = Compile(not, location + "/not");
        }

        NoteUnsupported(schema, location);
    }

    private CompiledSchema[]? List(IList<IOpenApiSchema>? schemas, string location)
    {
        if (schemas is not { Count: > 0 })
        {
            return null;
        }

        var result = new CompiledSchema[schemas.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = Compile(schemas[i], $"{location}/{i}");
        }

        return result;
    }

    private static SchemaTypes Types(IOpenApiSchema schema)
    {
        if (schema.Type is not { } type)
        {
            return SchemaTypes.Any;
        }

        var result = SchemaTypes.Any;
        if (type.HasFlag(JsonSchemaType.Null))
        {
            result |= SchemaTypes.Null;
        }

        if (type.HasFlag(JsonSchemaType.Boolean))
        {
            result |= SchemaTypes.Boolean;
        }

        if (type.HasFlag(JsonSchemaType.Integer))
        {
            result |= SchemaTypes.Integer;
        }

        if (type.HasFlag(JsonSchemaType.Number))
        {
            result |= SchemaTypes.Number;
        }

        if (type.HasFlag(JsonSchemaType.String))
        {
            result |= SchemaTypes.String;
        }

        if (type.HasFlag(JsonSchemaType.Object))
        {
            result |= SchemaTypes.Object;
        }

        if (type.HasFlag(JsonSchemaType.Array))
        {
            result |= SchemaTypes.Array;
        }

        return result;
    }

    private Regex? CompilePattern(string pattern, string location)
    {
        // ECMAScript semantics where .NET can give them (\d is ASCII only, as in ECMA-262); patterns that use constructs
        // RegexOptions.ECMAScript refuses (lookbehind, Unicode classes) fall back to .NET's default dialect.
        // Compiled to IL at load and run once, so the first request does not pay for (or time out on) the compilation.
        try
        {
            return WarmedUp(new Regex(pattern, RegexOptions.ECMAScript | RegexOptions.CultureInvariant | RegexOptions.Compiled, PatternTimeout));
        }
        catch (ArgumentException)
        {
        }

        try
        {
            return WarmedUp(new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled, PatternTimeout));
        }
        catch (ArgumentException e)
        {
            Errors.Add($"{location}: pattern '{pattern}' is not a valid regular expression: {e.Message}");
            return null;
        }
    }

    private static Regex WarmedUp(Regex regex)
    {
        _ = regex.IsMatch("warm-up 0");
        return regex;
    }

    private double? Number(string? text, string keyword, string location)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Errors.Add($"{location}: {keyword} '{text}' is not a number");
        return null;
    }

    private void NoteUnsupported(IOpenApiSchema schema, string location)
    {
        if (schema.PatternProperties is { Count: > 0 })
        {
            Note("patternProperties", location);
        }

        if (schema.DependentRequired is { Count: > 0 })
        {
            Note("dependentRequired", location);
        }

        if (schema.Discriminator is not null)
        {
            Note("discriminator", location);
        }

        if (schema.ReadOnly)
        {
            Note("readOnly", location);
        }

        if (schema.WriteOnly)
        {
            Note("writeOnly", location);
        }

        if (!string.IsNullOrEmpty(schema.DynamicRef))
        {
            Note("$dynamicRef", location);
        }

        if (schema is OpenApiSchema concrete)
        {
            if (concrete.If is not null || concrete.Then is not null || concrete.Else is not null)
            {
                Note("if/then/else", location);
            }

            if (concrete.DependentSchemas is { Count: > 0 })
            {
                Note("dependentSchemas", location);
            }

            if (concrete.PropertyNames is not null)
            {
                Note("propertyNames", location);
            }

            if (concrete.Contains is not null)
            {
                Note("contains", location);
            }

            if (!concrete.UnevaluatedProperties || concrete.UnevaluatedPropertiesSchema is not null)
            {
                Note("unevaluatedProperties", location);
            }
        }

        if (schema.UnrecognizedKeywords is { Count: > 0 } unrecognized)
        {
            foreach (var keyword in unrecognized.Keys)
            {
                Note(keyword, location);
            }
        }
    }

    private void Note(string keyword, string location) => _unsupported.TryAdd(keyword, location);
}
