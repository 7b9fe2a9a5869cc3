namespace Bulwark.Core.Simulation;

/// <summary>A data file the simulator is built on is missing or unreadable; the message names the file and how to get it.</summary>
public sealed class SimulationDataMissingException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public SimulationDataMissingException(string path, string remedy)
        : base($"simulation data missing: '{path}' ({remedy})")
    {
        Path = path;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public SimulationDataMissingException(string message)
        : base(message)
    {
        Path = "";
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public SimulationDataMissingException(string message, Exception innerException)
        : base(message, innerException)
    {
        Path = "";
    }

    /// <summary>Creates the exception with no detail.</summary>
    public SimulationDataMissingException()
        : this("simulation data missing")
    {
    }

    /// <summary>The file at fault.</summary>
    public string Path { get; }
}
