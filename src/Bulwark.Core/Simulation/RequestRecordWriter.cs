using System.Text.Encodings.Web;
using System.Text.Json;

namespace Bulwark.Core.Simulation;

/// <summary>Writes simulated requests as request records (CONTRACTS.md §2), one JSON object per line, deterministically.</summary>
public static class RequestRecordWriter
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    /// <summary>Writes <paramref name="requests"/> to <paramref name="output"/> (UTF-8, '\n' after each record).</summary>
    public static void Write(Stream output, IEnumerable<SimulatedRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(requests);
        using var buffered = new BufferedStream(output, 1 << 16);
        using var writer = new Utf8JsonWriter(buffered, WriterOptions);
        foreach (var request in requests)
        {
            Write(writer, request);
            writer.Flush();
            writer.Reset();
            buffered.WriteByte((byte)'\n');
        }

        buffered.Flush();
    }

    /// <summary>Writes one record (no newline).</summary>
    public static void Write(Utf8JsonWriter writer, SimulatedRequest request)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(request);
        writer.WriteStartObject();
        writer.WriteString("ts", request.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        writer.WriteString("ip", request.Ip);
        writer.WriteString("method", request.Method);
        writer.WriteString("path", request.Path);
        if (request.Query is not null)
        {
            writer.WriteString("query", request.Query);
        }

        writer.WriteStartObject("headers");
        foreach (var (name, value) in request.Headers)
        {
            writer.WriteString(name, value);
        }

        writer.WriteEndObject();
        if (request.Tls is { } tls)
        {
            writer.WriteStartObject("tls");
            writer.WriteString("ja4", tls.Ja4);
            if (tls.Ja3 is not null)
            {
                writer.WriteString("ja3", tls.Ja3);
            }

            writer.WriteEndObject();
        }

        WriteOptional(writer, "api_key", request.ApiKey);
        WriteOptional(writer, "account", request.Account);
        WriteOptional(writer, "session", request.Session);
        if (request.Body is { } body)
        {
            writer.WriteStartObject("body");
            foreach (var (name, value) in body)
            {
                switch (value)
                {
                    case int number:
                        writer.WriteNumber(name, number);
                        break;
                    case long number:
                        writer.WriteNumber(name, number);
                        break;
                    default:
                        writer.WriteString(name, value.ToString());
                        break;
                }
            }

            writer.WriteEndObject();
        }

        writer.WriteNumber("status", request.Status);
        writer.WriteNumber("latency_ms", request.LatencyMs);
        writer.WriteString("label", request.Label);
        writer.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
