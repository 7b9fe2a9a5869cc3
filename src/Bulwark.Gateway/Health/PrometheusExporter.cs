using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Bulwark.Core;
using Microsoft.AspNetCore.Http;

namespace Bulwark.Gateway.Health;

/// <summary>
/// <c>GET /.bulwark/metrics</c>: every instrument of the <c>Bulwark</c> meter in the Prometheus text exposition format
/// (0.0.4), collected with a <see cref="MeterListener"/>. prometheus-net and the OpenTelemetry exporter are not available
/// to this build, so the exposition is written here: counters as <c>…_total</c>, histograms with fixed second buckets,
/// observable gauges read at scrape time. Names: dots become underscores, unit <c>s</c> adds <c>_seconds</c>.
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] Buckets = [0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, Series> _series = new();

    public PrometheusExporter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == BulwarkMetrics.MeterName)
            {
                _series.TryAdd(instrument, new Series(Kind(instrument)));
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) => _series.TryRemove(instrument, out Series? _);
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Writes the exposition.</summary>
    public Task WriteAsync(HttpContext context)
    {
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(Render(), context.RequestAborted);
    }

    /// <summary>The exposition text.</summary>
    public string Render()
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder(4096);
        foreach (var (instrument, series) in _series.OrderBy(s => s.Key.Name, StringComparer.Ordinal))
        {
            var kind = series.Kind;
            var cells = series.ByLabels;
            var name = MetricName(instrument, kind);
            text.Append("# HELP ").Append(name).Append(' ').Append((instrument.Description ?? instrument.Name).Replace("\n", " ", StringComparison.Ordinal)).Append('\n');
            text.Append("# TYPE ").Append(name).Append(' ').Append(kind).Append('\n');
            foreach (var (labels, cell) in cells.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                lock (cell)
                {
                    if (kind == "histogram")
                    {
                        long cumulative = 0;
                        for (var i = 0; i < Buckets.Length; i++)
                        {
                            cumulative += cell.Buckets![i];
                            Sample(text, name + "_bucket", Join(labels, $"le=\"{Buckets[i].ToString("R", CultureInfo.InvariantCulture)}\""), cumulative);
                        }

                        Sample(text, name + "_bucket", Join(labels, "le=\"+Inf\""), cell.Count);
                        Sample(text, name + "_sum", labels, cell.Value);
                        Sample(text, name + "_count", labels, cell.Count);
                    }
                    else
                    {
                        Sample(text, name, labels, cell.Value);
                    }
                }
            }
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (!_series.TryGetValue(instrument, out var series))
        {
            return;
        }

        var kind = series.Kind;
        var cell = series.CellFor(tags);
        lock (cell)
        {
            switch (kind)
            {
                case "histogram":
                    cell.Value += value;
                    cell.Count++;
                    var bucket = Array.BinarySearch(Buckets, value);
                    bucket = bucket < 0 ? ~bucket : bucket;
                    if (bucket < Buckets.Length)
                    {
                        cell.Buckets![bucket]++;
                    }

                    break;
                case "gauge" when instrument.IsObservable:
                    cell.Value = value;
                    break;
                default:
                    cell.Value = instrument.IsObservable ? value : cell.Value + value; // an observable counter reports its total
                    break;
            }
        }
    }

    private static string Kind(Instrument instrument) => instrument switch
    {
        Histogram<double> or Histogram<long> or Histogram<int> => "histogram",
        Counter<long> or Counter<double> or Counter<int> or ObservableCounter<long> or ObservableCounter<double> or ObservableCounter<int> => "counter",
        _ => "gauge",
    };

    private static string MetricName(Instrument instrument, string kind)
    {
        var name = Sanitize(instrument.Name);
        if (instrument.Unit == "s" && !name.EndsWith("_seconds", StringComparison.Ordinal))
        {
            name += "_seconds";
        }
        else if (instrument.Unit == "By" && !name.EndsWith("_bytes", StringComparison.Ordinal))
        {
            name += "_bytes";
        }

        return kind == "counter" && !name.EndsWith("_total", StringComparison.Ordinal) ? name + "_total" : name;
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return "";
        }

        var pairs = new List<(string Key, string Value)>(tags.Length);
        foreach (var (key, value) in tags)
        {
            var text = value switch
            {
                null => "",
                bool b => b ? "true" : "false",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString() ?? "",
            };
            pairs.Add((Sanitize(key), text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)));
        }

        pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return string.Join(",", pairs.Select(p => $"{p.Key}=\"{p.Value}\""));
    }

    private static string Join(string labels, string extra) => labels.Length == 0 ? extra : labels + "," + extra;

    private static void Sample(StringBuilder text, string name, string labels, double value)
    {
        text.Append(name);
        if (labels.Length > 0)
        {
            text.Append('{').Append(labels).Append('}');
        }

        text.Append(' ').Append(double.IsPositiveInfinity(value) ? "+Inf" : value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
    }

    private static string Sanitize(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or ':' ? c : '_');
        }

        return builder.ToString();
    }

    // The cells of one instrument. The label text is formatted once per distinct tag set: measurements look their cell up
    // by the tags themselves (names and values compared by value, up to four tags), not by formatting the labels again.
    private sealed class Series(string kind)
    {
        public string Kind { get; } = kind;

        public ConcurrentDictionary<string, Cell> ByLabels { get; } = new(StringComparer.Ordinal);

        private ConcurrentDictionary<TagKey, Cell> ByTags { get; } = new();

        public Cell CellFor(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length > 4)
            {
                return ByLabels.GetOrAdd(Labels(tags), static (_, histogram) => new Cell(histogram), Kind == "histogram");
            }

            var key = TagKey.From(tags);
            if (!ByTags.TryGetValue(key, out var cell))
            {
                cell = ByLabels.GetOrAdd(Labels(tags), static (_, histogram) => new Cell(histogram), Kind == "histogram");
                ByTags.TryAdd(key, cell);
            }

            return cell;
        }
    }

    private readonly record struct TagKey(int Count, string? K0, object? V0, string? K1, object? V1, string? K2, object? V2, string? K3, object? V3)
    {
        public static TagKey From(ReadOnlySpan<KeyValuePair<string, object?>> tags) => new(
            tags.Length,
            tags.Length > 0 ? tags[0].Key : null, tags.Length > 0 ? tags[0].Value : null,
            tags.Length > 1 ? tags[1].Key : null, tags.Length > 1 ? tags[1].Value : null,
            tags.Length > 2 ? tags[2].Key : null, tags.Length > 2 ? tags[2].Value : null,
            tags.Length > 3 ? tags[3].Key : null, tags.Length > 3 ? tags[3].Value : null);
    }

    private sealed class Cell(bool histogram)
    {
        public double Value;
        public long Count;
        public readonly long[]? Buckets = histogram ? new long[PrometheusExporter.Buckets.Length] : null;
    }
}
