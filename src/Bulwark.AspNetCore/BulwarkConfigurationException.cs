using Bulwark.Core.Policy;

namespace Bulwark.AspNetCore;

/// <summary>Thrown at startup when Bulwark's configuration is invalid; the message lists every error with its JSON path.</summary>
public sealed class BulwarkConfigurationException : Exception
{
    /// <summary>Creates the exception from the errors found.</summary>
    public BulwarkConfigurationException(string source, IReadOnlyList<ConfigError> errors)
        : base($"Bulwark configuration '{source}' is invalid:{Environment.NewLine}" + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
    {
        Errors = errors;
    }

    /// <summary>Creates the exception with a message.</summary>
    public BulwarkConfigurationException()
    {
        Errors = [];
    }

    /// <summary>Creates the exception with a message.</summary>
    public BulwarkConfigurationException(string message)
        : base(message)
    {
        Errors = [];
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public BulwarkConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    /// <summary>Every error found.</summary>
    public IReadOnlyList<ConfigError> Errors { get; }
}
