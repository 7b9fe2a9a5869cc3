namespace Bulwark.Core.Intel.Database;

/// <summary>Opens and reads a source file line by line, turning any failure to read into <see cref="IpIntelDatabaseException"/>.</summary>
internal static class SourceFile
{
    public static IEnumerable<(string Line, int Number)> ReadLines(string path)
    {
        StreamReader reader;
        try
        {
            reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new IpIntelDatabaseException(path, "cannot read the source: " + e.Message, e);
        }

        using (reader)
        {
            int number = 0;
            while (true)
            {
                string? line;
                try
                {
                    line = reader.ReadLine();
                }
                catch (IOException e)
                {
                    throw new IpIntelDatabaseException(path, $"cannot read the source after line {number}: {e.Message}", e);
                }

                if (line is null)
                {
                    yield break;
                }

                yield return (line, ++number);
            }
        }
    }

    /// <summary>The line without its <c>#</c> comment, trimmed.</summary>
    public static ReadOnlySpan<char> Content(string line)
    {
        int hash = line.IndexOf('#', StringComparison.Ordinal);
        return (hash < 0 ? line.AsSpan() : line.AsSpan(0, hash)).Trim();
    }
}
