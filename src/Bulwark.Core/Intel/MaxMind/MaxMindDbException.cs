namespace Bulwark.Core.Intel.MaxMind;

/// <summary>A MaxMind DB file is malformed or unsupported; the message names the file and what is wrong with it.</summary>
public sealed class MaxMindDbException : Exception
{
    /// <summary>Creates the exception with a message naming the file and the fault.</summary>
    public MaxMindDbException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception wrapping the fault that caused it.</summary>
    public MaxMindDbException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public MaxMindDbException()
        : base("invalid MaxMind DB file")
    {
    }
}
