namespace Bulwark.Redis.Protocol;

/// <summary>The type of a RESP2 or RESP3 reply.</summary>
public enum RedisReplyKind : byte
{
    /// <summary>RESP2 null bulk or array, or RESP3 <c>_</c>.</summary>
    Null = 0,

    /// <summary><c>+OK</c>.</summary>
    SimpleString = 1,

    /// <summary><c>-ERR …</c> or RESP3 <c>!</c> (blob error).</summary>
    Error = 2,

    /// <summary><c>:42</c>.</summary>
    Integer = 3,

    /// <summary><c>$5\r\nhello</c>, or RESP3 verbatim (<c>=</c>) and big number (<c>(</c>) as text.</summary>
    BulkString = 4,

    /// <summary><c>*2 …</c>, or RESP3 set (<c>~</c>) and map (<c>%</c>, flattened key, value, key, value…).</summary>
    Array = 5,

    /// <summary>RESP3 <c>,1.5</c>.</summary>
    Double = 6,

    /// <summary>RESP3 <c>#t</c>.</summary>
    Boolean = 7,

    /// <summary>RESP3 out-of-band push (<c>&gt;</c>); never matched to a command.</summary>
    Push = 8,
}
