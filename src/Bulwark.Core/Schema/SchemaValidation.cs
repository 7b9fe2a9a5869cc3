using System.Globalization;
using System.Text.Json;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Bulwark.Core.Schema;

/// <summary>
/// One validation run: walks a JSON value against a <see cref="CompiledSchema"/> and stops at the first failure, keeping its
/// JSON pointer and a message. Inside <c>anyOf</c>/<c>oneOf</c>/<c>not</c> branches failures are silent (the branch result
/// is what counts). Not thread-safe: one per thread (see <see cref="Rent"/>).
/// </summary>
internal sealed class SchemaValidation
{
    /// <summary>Deepest nesting of values and schemas followed; deeper input fails rather than risk the stack.</summary>
    public const int MaxDepth = 64;

    [ThreadStatic]
    private static SchemaValidation? t_cached;

    private readonly JsonPointerTrail _trail = new();
    private int _quiet;
    private int _depth;

    public string? FailurePointer { get; private set; }

    public string? FailureMessage { get; private set; }

    /// <summary>A cleared run for this thread.</summary>
    public static SchemaValidation Rent()
    {
        var run = t_cached ??= new SchemaValidation();
        run.Reset();
        return run;
    }

    public void Reset()
    {
        _trail.Clear();
        _quiet = 0;
        _depth = 0;
        FailurePointer = null;
        FailureMessage = null;
    }

    public void Push(string name) => _trail.Push(name);

    public void Pop() => _trail.Pop();

    /// <summary>Validates <paramref name="value"/> at the current pointer; false (with the failure kept) if it does not match.</summary>
    public bool Validate(CompiledSchema schema, JsonElement value)
    {
        if (ReferenceEquals(schema, CompiledSchema.AcceptAll))
        {
            return true;
        }

        if (++_depth > MaxDepth)
        {
            _depth--;
            return Fail("is nested deeper than " + MaxDepth.ToString(CultureInfo.InvariantCulture) + " levels");
        }

        try
        {
            return ValidateCore(schema, value);
        }
        finally
        {
            _depth--;
        }
    }

    private bool ValidateCore(CompiledSchema schema, JsonElement value)
    {
        var kind = value.ValueKind;
        if (!schema.AllowsKind(kind))
        {
            return Fail($"must be of type {schema.TypeText()}, not {KindText(kind)}");
        }

        if (kind == JsonValueKind.Number && schema.Types != SchemaTypes.Any && (schema.Types & SchemaTypes.Number) == 0 && !IsInteger(value))
        {
            return Fail("must be an integer");
        }

        if (schema.Enum is { } allowed && !Contains(allowed, value))
        {
            return Fail("must be one of " + string.Join(", ", allowed.Select(a => a.GetRawText())));
        }

        if (schema.Const is { } constant && !MatchesConst(value, constant))
        {
            return Fail("must be " + constant);
        }

        var ok = kind switch
        {
            JsonValueKind.String => ValidateString(schema, value),
            JsonValueKind.Number => ValidateNumber(schema, value),
            JsonValueKind.Object => ValidateObject(schema, value),
            JsonValueKind.Array => ValidateArray(schema, value),
            _ => true,
        };
        return ok && ValidateCombinators(schema, value);
    }

    private bool ValidateString(CompiledSchema schema, JsonElement value)
    {
        if (schema.MinLength is null && schema.MaxLength is null && schema.Pattern is null && schema.Format is null)
        {
            return true;
        }

        // Decode the string into a stack buffer rather than allocating it: a string without escapes is its raw UTF-8
        // between the quotes.
        var raw = JsonMarshal.GetRawUtf8Value(value);
        raw = raw[1..^1];
        if (raw.Contains((byte)'\\') || raw.Length > 1024)
        {
            return ValidateText(schema, value.GetString());
        }

        Span<char> buffer = stackalloc char[raw.Length];
        var length = Encoding.UTF8.GetChars(raw, buffer);
        return ValidateText(schema, buffer[..length]);
    }

