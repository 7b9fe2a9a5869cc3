using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Bulwark.Redis.Tests.Gateway;

/// <summary>
/// A real <c>bulwark serve --config FILE --urls http://127.0.0.1:PORT</c> process (the built CLI, as a user runs it),
/// on a free loopback port; stopped and killed on dispose.
/// </summary>
internal sealed class GatewayProcess : IDisposable
{
    private static readonly string CliDll = Path.Combine(AppContext.BaseDirectory, "bulwark.dll");
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    private GatewayProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    /// <summary>The port the gateway listens on.</summary>
    public int Port { get; }

    /// <summary>The gateway's base address.</summary>
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    /// <summary>What the process wrote so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <c>bulwark serve</c> with <paramref name="configFile"/> and waits until it answers HTTP.</summary>
    public static async Task<GatewayProcess> StartAsync(string configFile)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { CliDll, "serve", "--config", configFile, "--urls", $"http://127.0.0.1:{port}" })
        {
            info.ArgumentList.Add(arg);
        }

        var gateway = new GatewayProcess(Process.Start(info)!, port);
        gateway._process.OutputDataReceived += (_, e) => gateway.Append(e.Data);
        gateway._process.ErrorDataReceived += (_, e) => gateway.Append(e.Data);
        gateway._process.BeginOutputReadLine();
        gateway._process.BeginErrorReadLine();

        // Ready once it answers any HTTP request outside the limited routes.
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (gateway._process.HasExited)
            {
                throw new InvalidOperationException($"bulwark serve exited with {gateway._process.ExitCode}:\n{gateway.Output}");
            }

            try
            {
                using var response = await probe.GetAsync(new Uri(gateway.BaseAddress, ".bulwark/health"));
                return gateway;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100);
            }
            catch (TaskCanceledException)
            {
                await Task.Delay(100);
            }
        }

        gateway.Dispose();
        throw new TimeoutException($"bulwark serve did not answer on port {port} within 30 s:\n{gateway.Output}");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
