using System.CommandLine;
using Bulwark.Core.Simulation;

namespace Bulwark.Cli.Commands;

/// <summary><c>bulwark simulate</c>: deterministic labelled synthetic traffic as request records (CONTRACTS §1–2).</summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var names = string.Join(", ", ScenarioCatalogue.Scenarios.Select(s => s.Name));
        var scenario = new Option<string>("--scenario") { Description = $"A scenario, 'all' (every scenario on one timeline), or 'list'. Scenarios: {names}.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed; the same seed gives byte-identical output.", DefaultValueFactory = _ => 1 };
        var output = new Option<string?>("--out") { Description = "Write the JSON Lines here instead of standard output." };
        var proxies = new Option<int>("--proxy-addresses") { Description = "Addresses (one request each) of residential-proxy-scrape.", DefaultValueFactory = _ => new SimulationOptions().ProxyAddresses };
        var flood = new Option<int>("--flood-addresses") { Description = "Addresses (two requests each) of l7-flood.", DefaultValueFactory = _ => new SimulationOptions().FloodAddresses };
        var command = new Command("simulate", "Write labelled synthetic traffic (request records) built on real User-Agents, address ranges and TLS fingerprints. See docs/simulate.md.")
        {
            scenario, seed, output, proxies, flood,
        };
        command.SetAction(parseResult => Run(
            parseResult.GetValue(scenario)!,
            new SimulationOptions { Seed = parseResult.GetValue(seed), ProxyAddresses = parseResult.GetValue(proxies), FloodAddresses = parseResult.GetValue(flood) },
            parseResult.GetValue(output)));
        return command;
    }

    private static int Run(string name, SimulationOptions options, string? outputFile)
    {
        if (name == "list")
        {
            foreach (var s in ScenarioCatalogue.Scenarios)
            {
                Console.Out.WriteLine($"{s.Name,-26} {s.Label,-28} {s.Description}");
            }

            return 0;
        }

        if (ScenarioCatalogue.Select(name) is not { } scenarios)
        {
            Console.Error.WriteLine($"bulwark simulate: unknown scenario '{name}'. Known: {string.Join(", ", ScenarioCatalogue.Scenarios.Select(s => s.Name))}, all, list");
            return 2;
        }

        if (options.ProxyAddresses < 1 || options.FloodAddresses < 1)
        {
            Console.Error.WriteLine("bulwark simulate: --proxy-addresses and --flood-addresses must be at least 1");
            return 2;
        }

        SimulationData data;
        try
        {
            data = SimulationData.Load(SimulationDataPaths.Default());
        }
        catch (SimulationDataMissingException exception)
        {
            Console.Error.WriteLine("bulwark simulate: " + exception.Message);
            return 2;
        }

        var requests = new Simulator(data, options).Generate(scenarios);
        Stream stream;
        try
        {
            stream = outputFile is null ? Console.OpenStandardOutput() : File.Create(outputFile);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"bulwark simulate: cannot write '{outputFile}': {exception.Message}");
            return 2;
        }

        using (stream)
        {
            RequestRecordWriter.Write(stream, requests);
        }

        return 0;
    }
}
