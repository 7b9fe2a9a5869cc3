using System.Diagnostics;

namespace Bulwark.IntegrationTests;

/// <summary>Runs the built <c>bulwark</c> command as a process, as a user runs it.</summary>
internal static class BulwarkCli
{
    private static readonly string CliDll = Path.Combine(AppContext.BaseDirectory, "bulwark.dll");

    /// <summary>Starts <c>bulwark ARGS</c> with standard input, output and error redirected; the caller waits for it.</summary>
    public static Process Start(params string[] args) => Start(new Dictionary<string, string?>(), args);

    /// <summary>As <see cref="Start(string[])"/>, with these environment variables set (null removes one).</summary>
    public static Process Start(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        info.ArgumentList.Add(CliDll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info)!;
    }

    /// <summary>Runs <c>bulwark ARGS</c> to completion with no input.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    /// <summary>Runs <c>bulwark ARGS</c> to completion, writing <paramref name="stdin"/> to its standard input first.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunWithInputAsync(string? stdin, params string[] args) =>
        RunAsync(new Dictionary<string, string?>(), stdin, args);

    /// <summary>Runs <c>bulwark ARGS</c> to completion with these environment variables, writing <paramref name="stdin"/> first.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IReadOnlyDictionary<string, string?> environment, string? stdin, params string[] args)
    {
        using var process = Start(environment, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
