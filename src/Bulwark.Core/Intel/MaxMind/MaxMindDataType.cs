namespace Bulwark.Core.Intel.MaxMind;

/// <summary>The data section's field types, numbered as in the MaxMind DB format specification 2.0.</summary>
public enum MaxMindDataType : byte
{
    /// <summary>Type 0 in the control byte: the real type is in the next byte (plus 7).</summary>
    Extended = 0,

    /// <summary>A pointer into the data section (never to another pointer).</summary>
    Pointer = 1,

    /// <summary>A UTF-8 string.</summary>
    Utf8String = 2,

    /// <summary>An IEEE-754 binary64, 8 bytes big-endian.</summary>
    Double = 3,

    /// <summary>Opaque bytes.</summary>
    Bytes = 4,

    /// <summary>An unsigned 16-bit integer in 0–2 bytes.</summary>
    UInt16 = 5,

    /// <summary>An unsigned 32-bit integer in 0–4 bytes.</summary>
    UInt32 = 6,

    /// <summary>A map of UTF-8 string keys to values; the size is the number of pairs.</summary>
    Map = 7,

    /// <summary>A signed 32-bit two's-complement integer in 0–4 bytes.</summary>
    Int32 = 8,

    /// <summary>An unsigned 64-bit integer in 0–8 bytes.</summary>
    UInt64 = 9,

    /// <summary>An unsigned 128-bit integer in 0–16 bytes.</summary>
    UInt128 = 10,

    /// <summary>An array; the size is the number of elements.</summary>
    Array = 11,

    /// <summary>A writer's cache of repeated data that pointers point into; never a value itself.</summary>
    DataCacheContainer = 12,

    /// <summary>Marks the end of the data section; never a value itself.</summary>
    EndMarker = 13,

    /// <summary>A boolean whose value is the size (0 or 1); no payload.</summary>
    Boolean = 14,

    /// <summary>An IEEE-754 binary32, 4 bytes big-endian.</summary>
    Float = 15,
}
