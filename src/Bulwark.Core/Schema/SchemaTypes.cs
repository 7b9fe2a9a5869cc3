namespace Bulwark.Core.Schema;

/// <summary>JSON Schema's <c>type</c> as flags: a 3.1 type array or a 3.0 <c>nullable</c> set several.</summary>
[Flags]
internal enum SchemaTypes
{
    Any = 0,
    Null = 1,
    Boolean = 2,
    Integer = 4,
    Number = 8,
    String = 16,
    Object = 32,
    Array = 64,
}
