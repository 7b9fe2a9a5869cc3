using System.Text;

namespace Bulwark.Core.Schema;

/// <summary>A property name with its UTF-8 bytes, and its schema (null for a name that is only required).</summary>
internal sealed class SchemaProperty(string name, CompiledSchema? schema)
{
    public string Name { get; } = name;

    public byte[] Utf8Name { get; } = Encoding.UTF8.GetBytes(name);

    public CompiledSchema? Schema { get; } = schema;
}
