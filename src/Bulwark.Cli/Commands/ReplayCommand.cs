using System.CommandLine;
using System.Globalization;
using Bulwark.Cli.Demo;
using Bulwark.Core;
using Bulwark.Core.Behavior;
using Bulwark.Core.Identity;
using Bulwark.Core.Intel;
using Bulwark.Core.Lists;
using Bulwark.Core.Policy;
using Bulwark.Core.Replay;
using Spectre.Console;

namespace Bulwark.Cli.Commands;

/// <summary><c>bulwark replay</c>: request records through the engine on a simulated clock; decision records and a summary out.</summary>
internal static class ReplayCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--input") { Description = "Request records, one JSON object per line (CONTRACTS §2); '-' reads standard input.", Required = true };
        var config = new Option<string?>("--config") { Description = "Configuration file. Default: the embedded default policy (samples/bulwark.json)." };
        var decisions = new Option<string?>("--decisions") { Description = "Write decision records (CONTRACTS §3) to this file; '-' for standard output." };
        var format = new Option<string>("--format")
        {
            Description = "Input format: jsonl (request records), nginx (the combined access log) or nginx-json (the log_format in docs/replay.md).",
            DefaultValueFactory = _ => "jsonl",
        };
        format.AcceptOnlyFromAmong([.. RequestRecordParsers.Names]);
        var report = new Option<string?>("--report") { Description = "Write a self-contained HTML report (tables and charts) to this file." };
        var command = new Command("replay", "Run request records through the engine on a simulated clock and summarise what it decided.") { input, format, config, decisions, report };
        command.SetAction((parseResult, cancellationToken) =>
        {
            RequestRecordParsers.TryParseName(parseResult.GetValue(format), out var inputFormat);
            return RunAsync(parseResult.GetValue(input)!, inputFormat, parseResult.GetValue(config), parseResult.GetValue(decisions), parseResult.GetValue(report), cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(string input, ReplayInputFormat format, string? configFile, string? decisionsFile, string? reportFile, CancellationToken cancellationToken)
    {
        var loaded = configFile is null ? BulwarkConfigLoader.LoadJson(DemoServer.DefaultPolicyJson()) : BulwarkConfigLoader.LoadFile(configFile);
        if (loaded.Options is null)
        {
            foreach (var error in loaded.Errors)
            {
                await Console.Error.WriteLineAsync($"{loaded.Source}: {error}").ConfigureAwait(false);
            }

            return 2;
        }

        if (input != "-" && !File.Exists(input))
        {
            await Console.Error.WriteLineAsync($"bulwark replay: input file '{input}' does not exist").ConfigureAwait(false);
            return 2;
        }

        if (reportFile is not null && Path.GetDirectoryName(Path.GetFullPath(reportFile)) is { } reportDirectory && !Directory.Exists(reportDirectory))
        {
            await Console.Error.WriteLineAsync($"bulwark replay: the folder of the report '{reportFile}' does not exist").ConfigureAwait(false);
            return 2;
        }

        // The summary goes to standard error when decision records take standard output.
        // Redirected (a file, a pipe, CI): plain text, wide enough that tables do not wrap.
        var toError = decisionsFile == "-";
        var redirected = toError ? Console.IsErrorRedirected : Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(toError ? Console.Error : Console.Out),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
        if (redirected)
        {
            console.Profile.Width = 200;
        }

        // The same pipeline as the gateway: the client-identity detectors (ua_tls_mismatch from the records' tls.ja4/ja3 …)
        // and, with IpIntel:Database configured, lookups, network tiers and signals.
        ClientIdentity identity;
        try
        {
            identity = ClientIdentity.Create(loaded.Options.Fingerprints);
        }
        catch (Exception exception) when (exception is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"bulwark replay: Fingerprints: {exception.Message}").ConfigureAwait(false);
            return 2;
        }

        // In the gateway's order (AddBulwark): built-in, IP intelligence, client identity, behaviour.
        var identityDetectors = ReplayDetectors.Identity(identity, format);
        BulwarkEngine engine;
        if (loaded.Options.IpIntel.Database is { } database)
        {
            IpIntelDatabase intel;
            try
            {
                intel = IpIntelDatabase.Load(database);
            }
            catch (IpIntelDatabaseException exception)
            {
                await Console.Error.WriteLineAsync($"bulwark replay: {exception.Message}").ConfigureAwait(false);
                return 2;
            }

            var bans = new BanList();
            engine = new BulwarkEngine(
                loaded.Options,
                enrichers: IpIntelComponents.Enrichers(intel, loaded.Options.IpIntel),
                detectors: BulwarkEngine.DefaultDetectors().Concat(IpIntelComponents.Detectors(loaded.Options.IpIntel)).Concat(identityDetectors)
                    .Concat(BehaviorComponents.Detectors(loaded.Options, bans)),
                bans: bans);
        }
        else
        {
            var bans = new BanList();
            engine = new BulwarkEngine(
                loaded.Options,
                detectors: BulwarkEngine.DefaultDetectors().Concat(identityDetectors).Concat(BehaviorComponents.Detectors(loaded.Options, bans)),
                bans: bans);
        }

        var runner = new ReplayRunner(engine, loaded.Options, format);
        await using var inputStream = input == "-" ? Console.OpenStandardInput() : File.OpenRead(input);
        await using var decisionStream = decisionsFile switch
        {
            null => null,
            "-" => new BufferedStream(Console.OpenStandardOutput(), 1 << 16),
            _ => new BufferedStream(File.Create(decisionsFile), 1 << 16),
        };

        ReplaySummary summary;
        if (input != "-" && inputStream.Length > 8 << 20 && console.Profile.Capabilities.Interactive)
        {
            var total = inputStream.Length;
            summary = await console.Progress().StartAsync(async progress =>
            {
                var task = progress.AddTask("replaying", maxValue: total);
                return await runner.RunAsync(inputStream, decisionStream, new Progress<long>(bytes => task.Value = bytes), cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        else
        {
            summary = await runner.RunAsync(inputStream, decisionStream, null, cancellationToken).ConfigureAwait(false);
        }

        ReplayReport.Print(console, summary, loaded.Source);
        if (reportFile is not null)
        {
            await using var report = new StreamWriter(reportFile, append: false, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            ReplayHtmlReport.Write(report, summary, loaded.Source);
        }
        if (summary.Decided == 0)
        {
            await Console.Error.WriteLineAsync("bulwark replay: no usable record in the input").ConfigureAwait(false);
            return 2;
        }

        return 0;
    }
}

/// <summary>The summary tables of a replay, for a terminal.</summary>
internal static class ReplayReport
{
    public static void Print(IAnsiConsole console, ReplaySummary summary, string policySource)
    {
        console.MarkupLine(CultureInfo.InvariantCulture, $"[bold]Replay[/] of {summary.Lines:N0} records with {Markup.Escape(policySource)}: {summary.Decided:N0} decided, {summary.Skipped:N0} malformed lines skipped, {summary.TimeJumps:N0} time jumps back over {ReplayRunner.ToleratedSkew.TotalSeconds:0} s");
        if (summary.SavedUsd > 0)
        {
            console.MarkupLine(CultureInfo.InvariantCulture, $"Money saved by refusals: [bold]${summary.SavedUsd:N2}[/] (the refused calls' CostUsd)");
        }

        foreach (var (line, error) in summary.Errors)
        {
            console.MarkupLine(CultureInfo.InvariantCulture, $"  [yellow]line {line}[/]: {Markup.Escape(error)}");
        }

        foreach (var (line, back) in summary.Jumps)
        {
            console.MarkupLine(CultureInfo.InvariantCulture, $"  [yellow]line {line}[/]: time steps back {back:N1} s");
        }

        var actions = new Table().Title("Decisions by policy, action and reason").AddColumns("policy", "action", "reason", "requests", "share");
        foreach (var ((policy, action, reason), count) in summary.Actions.OrderByDescending(p => p.Value).Take(30))
        {
            actions.AddRow(Markup.Escape(policy), action, reason, count.ToString("N0", CultureInfo.InvariantCulture), Share(count, summary.Decided));
        }

        console.Write(actions);

        var signals = new Table().Title("Top signals").AddColumns("signal", "requests");
        foreach (var (signal, count) in summary.Signals.OrderByDescending(p => p.Value).Take(15))
        {
            signals.AddRow(Markup.Escape(signal), count.ToString("N0", CultureInfo.InvariantCulture));
        }

        console.Write(signals);

        var actors = new Table().Title(summary.ActorsTruncated ? $"Top actors (first {ReplaySummary.MaxActors:N0} tracked)" : "Top actors").AddColumns("actor (masked)", "requests", "mitigated");
        foreach (var (actor, (requests, mitigated)) in summary.Actors.OrderByDescending(p => p.Value.Requests).Take(10))
        {
            actors.AddRow(Markup.Escape(actor), requests.ToString("N0", CultureInfo.InvariantCulture), Share(mitigated, requests));
        }

        console.Write(actors);

        if (summary.Labels.Count == 0)
        {
            return;
        }

        var labels = new Table().Title("Detection by label").AddColumns("label", "requests", "mitigated", "blocked", "first mitigated", "false positives");
        foreach (var (label, stats) in summary.Labels.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            labels.AddRow(
                Markup.Escape(label),
                stats.Requests.ToString("N0", CultureInfo.InvariantCulture),
                Share(stats.Mitigated, stats.Requests),
                Share(stats.Blocked, stats.Requests),
                stats.FirstMitigated?.ToString("N0", CultureInfo.InvariantCulture) ?? "never",
                LabelStats.IsLegit(label) ? Share(stats.Mitigated, stats.Requests) : "");
        }

        console.Write(labels);
        console.MarkupLine(CultureInfo.InvariantCulture, $"Mitigated vs attack: precision {Percent(summary.Precision)}, recall {Percent(summary.Recall)}");
    }

    private static string Share(long part, long whole) => whole == 0 ? "–" : ((double)part / whole).ToString("P1", CultureInfo.InvariantCulture);

    private static string Percent(double? value) => value is { } v ? v.ToString("P1", CultureInfo.InvariantCulture) : "n/a";
}
