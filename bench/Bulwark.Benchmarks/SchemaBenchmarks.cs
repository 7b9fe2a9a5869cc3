using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Bulwark.Core;
using Bulwark.Core.Schema;

namespace Bulwark.Benchmarks;

/// <summary>
/// Schema validation of a typical small body against samples/demo-openapi.yaml, as a ratio to parsing the same body with
/// <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/> alone (the work every JSON body costs
/// anyway). <c>ParseAndValidate</c> is what a request pays in total; <c>ValidateParsed</c> is the validator's own share
/// (route match, then the body walk). Bodies: the cart item (2 members, a pattern and integer bounds) and the inference
/// call (3 members, string length, integer and number bounds).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class SchemaBenchmarks
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);
    private SchemaDocument _document = null!;
    private byte[] _body = null!;
    private RequestContext _parsed = null!;
    private string _path = null!;

    [Params("cart", "inference")]
    public string Body { get; set; } = "cart";

    [GlobalSetup]
    public void Setup()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("demo-openapi.yaml")!;
        using var reader = new StreamReader(stream);
        var result = SchemaDocument.Parse(reader.ReadToEnd(), "demo-openapi.yaml");
        _document = result.Document ?? throw new InvalidOperationException(string.Join("\n", result.Errors));
        (_path, var json) = Body == "cart"
            ? ("/api/cart/items", """{"sku":"SKU-LIMITED-DROP-2026","qty":2}""")
            : ("/api/inference", """{"prompt":"Summarise the attached meeting notes in three bullet points.","max_tokens":256,"temperature":0.7}""");
        _body = Encoding.UTF8.GetBytes(json);
        _parsed = Request(JsonDocument.Parse(_body).RootElement.Clone());
        if (_document.Validate(_parsed, rejectUndefinedRoutes: true) is { } violation)
        {
            throw new InvalidOperationException($"benchmark body is invalid: {violation}");
        }
    }

    [Benchmark(Baseline = true)]
    public int ParseOnly()
    {
        using var document = JsonDocument.Parse(_body);
        return document.RootElement.GetPropertyCount();
    }

    [Benchmark]
    public SchemaViolation? ParseAndValidate()
    {
        using var document = JsonDocument.Parse(_body);
        return _document.Validate(Request(document.RootElement), rejectUndefinedRoutes: true);
    }

    [Benchmark]
    public SchemaViolation? ValidateParsed() => _document.Validate(_parsed, rejectUndefinedRoutes: true);

    private RequestContext Request(JsonElement body) => new()
    {
        Timestamp = T0,
        ClientIp = IPAddress.Loopback,
        Method = "POST",
        Path = _path,
        Body = body,
        BodyState = RequestBodyState.Parsed,
    };
}
