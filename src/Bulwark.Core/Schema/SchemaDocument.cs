using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bulwark.Core.Decisions;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using YamlDotNet.Core;

namespace Bulwark.Core.Schema;

/// <summary>
/// An OpenAPI 3.0 or 3.1 document (JSON or YAML) compiled at load into a route matcher and validators for path parameters,
/// query parameters and JSON request bodies. <see cref="Validate"/> answers the first thing wrong with a request, or null.
/// Immutable and thread-safe.
/// </summary>
public sealed class SchemaDocument
{
    private const int MaxPathParameters = 16;

    private readonly SchemaOperation[] _operations;

    private SchemaDocument(string source, string version, SchemaOperation[] operations, IReadOnlyList<string> warnings)
    {
        Source = source;
        Version = version;
        _operations = operations;
        Warnings = warnings;
    }

    /// <summary>The file (or name) the document came from.</summary>
    public string Source { get; }

    /// <summary>The document's <c>openapi</c> version, for example <c>3.1.0</c>.</summary>
    public string Version { get; }

    /// <summary>Keywords the document uses that Bulwark does not enforce, one line each (also logged at load).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Number of operations (method × path) in the document.</summary>
    public int OperationCount => _operations.Length;

    /// <summary>Loads and compiles the file at <paramref name="path"/> (JSON when it starts with <c>{</c>, else YAML).</summary>
    public static SchemaLoadResult Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return Failed(path, $"cannot be read: {e.Message}");
        }

        return Parse(text, path);
    }

    /// <summary>Compiles a document given as text; <paramref name="source"/> names it in errors.</summary>
    public static SchemaLoadResult Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);
        JsonNode? root;
        var trimmed = text.AsSpan().TrimStart();
        if (trimmed.Length > 0 && trimmed[0] == '{')
        {
            try
            {
                root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false, MaxDepth = 256 });
            }
            catch (JsonException e)
            {
                return Failed(source, $"is not valid JSON at line {(e.LineNumber ?? 0) + 1}, position {(e.BytePositionInLine ?? 0) + 1}");
            }
        }
        else
        {
            try
            {
                root = YamlToJson.Convert(text);
            }
            catch (YamlException e)
            {
                return Failed(source, $"is not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
            }
        }

        if (root is not JsonObject document)
        {
            return Failed(source, "is not an OpenAPI document (expected an object with \"openapi\", \"info\" and \"paths\")");
        }

        if (!document.TryGetPropertyValue("openapi", out var versionNode) || versionNode is not JsonValue versionValue
            || !versionValue.TryGetValue<string>(out var version))
        {
            return Failed(source, document.ContainsKey("swagger")
                ? "is a Swagger 2.0 document; only OpenAPI 3.0 and 3.1 are supported (convert it, for example with swagger2openapi)"
                : "has no \"openapi\" version string (write \"openapi\": \"3.1.0\" at the top)");
        }

        if (!version.StartsWith("3.0", StringComparison.Ordinal) && !version.StartsWith("3.1", StringComparison.Ordinal))
        {
            return Failed(source, $"declares openapi \"{version}\"; only 3.0.x and 3.1.x are supported");
        }

        ReadResult read;
        try
        {
            var settings = new OpenApiReaderSettings { LoadExternalRefs = false };
            read = new OpenApiJsonReader().Read(document, new Uri("file:///" + Path.GetFileName(source)), settings);
        }
        catch (Exception e) when (e is OpenApiException or JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            return Failed(source, $"cannot be read as OpenAPI: {e.Message}");
        }

        var errors = new List<string>();
        foreach (var error in read.Diagnostic?.Errors ?? [])
        {
            errors.Add($"{source}: {error.Pointer}: {error.Message}".Replace(": : ", ": ", StringComparison.Ordinal));
        }

        if (read.Document is null)
        {
            errors.Add($"{source}: cannot be read as OpenAPI");
        }

        if (errors.Count > 0)
        {
            return new SchemaLoadResult(null, errors);
        }

        return Compile(read.Document!, source, version);
    }

    private static SchemaLoadResult Compile(OpenApiDocument document, string source, string version)
    {
        var compiler = new SchemaCompiler();
        var errors = new List<string>();
        var basePath = BasePath(document);
        var operations = new List<SchemaOperation>();
        foreach (var (template, item) in document.Paths ?? [])
        {
            var where = $"#/paths/{Escape(template)}";
            var parsed = PathTemplate.Parse(basePath, template, out var templateError);
            if (parsed is null)
            {
                errors.Add($"{source}: {where}: {templateError}");
                continue;
            }

            foreach (var (method, operation) in item.Operations ?? [])
            {
                var name = method.Method.ToUpperInvariant();
                var at = $"{where}/{method.Method.ToLowerInvariant()}";
                var parameters = Merge(item.Parameters, operation.Parameters);
                var pathParameters = new List<SchemaParameter>();
                foreach (var parameterName in parsed.ParameterNames)
                {
                    var declared = parameters.FirstOrDefault(p => p.In == ParameterLocation.Path && p.Name == parameterName);
                    pathParameters.Add(declared is null
                        ? new SchemaParameter(parameterName, true, CompiledSchema.AcceptAll, false, false, ',')
                        : Parameter(compiler, declared, $"{at}/parameters/{parameterName}"));
                }

                if (pathParameters.Count > MaxPathParameters)
                {
                    errors.Add($"{source}: {where}: more than {MaxPathParameters} path parameters");
                    continue;
                }

                var queryParameters = parameters
                    .Where(p => p.In == ParameterLocation.Query && p.Name is { Length: > 0 })
                    .Select(p => Parameter(compiler, p, $"{at}/parameters/{p.Name}"))
                    .ToArray();

                CompiledSchema? jsonBody = null;
                var onlyJson = false;
                var body = operation.RequestBody;
                if (body?.Content is { Count: > 0 } content)
                {
                    var json = content.FirstOrDefault(c => IsJsonMediaType(c.Key));
                    if (json.Value is not null)
                    {
                        jsonBody = compiler.Compile(json.Value.Schema, $"{at}/requestBody/content/{Escape(json.Key)}/schema");
                    }

                    onlyJson = content.Keys.All(IsJsonMediaType);
                }

                operations.Add(new SchemaOperation
                {
                    Method = name,
                    Template = parsed,
                    PathParameters = [.. pathParameters],
                    QueryParameters = queryParameters,
                    HasBody = body is not null,
                    BodyRequired = body?.Required == true,
                    JsonBody = jsonBody,
                    OnlyJson = onlyJson,
                });
            }
        }

        errors.AddRange(compiler.Errors.Select(e => $"{source}: {e}"));
        if (errors.Count > 0)
        {
            return new SchemaLoadResult(null, errors);
        }

        // Concrete paths before templated ones (OpenAPI 3: "/users/me" wins over "/users/{id}").
        var ordered = operations
            .OrderByDescending(o => o.Template.LiteralCount)
            .ThenBy(o => o.Template.SegmentCount)
            .ToArray();
        return new SchemaLoadResult(new SchemaDocument(source, version, ordered, [.. compiler.Warnings]), []);
    }

    /// <summary>Whether the operation for this method and path has a JSON body to validate (front doors read it then).</summary>
    public bool ExpectsJsonBody(string method, string path)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(path);
        Span<Range> values = stackalloc Range[MaxPathParameters];
        return Match(method, path, values, out _) is { HasBody: true };
    }

    /// <summary>
    /// The first thing wrong with <paramref name="request"/> against the document, or null when it conforms (or the
    /// document does not define its route and <paramref name="rejectUndefinedRoutes"/> is false).
    /// </summary>
    public SchemaViolation? Validate(RequestContext request, bool rejectUndefinedRoutes)
    {
        ArgumentNullException.ThrowIfNull(request);
        Span<Range> values = stackalloc Range[MaxPathParameters];
        var operation = Match(request.Method, request.Path, values, out var pathKnown);
        if (operation is null)
        {
            // CORS preflights (OPTIONS on a documented path) are the browser's, not the API's: never refused here.
            if (!rejectUndefinedRoutes || (pathKnown && request.Method == "OPTIONS"))
            {
                return null;
            }

            return pathKnown
                ? new SchemaViolation(405, ReasonCodes.SchemaMethodNotAllowed, null, $"The API does not define {request.Method} for this path.")
                : new SchemaViolation(404, ReasonCodes.SchemaUndefinedRoute, null, "The API does not define this path.");
        }

        var run = SchemaValidation.Rent();
        for (var i = 0; i < operation.PathParameters.Length; i++)
        {
            var parameter = operation.PathParameters[i];
            var raw = Uri.UnescapeDataString(request.Path[values[i]]);
            if (Check(run, "path", parameter, [raw]) is { } violation)
            {
                return violation;
            }
        }

        if (operation.QueryParameters.Length > 0)
        {
            var query = ParseQuery(request.Query);
            foreach (var parameter in operation.QueryParameters)
            {
                if (!query.TryGetValue(parameter.Name, out var found))
                {
                    if (parameter.Required)
                    {
                        return Invalid("/query/" + EscapePointer(parameter.Name), "is required");
                    }

                    continue;
                }

                if (Check(run, "query", parameter, found) is { } violation)
                {
                    return violation;
                }
            }
        }

        return operation.HasBody ? CheckBody(run, operation, request) : null;
    }

    private static SchemaViolation? CheckBody(SchemaValidation run, SchemaOperation operation, RequestContext request)
    {
        if (request.Body is { } body)
        {
            if (operation.JsonBody is { } schema)
            {
                run.Reset();
                run.Push("body");
                if (!run.Validate(schema, body))
                {
                    return Invalid(run.FailurePointer!, run.FailureMessage!);
                }
            }

            return null;
        }

        return request.BodyState switch
        {
            RequestBodyState.Empty when operation.BodyRequired => Invalid("/body", "is required"),
            RequestBodyState.NotJson when operation.OnlyJson => Invalid("/body", "must be JSON (Content-Type: application/json)"),
            RequestBodyState.InvalidJson when operation.JsonBody is not null => Invalid("/body", "is not valid JSON"),
            RequestBodyState.TooLarge when operation.JsonBody is not null =>
                new SchemaViolation(413, ReasonCodes.BodyTooLarge, "/body", "is larger than this API accepts"),
            _ => null,
        };
    }

    private static SchemaViolation? Check(SchemaValidation run, string where, SchemaParameter parameter, List<string> raw)
    {
        JsonElement value;
        if (parameter.IsArray)
        {
            var items = parameter.Explode || raw.Count > 1 ? raw : [.. raw[0].Split(parameter.Separator)];
            value = ToElement(items, parameter.Schema.Items ?? CompiledSchema.AcceptAll);
        }
        else
        {
            if (raw.Count > 1)
            {
                return Invalid($"/{where}/{EscapePointer(parameter.Name)}", "must be given once");
            }

            value = ToElement(raw[0], parameter.Schema);
        }

        run.Reset();
        run.Push(where);
        run.Push(parameter.Name);
        return run.Validate(parameter.Schema, value) ? null : Invalid(run.FailurePointer!, run.FailureMessage!);
    }

    private static SchemaViolation Invalid(string pointer, string message) => new(400, ReasonCodes.SchemaInvalid, pointer, message);

    // A parameter arrives as text; read it as the type the schema wants when it looks like one, else keep the string so
    // the type check names the mismatch.
    private static JsonElement ToElement(string raw, CompiledSchema schema)
    {
        var buffer = new ArrayBufferWriter<byte>(raw.Length + 8);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteScalar(writer, raw, schema.Types);
        }

        return Parse(buffer);
    }

    private static JsonElement ToElement(List<string> raw, CompiledSchema items)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var item in raw)
            {
                WriteScalar(writer, item, items.Types);
            }

            writer.WriteEndArray();
        }

        return Parse(buffer);
    }

    private static JsonElement Parse(ArrayBufferWriter<byte> buffer)
    {
        var reader = new Utf8JsonReader(buffer.WrittenSpan);
        return JsonElement.ParseValue(ref reader);
    }

    private static void WriteScalar(Utf8JsonWriter writer, string raw, SchemaTypes types)
    {
        if ((types & (SchemaTypes.Integer | SchemaTypes.Number)) != 0 && IsJsonNumber(raw))
        {
            writer.WriteRawValue(raw, skipInputValidation: false);
        }
        else if ((types & SchemaTypes.Boolean) != 0 && raw is "true" or "false")
        {
            writer.WriteBooleanValue(raw == "true");
        }
        else
        {
            writer.WriteStringValue(raw);
        }
    }

    private static bool IsJsonNumber(string text)
    {
        if (text.Length is 0 or > 64)
        {
            return false;
        }

        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text));
        try
        {
            return reader.Read() && reader.TokenType == JsonTokenType.Number && reader.BytesConsumed == text.Length;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private SchemaOperation? Match(string method, string path, Span<Range> values, out bool pathKnown)
    {
        pathKnown = false;
        foreach (var operation in _operations)
        {
            if (!operation.Template.TryMatch(path, values))
            {
                continue;
            }

            pathKnown = true;
            if (string.Equals(operation.Method, method, StringComparison.OrdinalIgnoreCase)
                || (method == "HEAD" && operation.Method == "GET" && !HasMethod(operation.Template, "HEAD")))
            {
                return operation;
            }
        }

        return null;
    }

    private bool HasMethod(PathTemplate template, string method) =>
        _operations.Any(o => ReferenceEquals(o.Template, template) && o.Method == method);

    private static Dictionary<string, List<string>> ParseQuery(string? query)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(query))
        {
            return result;
        }

        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Decode(pair[(equals + 1)..]);
            if (!result.TryGetValue(name, out var list))
            {
                result[name] = list = new List<string>(1);
            }

            list.Add(value);
        }

        return result;
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));

    private static SchemaParameter Parameter(SchemaCompiler compiler, IOpenApiParameter parameter, string location)
    {
        var schema = compiler.Compile(parameter.Schema, location + "/schema");
        var isArray = (schema.Types & SchemaTypes.Array) != 0;
        var style = parameter.Style;
        var separator = style switch
        {
            ParameterStyle.SpaceDelimited => ' ',
            ParameterStyle.PipeDelimited => '|',
            _ => ',',
        };
        return new SchemaParameter(parameter.Name ?? "", parameter.Required || parameter.In == ParameterLocation.Path, schema, isArray, parameter.Explode, separator);
    }

    // Operation parameters override path-item parameters with the same name and location.
    private static List<IOpenApiParameter> Merge(IList<IOpenApiParameter>? shared, IList<IOpenApiParameter>? own)
    {
        var result = new List<IOpenApiParameter>(own ?? []);
        foreach (var parameter in shared ?? [])
        {
            if (!result.Any(p => p.Name == parameter.Name && p.In == parameter.In))
            {
                result.Add(parameter);
            }
        }

        return result;
    }

    private static bool IsJsonMediaType(string mediaType)
    {
        var type = mediaType.Split(';')[0].Trim();
        return type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    // The path part of the first server URL ("https://api.example.com/v1" → "/v1"); relative URLs are paths already.
    private static string BasePath(OpenApiDocument document)
    {
        if (document.Servers is not { Count: > 0 } servers || servers[0].Url is not { Length: > 0 } url || url.Contains('{', StringComparison.Ordinal))
        {
            return "";
        }

        var path = Uri.TryCreate(url, UriKind.Absolute, out var absolute) ? absolute.AbsolutePath : url;
        return path.TrimEnd('/') is var trimmed && trimmed.StartsWith('/') ? trimmed : "";
    }

    private static string Escape(string name) => EscapePointer(name);

    private static string EscapePointer(string name) =>
        name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static SchemaLoadResult Failed(string source, string message) => new(null, [$"{source}: {message}"]);
}
