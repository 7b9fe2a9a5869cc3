using Bulwark.Core.Policy;

namespace Bulwark.Gateway;

/// <summary>
/// Where the gateway's socket completions run. By default .NET hands every completed socket operation from its event
/// thread to the thread pool; with inline completions the continuation runs on the event thread itself (one per core),
/// which saves a thread hand-off and a wake-up on each read and write of a proxied request. The runtime reads its switch,
/// the environment variable <see cref="VariableName"/>, once: when the first socket is registered with the event loop.
/// So this is applied at the very start of <c>bulwark serve</c>, before anything opens a socket.
/// </summary>
public static class SocketCompletionMode
{
    /// <summary>The runtime's switch (System.Net.Sockets, Unix; Windows uses I/O completion ports and ignores it).</summary>
    public const string VariableName = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Turns inline completions on for this process when <paramref name="server"/> asks for them and the operator has not set
    /// <see cref="VariableName"/> themselves (their value, even "0", wins). Returns whether completions will run inline.
    /// Has no effect once the process has used an asynchronous socket.
    /// </summary>
    public static bool Apply(GatewayServerOptions server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var operatorValue = Environment.GetEnvironmentVariable(VariableName);
        if (operatorValue is not null)
        {
            return operatorValue == "1";
        }

        if (server.InlineSocketCompletions)
        {
            Environment.SetEnvironmentVariable(VariableName, "1");
            return true;
        }

        return false;
    }
}
