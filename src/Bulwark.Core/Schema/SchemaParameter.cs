namespace Bulwark.Core.Schema;

/// <summary>A path or query parameter of one operation, compiled.</summary>
internal sealed record SchemaParameter(string Name, bool Required, CompiledSchema Schema, bool IsArray, bool Explode, char Separator);
