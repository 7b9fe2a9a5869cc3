using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Bulwark.Core.Schema;

/// <summary>
/// One JSON Schema compiled for validation: every keyword Bulwark supports, parsed once at load. Schemas reached through
/// <c>$ref</c> are shared nodes, so a recursive schema is a cyclic graph; <see cref="SchemaValidation"/> bounds the depth.
/// </summary>
internal sealed class CompiledSchema
{
    /// <summary>The schema that accepts everything (<c>true</c>, or <c>{}</c>).</summary>
    public static readonly CompiledSchema AcceptAll = new();

    public SchemaTypes Types { get; set; }

    public JsonElement[]? Enum { get; set; }

    public string? Const { get; set; }

    public string? Format { get; set; }

    public int? MinLength { get; set; }

    public int? MaxLength { get; set; }

    public Regex? Pattern { get; set; }

    public double? Minimum { get; set; }

    public double? Maximum { get; set; }

    public double? ExclusiveMinimum { get; set; }

    public double? ExclusiveMaximum { get; set; }

    public decimal? MultipleOf { get; set; }

    public CompiledSchema? Items { get; set; }

    public int? MinItems { get; set; }

    public int? MaxItems { get; set; }

    public bool UniqueItems { get; set; }

    /// <summary>Declared properties in document order, with their UTF-8 names (looked up in the body without transcoding).</summary>
    public SchemaProperty[]? Properties { get; set; }

    public SchemaProperty[]? Required { get; set; }

    public bool AdditionalPropertiesAllowed { get; set; } = true;

    public CompiledSchema? AdditionalProperties { get; set; }

    public int? MinProperties { get; set; }

    public int? MaxProperties { get; set; }

    public CompiledSchema[]? AllOf { get; set; }

    public CompiledSchema[]? AnyOf { get; set; }

    public CompiledSchema[]? OneOf { get; set; }

    public CompiledSchema? Not { get; set; }

    /// <summary>Whether a value of JSON kind <paramref name="kind"/> could satisfy <see cref="Types"/> (integers checked later).</summary>
    public bool AllowsKind(JsonValueKind kind) => Types == SchemaTypes.Any || kind switch
    {
        JsonValueKind.Null => (Types & SchemaTypes.Null) != 0,
        JsonValueKind.True or JsonValueKind.False => (Types & SchemaTypes.Boolean) != 0,
        JsonValueKind.Number => (Types & (SchemaTypes.Number | SchemaTypes.Integer)) != 0,
        JsonValueKind.String => (Types & SchemaTypes.String) != 0,
        JsonValueKind.Object => (Types & SchemaTypes.Object) != 0,
        JsonValueKind.Array => (Types & SchemaTypes.Array) != 0,
        _ => false,
    };

    /// <summary>The declared type(s) as JSON Schema spells them, for messages.</summary>
    public string TypeText()
    {
        var names = new List<string>(2);
        foreach (var (flag, name) in (ReadOnlySpan<(SchemaTypes, string)>)[
            (SchemaTypes.Object, "object"), (SchemaTypes.Array, "array"), (SchemaTypes.String, "string"), (SchemaTypes.Integer, "integer"),
            (SchemaTypes.Number, "number"), (SchemaTypes.Boolean, "boolean"), (SchemaTypes.Null, "null")])
        {
            if ((Types & flag) != 0)
            {
                names.Add(name);
            }
        }

        return string.Join(" or ", names);
    }

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
