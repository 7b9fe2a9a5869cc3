using System.CommandLine;
using System.Net;
using System.Text.Json;
using Bulwark.Core.Intel;
using Bulwark.Core.Intel.Database;
using Microsoft.Extensions.Configuration;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>bulwark ipdb build|lookup|update</c>: compiles IP intelligence sources into one database file and answers lookups
/// from it. Source syntax (docs/ipintel.md): <c>--source KIND:PATH</c>, or a bare path whose kind the name makes clear.
/// </summary>
internal static class IpdbCommand
{
    /// <summary>Where <c>lookup</c> and <c>update</c> look when neither <c>--db</c> nor the configuration says.</summary>
    public const string DefaultDatabase = "./data/ipintel.db";

    private const int ExamplesShown = 5;

    public static Command Create()
    {
        var outFile = new Option<string>("--out") { Description = "The database file to write.", Required = true };
        var sources = new Option<string[]>("--source") { Description = "A source as KIND:PATH (KIND: csv, hosting, vpn, tor, proxy, residential, mobile, allow, deny, asn-hosting, asn-vpn, mmdb). Repeatable; order matters (later refines earlier).", AllowMultipleArgumentsPerToken = false };
        var paths = new Argument<string[]>("SOURCES") { Description = "Source files whose kind the name makes clear (*.csv, *asn*, *tor*, *vpn*, *datacenter*/*hosting*, *proxy*).", Arity = ArgumentArity.ZeroOrMore };
        var build = new Command("build", "Compile sources into a database file and print a build report.") { outFile, sources, paths };
        build.SetAction(parseResult => Build(parseResult.GetValue(outFile)!, parseResult.GetValue(sources) ?? [], parseResult.GetValue(paths) ?? [], TimeProvider.System, Console.Out, Console.Error));

        var db = new Option<string?>("--db") { Description = $"The database file (default: Bulwark:IpIntel:Database from --config or the environment, else {DefaultDatabase})." };
        var config = new Option<string?>("--config") { Description = "Configuration file to take Bulwark:IpIntel:Database from." };
        var addresses = new Argument<string[]>("IP") { Description = "Addresses to look up (IPv4 or IPv6).", Arity = ArgumentArity.OneOrMore };
        var lookup = new Command("lookup", "Print what the database knows about each address, one JSON object per line.") { db, config, addresses };
        lookup.SetAction(parseResult => Lookup(ResolveDatabase(parseResult.GetValue(db), parseResult.GetValue(config)), parseResult.GetValue(addresses) ?? [], Console.Out, Console.Error));

        var updateOut = new Option<string?>("--out") { Description = "The database file to replace (default as for lookup)." };
        var updateConfig = new Option<string?>("--config") { Description = "Configuration file to take Bulwark:IpIntel:Database from." };
        var urls = new Option<string[]>("--source-url") { Description = "A source to download as KIND:URL (KIND as for build --source). Repeatable. Default: Bulwark:IpIntel:Sources from --config." };
        var update = new Command("update", "Download the sources over HTTP(S), rebuild, and swap the new database into place atomically.") { updateOut, updateConfig, urls };
        update.SetAction((parseResult, cancellationToken) => UpdateAsync(
            ResolveDatabase(parseResult.GetValue(updateOut), parseResult.GetValue(updateConfig)),
            parseResult.GetValue(urls) is { Length: > 0 } given ? given : ConfiguredSources(parseResult.GetValue(updateConfig)),
            TimeProvider.System, Console.Out, Console.Error, cancellationToken));

        return new Command("ipdb", "Build and query the IP intelligence database.") { build, lookup, update };
    }

    /// <summary>A source as the command line gave it; <paramref name="Name"/> overrides the file name in the database.</summary>
    internal sealed record SourceSpec(string Kind, string Path, string? Name = null);

    /// <summary><c>ipdb build</c>: 0 built, 2 bad usage or a source that cannot be read, 1 the output cannot be written.</summary>
    internal static int Build(string outFile, IReadOnlyList<string> sourceOptions, IReadOnlyList<string> positional, TimeProvider time, TextWriter stdout, TextWriter stderr)
    {
        var specs = new List<SourceSpec>();
        foreach (string option in sourceOptions)
        {
            if (!TryParseSpec(option, out SourceSpec? spec, out string? error))
            {
                stderr.WriteLine($"bulwark ipdb build: --source {option}: {error}");
                return 2;
            }

            specs.Add(spec);
        }

        foreach (string path in positional)
        {
            if (!File.Exists(path))
            {
                stderr.WriteLine($"bulwark ipdb build: {path}: cannot read the source: the file does not exist.");
                return 2;
            }

            if (!TryInferKind(path, out string? kind, out string? error))
            {
                stderr.WriteLine($"bulwark ipdb build: {path}: {error}");
                return 2;
            }

            specs.Add(new SourceSpec(kind, path));
        }

        if (specs.Count == 0)
        {
            stderr.WriteLine("bulwark ipdb build: no sources; give files or --source KIND:PATH (see docs/ipintel.md).");
            return 2;
        }

        return Build(outFile, specs, time, stdout, stderr);
    }

