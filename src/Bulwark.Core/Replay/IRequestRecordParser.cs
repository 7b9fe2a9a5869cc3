using System.Diagnostics.CodeAnalysis;

namespace Bulwark.Core.Replay;

/// <summary>Turns one input line into a request record; a bad line yields an error naming what is at fault, never an exception.</summary>
public interface IRequestRecordParser
{
    /// <summary>Parses one line (UTF-8, without its newline).</summary>
    bool TryParse(ReadOnlySpan<byte> line, long lineNumber, [NotNullWhen(true)] out RequestRecord? record, [NotNullWhen(false)] out string? error);
}
