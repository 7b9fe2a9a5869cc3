using System.CommandLine;
using Bulwark.Cli.Commands;

namespace Bulwark.Cli;

/// <summary>The <c>bulwark</c> command. Exit codes: 0 success, 1 failure of the work, 2 bad usage or invalid input.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("Bulwark: API abuse protection. See README.md.")
        {
            ServeCommand.Create(),
            ConfigCommand.Create(),
            ReplayCommand.Create(),
            FingerprintCommand.Create(),
            IpdbCommand.Create(),
            SimulateCommand.Create(),
        };

        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
            {
                await Console.Error.WriteLineAsync($"bulwark: {error.Message}").ConfigureAwait(false);
            }

            await Console.Error.WriteLineAsync("Run 'bulwark --help' for usage.").ConfigureAwait(false);
            return 2;
        }

        if (Bulwark.Core.Fingerprints.Ja4Hashing.Problem(Environment.GetEnvironmentVariable(Bulwark.Core.Fingerprints.Ja4Hashing.Variable)) is { } problem)
        {
            await Console.Error.WriteLineAsync($"bulwark: warning: {problem}").ConfigureAwait(false);
        }

        return await parseResult.InvokeAsync().ConfigureAwait(false);
    }
}