    /// <summary>Builds from parsed sources; exit codes as for <c>ipdb build</c>.</summary>
    internal static int Build(string outFile, IReadOnlyList<SourceSpec> specs, TimeProvider time, TextWriter stdout, TextWriter stderr)
    {
        var builder = new IpIntelDatabaseBuilder();
        foreach (SourceSpec spec in specs)
        {
            if (!TryAdd(builder, spec, out string? error))
            {
                stderr.WriteLine($"bulwark ipdb build: {spec.Path}: {error}");
                return 2;
            }
        }

        IpIntelBuildReport report;
        try
        {
            report = builder.BuildToFile(outFile, time.GetUtcNow());
        }
        catch (IpIntelDatabaseException e) when (e.FilePath == outFile)
        {
            stderr.WriteLine($"bulwark ipdb build: {e.Message}");
            return 1;
        }
        catch (IpIntelDatabaseException e)
        {
            stderr.WriteLine($"bulwark ipdb build: {e.Message}");
            return 2;
        }

        PrintReport(outFile, report, stdout);
        return 0;
    }

    /// <summary><c>ipdb lookup</c>: one JSON object per address; 2 when the database cannot be loaded or an address is invalid.</summary>
    internal static int Lookup(string databasePath, IReadOnlyList<string> addresses, TextWriter stdout, TextWriter stderr)
    {
        IpIntelDatabase database;
        try
        {
            database = IpIntelDatabase.Load(databasePath);
        }
        catch (IpIntelDatabaseException e)
        {
            string hint = File.Exists(databasePath) ? "" : " Build one with 'bulwark ipdb build --out FILE SOURCES…', or pass --db FILE.";
            stderr.WriteLine($"bulwark ipdb lookup: {e.Message}{hint}");
            return 2;
        }

        int exit = 0;
        foreach (string text in addresses)
        {
            if (!IPAddress.TryParse(text, out IPAddress? address))
            {
                stderr.WriteLine($"bulwark ipdb lookup: '{text}' is not an IPv4 or IPv6 address.");
                stdout.WriteLine(JsonSerializer.Serialize(new Dictionary<string, string> { ["ip"] = text, ["error"] = "not an IPv4 or IPv6 address" }));
                exit = 2;
                continue;
            }

            stdout.WriteLine(FormatJson(text, database.Lookup(address), database.Sources));
        }

        return exit;
    }

    /// <summary>One lookup as a JSON object: asn, organisation, country, latitude, longitude, accuracy_km, kinds, sources.</summary>
    internal static string FormatJson(string ip, IpInfo info, IReadOnlyList<string> sourceNames)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("ip", ip);
            WriteOrNull(json, "asn", info.Asn == 0 ? null : info.Asn);
            json.WriteString("organisation", info.Organisation);
            json.WriteString("country", info.Country);
            WriteOrNull(json, "latitude", info.HasLocation ? info.Latitude : null);
            WriteOrNull(json, "longitude", info.HasLocation ? info.Longitude : null);
            WriteOrNull(json, "accuracy_km", info.AccuracyRadiusKm == 0 ? null : info.AccuracyRadiusKm);
            json.WriteStartArray("kinds");
            foreach (NetworkKind kind in Enum.GetValues<NetworkKind>())
            {
                if (kind != NetworkKind.None && info.Kinds.HasFlag(kind))
                {
                    json.WriteStringValue(KindName(kind));
                }
            }

