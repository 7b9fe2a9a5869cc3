using System.Buffers;
using System.CommandLine;
using System.Text;
using System.Text.Json;
using Bulwark.Core.Fingerprints;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>bulwark fingerprint [--input FILE|-] [HEX…]</c>: JA3 and JA4 of TLS ClientHello records given in hex, one JSON
/// object per record; a record that cannot be parsed gives <c>{"error":…}</c> on its line and the run goes on.
/// </summary>
internal static class FingerprintCommand
{
    public static Command Create()
    {
        var input = new Option<string?>("--input") { HelpName = "FILE|-", Description = "Read records from FILE, one per line ('-' for standard input). A line may also be a JSON object with a \"record_hex\" member; blank lines and lines starting with # are skipped." };
        var records = new Argument<string[]>("HEX") { Description = "ClientHello records in hex: the whole TLS record (16 03 01 …) or several records holding one hello; spaces and colons are ignored.", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("fingerprint", "Print the JA3 and JA4 fingerprints of TLS ClientHello records, one JSON object per line.") { input, records };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult.GetValue(input), parseResult.GetValue(records) ?? [], Console.Out, Console.Error, cancellationToken));
        return command;
    }

    /// <summary>Writes one line to <paramref name="output"/> per record; 0 when every record got its line, 1 on an I/O failure, 2 on bad usage.</summary>
    public static async Task<int> RunAsync(string? inputFile, IReadOnlyList<string> hexRecords, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        if (inputFile is null && hexRecords.Count == 0)
        {
            await errors.WriteLineAsync("bulwark fingerprint: give ClientHello records in hex as arguments, or --input FILE (- for standard input).").ConfigureAwait(false);
            return 2;
        }

        for (var i = 0; i < hexRecords.Count; i++)
        {
            await output.WriteLineAsync(Describe(hexRecords[i], $"argument {i + 1}")).ConfigureAwait(false);
        }

        if (inputFile is null)
        {
            return 0;
        }

        TextReader reader;
        try
        {
            reader = inputFile == "-" ? Console.In : new StreamReader(inputFile);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException)
        {
            await errors.WriteLineAsync($"bulwark fingerprint: cannot read {inputFile}: {exception.Message}").ConfigureAwait(false);
            return 2;
        }

        try
        {
            var number = 0;
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                number++;
                var trimmed = line.AsSpan().Trim();
                if (trimmed.IsEmpty || trimmed[0] == '#')
                {
                    continue;
                }

                await output.WriteLineAsync(Describe(line, $"{(inputFile == "-" ? "stdin" : inputFile)} line {number}")).ConfigureAwait(false);
            }
        }
        catch (IOException exception)
        {
            await errors.WriteLineAsync($"bulwark fingerprint: reading {inputFile} failed: {exception.Message}").ConfigureAwait(false);
            return 1;
        }
        finally
        {
            if (!ReferenceEquals(reader, Console.In))
            {
                reader.Dispose();
            }
        }

        return 0;
    }

    /// <summary>The output line for one record: its fingerprints, or <c>{"error":"WHERE: WHY"}</c>.</summary>
    public static string Describe(string record, string where)
    {
        if (!TryDecode(record, out var bytes, out var error) || !ClientHelloParser.TryParse(bytes, out var hello, out error))
        {
            return Json(writer => writer.WriteString("error", $"{where}: {error}"));
        }

        return Json(writer =>
        {
            writer.WriteString("ja3", Ja3Fingerprint.Compute(hello));
            writer.WriteString("ja3_full", Ja3Fingerprint.ComputeText(hello));
            var ja4 = Ja4Fingerprint.Compute(hello);
            writer.WriteString("ja4", ja4);
            writer.WriteString("ja4_r", Ja4Fingerprint.ComputeRaw(hello));
            writer.WriteString("ja4_o", Ja4Fingerprint.ComputeOriginal(hello));

            // The family the catalogue (built from captured handshakes) gives the fingerprint, or null.
            if (FingerprintCatalogue.BuiltIn.Lookup(ja4, Ja3Fingerprint.Compute(hello)) is { } entry)
            {
                writer.WriteString("family", entry.Family);
            }
            else
            {
                writer.WriteNull("family");
            }
        });
    }

    private static bool TryDecode(string record, out byte[] bytes, out string? error)
    {
        bytes = [];
        var text = record.Trim();
        if (text.StartsWith('{'))
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                if (document.RootElement.ValueKind != JsonValueKind.Object
                    || !document.RootElement.TryGetProperty("record_hex", out var hex)
                    || hex.ValueKind != JsonValueKind.String)
                {
                    error = "a JSON line needs a \"record_hex\" string";
                    return false;
                }

                text = hex.GetString()!;
            }
            catch (JsonException exception)
            {
                error = $"invalid JSON: {exception.Message}";
                return false;
            }
        }

        var digits = new StringBuilder(text.Length);
        var start = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? 2 : 0;
        foreach (var c in text.AsSpan(start))
        {
            if (!char.IsWhiteSpace(c) && c != ':')
            {
                digits.Append(c);
            }
        }

        if (digits.Length == 0)
        {
            error = "empty record";
            return false;
        }

        if (digits.Length % 2 != 0)
        {
            error = $"odd number of hex digits ({digits.Length})";
            return false;
        }

        try
        {
            bytes = Convert.FromHexString(digits.ToString());
        }
        catch (FormatException)
        {
            error = "not hex: expected digits 0-9 and a-f";
            return false;
        }

        error = null;
        return true;
    }

    private static string Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
