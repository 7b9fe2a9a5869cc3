namespace Bulwark.Core.Schema;

/// <summary>The outcome of loading an OpenAPI document: the compiled document, or the errors that prevent it.</summary>
/// <param name="Document">The compiled document; null when <paramref name="Errors"/> is not empty.</param>
/// <param name="Errors">Each error names the file and what is wrong (and where in the document).</param>
public sealed record SchemaLoadResult(SchemaDocument? Document, IReadOnlyList<string> Errors);
