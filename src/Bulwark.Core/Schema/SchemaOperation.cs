namespace Bulwark.Core.Schema;

/// <summary>One method on one path template of the document, compiled for the request path.</summary>
internal sealed class SchemaOperation
{
    public required string Method { get; init; }

    public required PathTemplate Template { get; init; }

    /// <summary>Path parameters in template order.</summary>
    public required SchemaParameter[] PathParameters { get; init; }

    public required SchemaParameter[] QueryParameters { get; init; }

    /// <summary>Whether the operation declares a request body at all.</summary>
    public bool HasBody { get; init; }

    public bool BodyRequired { get; init; }

    /// <summary>The schema of the JSON body (<c>application/json</c> or <c>*+json</c>), or null when the body is not JSON.</summary>
    public CompiledSchema? JsonBody { get; init; }

    /// <summary>Whether JSON is the only media type the body may have (so a non-JSON body is refused).</summary>
    public bool OnlyJson { get; init; }
}
