namespace Bulwark.Core.Limits;

/// <summary>
/// A shared counter store could not answer within its budget: the server is down or slow, or its circuit breaker is
/// open. The engine treats it like any store failure (the policy's fail mode applies); it is a distinct type so the
/// engine can fall back to local limits instead of logging a fault.
/// </summary>
public sealed class CounterStoreUnavailableException : Exception
{
    /// <summary>Creates the exception with a message saying why the store is unavailable.</summary>
    public CounterStoreUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    public CounterStoreUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public CounterStoreUnavailableException()
        : base("The counter store is unavailable.")
    {
    }
}