            json.WriteEndArray();
            json.WriteStartArray("sources");
            for (int i = 0; i < sourceNames.Count; i++)
            {
                if ((info.SourceMask & (1UL << i)) != 0)
                {
                    json.WriteStringValue(sourceNames[i]);
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>
    /// <c>ipdb update</c>: downloads every source to a temporary folder, builds, and renames the result over the database.
    /// 1 when a download fails (the old database stays), 2 on bad usage or an unusable source.
    /// </summary>
    internal static async Task<int> UpdateAsync(string databasePath, IReadOnlyList<string> sourceUrls, TimeProvider time, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var specs = new List<SourceSpec>();
        if (sourceUrls.Count == 0)
        {
            stderr.WriteLine("bulwark ipdb update: no sources: pass --source-url KIND:URL, or list them under Bulwark:IpIntel:Sources in the --config file.");
            return 2;
        }

        foreach (string option in sourceUrls)
        {
            if (!TryParseSpec(option, out SourceSpec? spec, out string? error))
            {
                stderr.WriteLine($"bulwark ipdb update: --source-url {option}: {error}");
                return 2;
            }

            if (!Uri.TryCreate(spec.Path, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                stderr.WriteLine($"bulwark ipdb update: --source-url {option}: '{spec.Path}' is not an http(s) URL.");
                return 2;
            }

            specs.Add(spec);
        }

        string folder = Path.Combine(Path.GetTempPath(), "bulwark-ipdb-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
            var local = new List<SourceSpec>();
            for (int i = 0; i < specs.Count; i++)
            {
                var uri = new Uri(specs[i].Path);
                string name = Path.GetFileName(uri.AbsolutePath);
                string file = Path.Combine(folder, $"{i:D2}-{(name.Length == 0 ? "source" : name)}");
                try
                {
                    using HttpResponseMessage response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                    response.EnsureSuccessStatusCode();
                    await using var output = File.Create(file);
                    await response.Content.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
                {
                    stderr.WriteLine($"bulwark ipdb update: {uri}: download failed: {e.Message}. The database {databasePath} is unchanged.");
                    return 1;
                }

                stdout.WriteLine($"downloaded {uri} ({new FileInfo(file).Length} bytes)");
                local.Add(new SourceSpec(specs[i].Kind, file, name.Length == 0 ? uri.Host : name));
            }

            return Build(databasePath, local, time, stdout, stderr);
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>--db, else Bulwark:IpIntel:Database from the configuration file and the environment, else the default.</summary>
    /// <summary>The <c>KIND:URL</c> sources under <c>Bulwark:IpIntel:Sources</c> (array items), or none.</summary>
    internal static string[] ConfiguredSources(string? configFile)
    {
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            builder.AddJsonFile(Path.GetFullPath(configFile), optional: true);
        }

        builder.AddEnvironmentVariables();
        IConfigurationRoot root = builder.Build();
        try
        {
            return root.GetSection("Bulwark:IpIntel:Sources").GetChildren()
                .OrderBy(c => int.TryParse(c.Key, out var i) ? i : int.MaxValue)
                .Select(c => c.Value)
                .OfType<string>()
                .ToArray();
        }
        finally
        {
            (root as IDisposable)?.Dispose();
        }
    }

    internal static string ResolveDatabase(string? db, string? configFile)
    {
        if (!string.IsNullOrEmpty(db))
        {
            return db;
        }

        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            builder.AddJsonFile(Path.GetFullPath(configFile), optional: true);
        }

        builder.AddEnvironmentVariables();
        IConfigurationRoot root = builder.Build();
        try
        {
            return root["Bulwark:IpIntel:Database"] is { Length: > 0 } configured ? configured : DefaultDatabase;
        }
        finally
        {
            (root as IDisposable)?.Dispose();
        }
    }

    internal static bool TryParseSpec(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SourceSpec? spec, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        spec = null;
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == text.Length - 1)
        {
            error = "write KIND:PATH, e.g. vpn:lists/vpn-ipv4.txt or csv:asn-ipv4.csv.";
            return false;
        }

        string kind = text[..colon].ToLowerInvariant();
        if (!IsKnownKind(kind))
        {
            error = $"unknown kind '{kind}'; use one of csv, hosting, datacenter, vpn, tor, proxy, residential, mobile, allow, deny, asn-hosting, asn-vpn, asn-proxy, mmdb.";
            return false;
        }

        spec = new SourceSpec(kind, text[(colon + 1)..]);
        error = null;
        return true;
    }

    /// <summary>Infers a source's kind from its name (and, for ASN lists, its first line); refuses when unclear.</summary>
    internal static bool TryInferKind(string path, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? kind, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        string name = Path.GetFileName(path).ToLowerInvariant();
        kind = null;
        error = null;
        if (name.EndsWith(".csv", StringComparison.Ordinal))
        {
            kind = "csv";
            return true;
        }

        if (name.EndsWith(".mmdb", StringComparison.Ordinal))
        {
            kind = "mmdb";
            return true;
        }

        string? listKind = name.Contains("tor", StringComparison.Ordinal) ? "tor"
            : name.Contains("vpn", StringComparison.Ordinal) ? "vpn"
            : name.Contains("datacenter", StringComparison.Ordinal) || name.Contains("hosting", StringComparison.Ordinal) ? "hosting"
            : name.Contains("proxy", StringComparison.Ordinal) ? "proxy"
            : null;
        if (name.Contains("asn", StringComparison.Ordinal) && LooksLikeAsnList(path))
        {
            if (listKind is "hosting" or "vpn" or "proxy")
            {
                kind = "asn-" + listKind;
                return true;
            }

            error = "an ASN list, but the name does not say whether hosting, vpn or proxy; give --source asn-hosting:PATH (or asn-vpn:).";
            return false;
        }

        if (listKind is null)
        {
            error = "cannot tell the kind of this source from its name; give it as --source KIND:PATH (see 'bulwark ipdb build --help').";
            return false;
        }

        kind = listKind;
        return true;
    }

    private static bool LooksLikeAsnList(string path)
    {
        try
        {
            foreach (string line in File.ReadLines(path))
            {
                string text = line.Trim();
                if (text.Length == 0 || text[0] == '#')
                {
                    continue;
                }

                return text.Length > 2 && text.StartsWith("AS", StringComparison.OrdinalIgnoreCase) && char.IsAsciiDigit(text[2]);
            }
        }
        catch (IOException)
        {
        }

        return false;
    }

    private static bool IsKnownKind(string kind) => kind is "csv" or "mmdb" || ListKind(kind) is not null
        || (kind.StartsWith("asn-", StringComparison.Ordinal) && ListKind(kind[4..]) is not null);

    private static NetworkKind? ListKind(string kind) => kind switch
    {
        "hosting" or "datacenter" => NetworkKind.Hosting,
        "vpn" => NetworkKind.Vpn,
        "tor" => NetworkKind.Tor,
        "proxy" => NetworkKind.Proxy,
        "residential" => NetworkKind.Residential,
        "mobile" => NetworkKind.Mobile,
        "allow" => NetworkKind.OperatorAllow,
        "deny" => NetworkKind.OperatorDeny,
        _ => null,
    };

    private static bool TryAdd(IpIntelDatabaseBuilder builder, SourceSpec spec, out string? error)
    {
        error = null;
        if (spec.Kind == "csv")
        {
            builder.AddRangeCsv(spec.Path, spec.Name);
        }
        else if (spec.Kind == "mmdb")
        {
            builder.AddMaxMindDb(spec.Path, spec.Name);
        }
        else if (spec.Kind.StartsWith("asn-", StringComparison.Ordinal))
        {
            builder.AddAsnList(spec.Path, ListKind(spec.Kind[4..])!.Value, spec.Name);
        }
        else
        {
            builder.AddCidrList(spec.Path, ListKind(spec.Kind)!.Value, spec.Name);
        }

        return true;
    }

    private static void PrintReport(string outFile, IpIntelBuildReport report, TextWriter stdout)
    {
        stdout.WriteLine($"bulwark ipdb build: wrote {outFile}");
        stdout.WriteLine("sources:");
        for (int i = 0; i < report.Sources.Count; i++)
        {
            IpIntelSourceSummary s = report.Sources[i];
            stdout.WriteLine($"  [{i}] {s.Name}: {s.Description} ({s.Entries} entries)");
        }

        stdout.WriteLine($"input ranges: IPv4 {report.InputRangesV4}, IPv6 {report.InputRangesV6}");
        stdout.WriteLine($"database: IPv4 {report.RangesV4} flat ranges, IPv6 {report.RangesV6}, {report.Records} records, {report.OutputBytes} bytes ({report.BytesPerRange:F1} bytes/range)");
        stdout.WriteLine($"malformed: {report.Malformed}, duplicates: {report.Duplicates}, conflicts: {report.Conflicts}");
        foreach (IpIntelBuildIssueKind kind in Enum.GetValues<IpIntelBuildIssueKind>())
        {
            foreach (IpIntelBuildIssue issue in report.Examples.Where(e => e.Kind == kind).Take(ExamplesShown))
            {
                stdout.WriteLine($"  {issue}");
            }
        }
    }

    internal static string KindName(NetworkKind kind) => kind switch
    {
        NetworkKind.OperatorAllow => "allow",
        NetworkKind.OperatorDeny => "deny",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static void WriteOrNull(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
