using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Bulwark.Redis.Tests;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, with persistence off (<c>--save '' --appendonly no</c>). It can be
/// killed and started again on the same port, or stalled with SIGSTOP and resumed with SIGCONT.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private readonly string[] _extraArgs;
    private Process? _process;

    private RedisServer(int port, string[] extraArgs)
    {
        Port = port;
        _extraArgs = extraArgs;
    }

    /// <summary>The full path of redis-server, or null when it is not installed.</summary>
    public static string? Executable { get; } = Find();

    /// <summary>The port the server listens on (kept across restarts).</summary>
    public int Port { get; }

    /// <summary>The connection string for the server, plus <paramref name="settings"/>.</summary>
    public string Connection(string settings = "") => $"127.0.0.1:{Port}" + (settings.Length == 0 ? string.Empty : "," + settings);

    /// <summary>Starts a server; extra arguments like <c>--requirepass secret</c>.</summary>
    public static RedisServer Start(params string[] extraArgs)
    {
        var server = new RedisServer(FreePort(), extraArgs);
        server.Start();
        return server;
    }

    /// <summary>
    /// Starts a server that speaks TLS only (plain port 0) on <see cref="Port"/>, with the certificate and key files
    /// given; clients need no certificate of their own.
    /// </summary>
    public static RedisServer StartTls(string certFile, string keyFile, string caFile, params string[] extraArgs)
    {
        var port = FreePort();
        var server = new RedisServer(port, [
            "--port", "0", "--tls-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tls-cert-file", certFile, "--tls-key-file", keyFile, "--tls-ca-cert-file", caFile, "--tls-auth-clients", "no",
            .. extraArgs]);
        server.Start();
        return server;
    }

    /// <summary>Starts the process and waits until it accepts connections.</summary>
    public void Start()
    {
        var info = new ProcessStartInfo(Executable ?? throw new InvalidOperationException("redis-server is not installed"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--protected-mode", "no" }.Concat(_extraArgs))
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"redis-server exited with {_process.ExitCode} on port {Port}");
                }

                Thread.Sleep(20);
            }
        }

        throw new TimeoutException($"redis-server did not listen on port {Port} within 10 s");
    }

    /// <summary>Kills the process (SIGKILL) and waits for it to exit.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } p)
        {
            Signal("CONT");
            p.Kill();
            p.WaitForExit();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Stalls the server (SIGSTOP): connections stay open, nothing is answered.</summary>
    public void Pause() => Signal("STOP");

    /// <summary>Resumes a stalled server (SIGCONT).</summary>
    public void Resume() => Signal("CONT");

    /// <inheritdoc />
    public void Dispose() => Kill();

    private void Signal(string name)
    {
        if (_process is { HasExited: false } p)
        {
            using var kill = Process.Start("kill", ["-" + name, p.Id.ToString()]);
            kill.WaitForExit();
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

    private static string? Find()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Concat(["/usr/bin", "/usr/local/bin", "/usr/sbin"]))
        {
            var path = Path.Combine(dir, "redis-server");
            if (dir.Length > 0 && File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }
}

/// <summary>
/// A fact that needs redis-server: skipped with a message when it is missing on a developer's machine, run (and so
/// failing) under <c>CI=true</c>, where a missing server is a fault. scripts/test.sh installs it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RedisFactAttribute : FactAttribute
{
    /// <summary>Sets Skip when redis-server is missing outside CI.</summary>
    public RedisFactAttribute()
    {
        var inCi = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (RedisServer.Executable is null && !inCi)
        {
            Skip = "redis-server is not installed (apt-get install redis-server, or run scripts/test.sh as root); under CI=true this test runs and fails";
        }
    }
}

/// <summary>The theory counterpart of <see cref="RedisFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RedisTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets Skip when redis-server is missing outside CI.</summary>
    public RedisTheoryAttribute() => Skip = new RedisFactAttribute().Skip;
}

/// <summary>One server shared by the tests of a class (they run one at a time).</summary>
public sealed class RedisServerFixture : IDisposable
{
    private readonly Lazy<RedisServer> _server = new(() => RedisServer.Start());

    /// <summary>The shared server, started on first use.</summary>
    public RedisServer Server => _server.Value;

    /// <inheritdoc />
    public void Dispose()
    {
        if (_server.IsValueCreated)
        {
            _server.Value.Dispose();
        }
    }
}
