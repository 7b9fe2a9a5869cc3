namespace Bulwark.Core.Intel;

/// <summary>
/// A database file or a build source that cannot be used: unreadable, truncated, corrupt, of another format or version.
/// The message names the file and the fault.
/// </summary>
public sealed class IpIntelDatabaseException : Exception
{
    /// <summary>Creates the exception for <paramref name="filePath"/>.</summary>
    public IpIntelDatabaseException(string filePath, string fault, Exception? innerException = null)
        : base($"{filePath}: {fault}", innerException)
    {
        FilePath = filePath;
        Fault = fault;
    }

    /// <summary>Creates the exception with a bare message (for serialisers and analyzers).</summary>
    public IpIntelDatabaseException()
        : this("(unknown file)", "IP intelligence database error")
    {
    }

    /// <summary>Creates the exception with a bare message.</summary>
    public IpIntelDatabaseException(string message)
        : this("(unknown file)", message)
    {
    }

    /// <summary>Creates the exception with a bare message and its cause.</summary>
    public IpIntelDatabaseException(string message, Exception innerException)
        : this("(unknown file)", message, innerException)
    {
    }

    /// <summary>The file at fault.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it.</summary>
    public string Fault { get; }
}