    private bool ValidateText(CompiledSchema schema, ReadOnlySpan<char> text)
    {
        if (schema.MinLength is not null || schema.MaxLength is not null)
        {
            // JSON Schema counts code points, not UTF-16 units.
            var length = CodePoints(text);
            if (schema.MinLength is { } min && length < min)
            {
                return Fail($"must be at least {min} characters long");
            }

            if (schema.MaxLength is { } max && length > max)
            {
                return Fail($"must be at most {max} characters long");
            }
        }

        if (schema.Pattern is { } pattern)
        {
            try
            {
                if (!pattern.IsMatch(text))
                {
                    return Fail($"must match the pattern {pattern}");
                }
            }
            catch (RegexMatchTimeoutException)
            {
                return Fail($"took too long to match the pattern {pattern}");
            }
        }

        if (schema.Format is { } format && !SchemaFormats.IsValidString(format, text))
        {
            return Fail($"must be a valid {format}");
        }

        return true;
    }

    private bool ValidateNumber(CompiledSchema schema, JsonElement value)
    {
        var number = value.GetDouble();
        if (schema.Minimum is { } minimum && number < minimum)
        {
            return Fail("must be >= " + CompiledSchema.Number(minimum));
        }

        if (schema.Maximum is { } maximum && number > maximum)
        {
            return Fail("must be <= " + CompiledSchema.Number(maximum));
        }

        if (schema.ExclusiveMinimum is { } exclusiveMinimum && number <= exclusiveMinimum)
        {
            return Fail("must be > " + CompiledSchema.Number(exclusiveMinimum));
        }

        if (schema.ExclusiveMaximum is { } exclusiveMaximum && number >= exclusiveMaximum)
        {
            return Fail("must be < " + CompiledSchema.Number(exclusiveMaximum));
        }

        if (schema.MultipleOf is { } multipleOf && !IsMultiple(value, number, multipleOf))
        {
            return Fail("must be a multiple of " + multipleOf.ToString(CultureInfo.InvariantCulture));
        }

        if (schema.Format is "int32" && (!IsInteger(value) || number is < int.MinValue or > int.MaxValue))
        {
            return Fail("must be a 32-bit integer");
        }

        if (schema.Format is "int64" && (!IsInteger(value) || !value.TryGetInt64(out _)))
        {
            return Fail("must be a 64-bit integer");
        }

        return true;
    }

    private bool ValidateObject(CompiledSchema schema, JsonElement value)
    {
        if (schema.Required is { } required)
        {
            foreach (var name in required)
            {
                if (!value.TryGetProperty(name.Utf8Name, out _))
                {
                    _trail.Push(name.Name);
                    var failed = Fail("is required");
                    _trail.Pop();
                    return failed;
                }
            }
        }

        var properties = schema.Properties;
        if (properties is not null)
        {
            foreach (var property in properties)
            {
                if (value.TryGetProperty(property.Utf8Name, out var member))
                {
                    _trail.Push(property.Name);
                    var ok = Validate(property.Schema!, member);
                    _trail.Pop();
                    if (!ok)
                    {
                        return false;
                    }
                }
            }
        }

        var count = 0;
        var checkOthers = !schema.AdditionalPropertiesAllowed || schema.AdditionalProperties is not null;
        if (checkOthers || schema.MinProperties is not null || schema.MaxProperties is not null)
        {
            foreach (var member in value.EnumerateObject())
            {
                count++;
                if (!checkOthers || (properties is not null && IsDeclared(properties, member)))
                {
                    continue;
                }

                if (!schema.AdditionalPropertiesAllowed)
                {
                    _trail.Push(member.Name);
                    var failed = Fail("is not allowed (no additional properties)");
                    _trail.Pop();
                    return failed;
                }

                _trail.Push(member.Name);
                var ok = Validate(schema.AdditionalProperties!, member.Value);
                _trail.Pop();
                if (!ok)
                {
                    return false;
                }
            }
        }

        if (schema.MinProperties is { } min && count < min)
        {
            return Fail($"must have at least {min} properties");
        }

        if (schema.MaxProperties is { } max && count > max)
        {
            return Fail($"must have at most {max} properties");
        }

        return true;
    }

