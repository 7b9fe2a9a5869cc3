namespace Bulwark.Core.Intel;

/// <summary>A changed database file that could not be loaded; the provider keeps answering from the previous one.</summary>
public sealed class IpIntelReloadFailedEventArgs(IpIntelDatabaseException error) : EventArgs
{
    /// <summary>What is wrong with the file (its message names the file and the fault).</summary>
    public IpIntelDatabaseException Error { get; } = error;
}
