using System.Net;
using System.Net.Sockets;
using Bulwark.Tests.Shared;

namespace Bulwark.Gateway.Tests.Runtime;

/// <summary>
/// This test process runs as <c>bulwark serve</c> does by default: socket completions inline (tests/gateway.runsettings).
/// If the setting stopped reaching the process, every gateway test would silently run in the other mode.
/// </summary>
public sealed class InlineCompletionsTests
{
    [Fact]
    public async Task The_gateway_tests_run_with_socket_completions_inline_as_bulwark_serve_does()
    {
        Assert.True(OperatingSystem.IsLinux(), "reads the process's threads from /proc");
        Assert.Equal("1", Environment.GetEnvironmentVariable(SocketCompletionMode.VariableName));

        // An asynchronous loopback exchange makes sure the socket event threads exist.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        var accepting = listener.AcceptTcpClientAsync();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var server = await accepting;
        var buffer = new byte[1];
        var reading = server.GetStream().ReadAsync(buffer);
        await client.GetStream().WriteAsync(new byte[] { 42 });
        Assert.Equal(1, await reading);

        // Inline: one event thread per core; queued to the thread pool: one for up to 30 cores.
        var eventThreads = ProcessThreads.Names("self").Count(name => name == ".NET Sockets");
        Assert.Equal(Environment.ProcessorCount, eventThreads);
    }
}