    private bool ValidateArray(CompiledSchema schema, JsonElement value)
    {
        var length = value.GetArrayLength();
        if (schema.MinItems is { } min && length < min)
        {
            return Fail($"must have at least {min} items");
        }

        if (schema.MaxItems is { } max && length > max)
        {
            return Fail($"must have at most {max} items");
        }

        if (schema.Items is { } items)
        {
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                _trail.Push(index);
                var ok = Validate(items, item);
                _trail.Pop();
                if (!ok)
                {
                    return false;
                }

                index++;
            }
        }

        if (schema.UniqueItems && length > 1)
        {
            for (var i = 1; i < length; i++)
            {
                for (var j = 0; j < i; j++)
                {
                    if (JsonElement.DeepEquals(value[i], value[j]))
                    {
                        _trail.Push(i);
                        var failed = Fail($"duplicates item {j} (items must be unique)");
                        _trail.Pop();
                        return failed;
                    }
                }
            }
        }

        return true;
    }

    private bool ValidateCombinators(CompiledSchema schema, JsonElement value)
    {
        if (schema.AllOf is { } allOf)
        {
            foreach (var part in allOf)
            {
                if (!Validate(part, value))
                {
                    return false; // the part's own failure, with its pointer, is the most useful answer
                }
            }
        }

        if (schema.AnyOf is { } anyOf)
        {
            var matched = false;
            _quiet++;
            foreach (var part in anyOf)
            {
                if (Validate(part, value))
                {
                    matched = true;
                    break;
                }
            }

            _quiet--;
            if (!matched)
            {
                return Fail("must match at least one schema of anyOf");
            }
        }

        if (schema.OneOf is { } oneOf)
        {
            var matches = 0;
            _quiet++;
            foreach (var part in oneOf)
            {
                if (Validate(part, value) && ++matches > 1)
                {
                    break;
                }
            }

            _quiet--;
            if (matches != 1)
            {
                return Fail(matches == 0 ? "must match exactly one schema of oneOf (matches none)" : "must match exactly one schema of oneOf (matches several)");
            }
        }

        if (schema.Not is { } not)
        {
            _quiet++;
            var matched = Validate(not, value);
            _quiet--;
            if (matched)
            {
                return Fail("must not match the schema of not");
            }
        }

        return true;
    }

    private bool Fail(string message)
    {
        if (_quiet == 0 && FailureMessage is null)
        {
            FailurePointer = _trail.ToString();
            FailureMessage = message;
        }

        return false;
    }

    // JsonProperty.Name allocates; comparing in place does not (objects in request bodies have few members).
    private static bool IsDeclared(SchemaProperty[] properties, JsonProperty member)
    {
        foreach (var property in properties)
        {
            if (member.NameEquals(property.Utf8Name))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsInteger(JsonElement value) =>
        value.TryGetInt64(out _) || (value.TryGetDouble(out var d) && double.IsFinite(d) && Math.Floor(d) == d);

    private static bool IsMultiple(JsonElement value, double number, decimal multipleOf)
    {
        if (value.TryGetDecimal(out var exact))
        {
            return exact % multipleOf == 0;
        }

        var quotient = number / (double)multipleOf;
        return double.IsFinite(quotient) && Math.Abs(quotient - Math.Round(quotient)) < 1e-9;
    }

    private static bool Contains(JsonElement[] allowed, JsonElement value)
    {
        foreach (var candidate in allowed)
        {
            if (JsonElement.DeepEquals(candidate, value))
            {
                return true;
            }
        }

        return false;
    }

    private static bool MatchesConst(JsonElement value, string constant) => value.ValueKind == JsonValueKind.String
        ? string.Equals(value.GetString(), constant, StringComparison.Ordinal)
        : string.Equals(value.GetRawText(), constant, StringComparison.Ordinal)
          || (value.ValueKind == JsonValueKind.Number && double.TryParse(constant, NumberStyles.Float, CultureInfo.InvariantCulture, out var c) && value.GetDouble() == c);

    private static int CodePoints(ReadOnlySpan<char> text)
    {
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (!char.IsLowSurrogate(text[i]) || i == 0 || !char.IsHighSurrogate(text[i - 1]))
            {
                count++;
            }
        }

        return count;
    }

    private static string KindText(JsonValueKind kind) => kind switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Number => "number",
        JsonValueKind.String => "string",
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
