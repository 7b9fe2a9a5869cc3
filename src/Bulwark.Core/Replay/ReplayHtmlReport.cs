using System.Globalization;
using System.Net;
using System.Text;

namespace Bulwark.Core.Replay;

/// <summary>
/// Writes a replay's summary as one self-contained HTML page: the summary tables and inline SVG charts (decisions over
/// time by action, per-label mitigation curves, top reasons). No script, font, style sheet or image is fetched; every
/// text that came from the input (labels, policies, reasons, actors, error messages) is HTML-escaped.
/// </summary>
public static class ReplayHtmlReport
{
    private const int Width = 860;
    private const int Height = 260;
    private const int Left = 56;
    private const int Right = 16;
    private const int Top = 14;
    private const int Bottom = 34;
    private const int MaxColumns = 360;

    private static readonly string[] ActionNames = ["allow", "delay", "challenge", "block"];
    private static readonly string[] ActionColours = ["#4c9a2a", "#d9a400", "#e07b00", "#c62828"];
    private static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

    /// <summary>Writes the page for <paramref name="summary"/>; <paramref name="policySource"/> names the configuration used.</summary>
    public static void Write(TextWriter writer, ReplaySummary summary, string policySource)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(policySource);
        var html = new StringBuilder(64 * 1024);
        html.Append("""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Bulwark replay report</title>
            <style>
            body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 900px; color: #1d2329; padding: 0 16px; }
            h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #d8dde3; padding-bottom: 4px; }
            .meta { color: #56606b; margin: 0 0 12px; }
            table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; }
            th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid #e6e9ed; }
            th { background: #f3f5f7; font-weight: 600; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
            svg { display: block; width: 100%; height: auto; background: #fbfcfd; border: 1px solid #e6e9ed; }
            svg text { font: 11px system-ui, sans-serif; fill: #3b444d; }
            .legend { margin: 6px 0 0; } .legend span { display: inline-block; margin-right: 14px; }
            .legend i { display: inline-block; width: 12px; height: 12px; margin-right: 5px; vertical-align: -1px; border-radius: 2px; }
            .warn { color: #9a5b00; } .note { color: #56606b; font-size: 13px; }
            </style>
            </head>
            <body>
            <h1>Bulwark replay report</h1>

            """);
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">Policy: {E(policySource)} · {summary.Lines:N0} records read · {summary.Decided:N0} decided · {summary.Skipped:N0} malformed lines skipped · {summary.TimeJumps:N0} time jumps back over {ReplayRunner.ToleratedSkew.TotalSeconds:0} s");
        if (summary.TimeSpan is { } span)
        {
            html.Append(CultureInfo.InvariantCulture, $" · {Time(span.First)} to {Time(span.Last)}");
        }

        html.Append("</p>\n");
        if (summary.Errors.Count > 0 || summary.Jumps.Count > 0)
        {
            html.Append("<ul class=\"warn\">\n");
            foreach (var (line, error) in summary.Errors)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li>line {line}: {E(error)}</li>\n");
            }

            foreach (var (line, back) in summary.Jumps)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li>line {line}: time steps back {back:N1} s</li>\n");
            }

            html.Append("</ul>\n");
        }

        if (summary.Labels.Count > 0)
        {
            html.Append("<h2>Detection by label</h2>\n<table id=\"labels\">\n<thead><tr><th>label</th><th class=\"n\">requests</th><th class=\"n\">mitigated</th><th class=\"n\">blocked</th><th class=\"n\">first mitigated</th><th class=\"n\">false positives</th></tr></thead>\n<tbody>\n");
            foreach (var (label, stats) in summary.Labels.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr data-label=\"{E(label)}\"><td>{E(label)}</td><td class=\"n\">{stats.Requests:N0}</td><td class=\"n\">{Share(stats.Mitigated, stats.Requests)}</td><td class=\"n\">{Share(stats.Blocked, stats.Requests)}</td><td class=\"n\">{(stats.FirstMitigated is { } first ? first.ToString("N0", CultureInfo.InvariantCulture) : "never")}</td><td class=\"n\">{(LabelStats.IsLegit(label) ? Share(stats.Mitigated, stats.Requests) : "")}</td></tr>\n");
            }

            html.Append(CultureInfo.InvariantCulture, $"</tbody>\n</table>\n<p>Mitigated against attack: precision <b>{Percent(summary.Precision)}</b>, recall <b>{Percent(summary.Recall)}</b>.</p>\n");
        }

        html.Append("<h2>Decisions over time</h2>\n");
        TimelineChart(html, summary);
        if (summary.Labels.Count > 0)
        {
            html.Append("<h2>Mitigation by label</h2>\n<p class=\"note\">Share of a label's requests mitigated (delayed, challenged or blocked) so far, against the request's index within its label (logarithmic).</p>\n");
            CurveChart(html, summary);
        }

        html.Append("<h2>Top reasons</h2>\n");
        ReasonChart(html, summary);

        html.Append("<h2>Decisions by policy, action and reason</h2>\n<table id=\"actions\">\n<thead><tr><th>policy</th><th>action</th><th>reason</th><th class=\"n\">requests</th><th class=\"n\">share</th></tr></thead>\n<tbody>\n");
        foreach (var ((policy, action, reason), count) in summary.Actions.OrderByDescending(p => p.Value).ThenBy(p => p.Key.ToString(), StringComparer.Ordinal).Take(30))
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(policy)}</td><td>{E(action)}</td><td>{E(reason)}</td><td class=\"n\">{count:N0}</td><td class=\"n\">{Share(count, summary.Decided)}</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n<h2>Top signals</h2>\n<table id=\"signals\">\n<thead><tr><th>signal</th><th class=\"n\">requests</th></tr></thead>\n<tbody>\n");
        foreach (var (signal, count) in summary.Signals.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(15))
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(signal)}</td><td class=\"n\">{count:N0}</td></tr>\n");
        }

        html.Append(CultureInfo.InvariantCulture, $"</tbody>\n</table>\n<h2>Top actors{(summary.ActorsTruncated ? $" (first {ReplaySummary.MaxActors:N0} tracked)" : "")}</h2>\n<table id=\"actors\">\n<thead><tr><th>actor (masked)</th><th class=\"n\">requests</th><th class=\"n\">mitigated</th></tr></thead>\n<tbody>\n");
        foreach (var (actor, (requests, mitigated)) in summary.Actors.OrderByDescending(p => p.Value.Requests).ThenBy(p => p.Key, StringComparer.Ordinal).Take(10))
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(actor)}</td><td class=\"n\">{requests:N0}</td><td class=\"n\">{Share(mitigated, requests)}</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n</body>\n</html>\n");
        writer.Write(html);
    }

    /// <summary>One line per action over the timeline's buckets, merged into at most <see cref="MaxColumns"/> columns.</summary>
    private static void TimelineChart(StringBuilder html, ReplaySummary summary)
    {
        if (summary.Timeline.Count == 0)
        {
            html.Append("<p class=\"note\">No decisions.</p>\n");
            return;
        }

        var buckets = summary.Timeline.ToArray();
        var perColumn = (buckets.Length + MaxColumns - 1) / MaxColumns;
        var columns = new List<(DateTimeOffset Start, long[] Counts)>();
        for (var i = 0; i < buckets.Length; i += perColumn)
        {
            var counts = new long[4];
            for (var j = i; j < Math.Min(i + perColumn, buckets.Length); j++)
            {
                for (var a = 0; a < 4; a++)
                {
                    counts[a] += buckets[j].Value[a];
                }
            }

            columns.Add((buckets[i].Key, counts));
        }

        var max = Math.Max(1, columns.Max(c => c.Counts.Max()));
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        double X(int i) => Left + (columns.Count == 1 ? plotWidth / 2.0 : (double)i * plotWidth / (columns.Count - 1));
        double Y(long v) => Top + plotHeight - ((double)v * plotHeight / max);

        html.Append(CultureInfo.InvariantCulture, $"<svg id=\"timeline\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"Decisions over time by action\">\n");
        Axes(html, plotWidth, plotHeight, max.ToString("N0", CultureInfo.InvariantCulture), "0");
        html.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{Height - 8}\">{Time(columns[0].Start)}</text>\n");
        html.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Right}\" y=\"{Height - 8}\" text-anchor=\"end\">{Time(columns[^1].Start)}</text>\n");
        html.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + (plotWidth / 2)}\" y=\"{Height - 8}\" text-anchor=\"middle\">decisions per {(perColumn == 1 ? "minute" : perColumn.ToString(CultureInfo.InvariantCulture) + " minutes")}</text>\n");
        for (var a = 0; a < 4; a++)
        {
            if (columns.All(c => c.Counts[a] == 0))
            {
                continue;
            }

            html.Append(CultureInfo.InvariantCulture, $"<path class=\"action-{ActionNames[a]}\" fill=\"none\" stroke=\"{ActionColours[a]}\" stroke-width=\"1.8\" d=\"");
            for (var i = 0; i < columns.Count; i++)
            {
                html.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? 'M' : 'L')}{X(i):0.#},{Y(columns[i].Counts[a]):0.#} ");
            }

            html.Append("\"/>\n");
        }

        html.Append("</svg>\n<div class=\"legend\">");
        for (var a = 0; a < 4; a++)
        {
            var total = columns.Sum(c => c.Counts[a]);
            html.Append(CultureInfo.InvariantCulture, $"<span><i style=\"background:{ActionColours[a]}\"></i>{ActionNames[a]} ({total:N0})</span>");
        }

        html.Append("</div>\n");
    }

    /// <summary>Cumulative share mitigated against the index within each label, x logarithmic.</summary>
    private static void CurveChart(StringBuilder html, ReplaySummary summary)
    {
        var labels = summary.Labels.OrderBy(p => p.Key, StringComparer.Ordinal).ToArray();
        var maxIndex = Math.Max(10, labels.Max(p => p.Value.Requests));
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        var logMax = Math.Log10(maxIndex);
        double X(long index) => Left + (Math.Log10(Math.Max(1, index)) * plotWidth / logMax);
        double Y(double share) => Top + plotHeight - (share * plotHeight);

        html.Append(CultureInfo.InvariantCulture, $"<svg id=\"curves\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"Mitigation curves by label\">\n");
        Axes(html, plotWidth, plotHeight, "100 %", "0 %");
        for (long tick = 1; tick <= maxIndex; tick *= 10)
        {
            html.Append(CultureInfo.InvariantCulture, $"<line x1=\"{X(tick):0.#}\" y1=\"{Top}\" x2=\"{X(tick):0.#}\" y2=\"{Top + plotHeight}\" stroke=\"#eceff2\"/><text x=\"{X(tick):0.#}\" y=\"{Height - 18}\" text-anchor=\"middle\">{tick:N0}</text>\n");
        }

        html.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + (plotWidth / 2)}\" y=\"{Height - 4}\" text-anchor=\"middle\">index of the request within its label</text>\n");
        html.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Y(0.5):0.#}\" x2=\"{Width - Right}\" y2=\"{Y(0.5):0.#}\" stroke=\"#eceff2\"/><text x=\"{Left - 6}\" y=\"{Y(0.5) + 4:0.#}\" text-anchor=\"end\">50 %</text>\n");
        var legend = new StringBuilder();
        for (var l = 0; l < labels.Length; l++)
        {
            var (label, stats) = labels[l];
            var colour = Palette[l % Palette.Length];
            var dash = LabelStats.IsLegit(label) ? " stroke-dasharray=\"5 3\"" : "";
            var points = stats.Curve.Points.ToList();
            if (points.Count == 0 || points[^1].Index != stats.Requests)
            {
                points.Add((stats.Requests, stats.Mitigated));
            }

            html.Append(CultureInfo.InvariantCulture, $"<path class=\"curve\" data-label=\"{E(label)}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dash} d=\"");
            for (var i = 0; i < points.Count; i++)
            {
                var (index, mitigated) = points[i];
                html.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? 'M' : 'L')}{X(index):0.#},{Y((double)mitigated / index):0.#} ");
            }

            html.Append("\"/>\n");
            legend.Append(CultureInfo.InvariantCulture, $"<span><i style=\"background:{colour}\"></i>{E(label)} ({Share(stats.Mitigated, stats.Requests)})</span>");
        }

        html.Append("</svg>\n<div class=\"legend\">").Append(legend).Append("</div>\n<p class=\"note\">Dashed: legit labels (any rise is a false positive).</p>\n");
    }

    /// <summary>Horizontal bars: decisions by reason code, the allowed ones left out.</summary>
    private static void ReasonChart(StringBuilder html, ReplaySummary summary)
    {
        var reasons = summary.Actions
            .Where(p => p.Key.Action != "allow")
            .GroupBy(p => p.Key.Reason, StringComparer.Ordinal)
            .Select(g => (Reason: g.Key, Count: g.Sum(p => p.Value)))
            .OrderByDescending(r => r.Count).ThenBy(r => r.Reason, StringComparer.Ordinal)
            .Take(10)
            .ToArray();
        if (reasons.Length == 0)
        {
            html.Append("<p class=\"note\">Nothing was mitigated.</p>\n");
            return;
        }

        const int Row = 24;
        const int Label = 200;
        var height = (reasons.Length * Row) + 12;
        var max = reasons[0].Count;
        var barWidth = Width - Label - 90;
        html.Append(CultureInfo.InvariantCulture, $"<svg id=\"reasons\" viewBox=\"0 0 {Width} {height}\" role=\"img\" aria-label=\"Top reasons\">\n");
        for (var i = 0; i < reasons.Length; i++)
        {
            var y = 6 + (i * Row);
            var w = Math.Max(1.0, (double)reasons[i].Count * barWidth / max);
            html.Append(CultureInfo.InvariantCulture, $"<text x=\"{Label - 8}\" y=\"{y + 15}\" text-anchor=\"end\">{E(reasons[i].Reason)}</text>");
            html.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Label}\" y=\"{y + 3}\" width=\"{w:0.#}\" height=\"{Row - 8}\" fill=\"#c62828\" opacity=\"0.8\"/>");
            html.Append(CultureInfo.InvariantCulture, $"<text x=\"{Label + w + 6:0.#}\" y=\"{y + 15}\">{reasons[i].Count:N0} ({Share(reasons[i].Count, summary.Decided)})</text>\n");
        }

        html.Append("</svg>\n");
    }

    private static void Axes(StringBuilder html, int plotWidth, int plotHeight, string top, string bottom)
    {
        html.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Top + plotHeight}\" stroke=\"#9aa3ad\"/>");
        html.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Top + plotHeight}\" x2=\"{Left + plotWidth}\" y2=\"{Top + plotHeight}\" stroke=\"#9aa3ad\"/>\n");
        html.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{Top + 8}\" text-anchor=\"end\">{E(top)}</text><text x=\"{Left - 6}\" y=\"{Top + plotHeight}\" text-anchor=\"end\">{E(bottom)}</text>\n");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Share(long part, long whole) => whole == 0 ? "–" : ((double)part / whole).ToString("P1", CultureInfo.InvariantCulture);

    private static string Percent(double? value) => value is { } v ? v.ToString("P1", CultureInfo.InvariantCulture) : "n/a";
}
