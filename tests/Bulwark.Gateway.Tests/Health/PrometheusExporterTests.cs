using System.Diagnostics.Metrics;
using Bulwark.Core;
using Bulwark.Gateway.Health;

namespace Bulwark.Gateway.Tests.Health;

/// <summary>The exporter's cell lookup by tags (labels formatted once per distinct tag set).</summary>
public sealed class PrometheusExporterTests
{
    [Fact]
    public void Measurements_land_in_the_cell_of_their_tag_values_whatever_the_tag_order()
    {
        using var exporter = new PrometheusExporter();
        using var meter = new Meter(BulwarkMetrics.MeterName);
        var counter = meter.CreateCounter<long>("bulwark.test.lookups." + Guid.NewGuid().ToString("N"));
        var name = counter.Name.Replace('.', '_') + "_total";
        for (var i = 0; i < 3; i++)
        {
            counter.Add(1, new("bulwark.policy", "api"), new("bulwark.enforced", true)); // a new boxed bool each time
        }

        counter.Add(10, new("bulwark.enforced", true), new("bulwark.policy", "api")); // same labels, other order
        counter.Add(100, new("bulwark.policy", "api"), new("bulwark.enforced", false));
        counter.Add(1000, new("bulwark.policy", "web"), new("bulwark.enforced", true));
        counter.Add(5, new("bulwark.a", 1), new("bulwark.b", 2), new("bulwark.c", 3), new("bulwark.d", 4), new("bulwark.e", 5)); // more than four tags

        var lines = exporter.Render().Split('\n').Where(l => l.StartsWith(name + "{", StringComparison.Ordinal)).ToArray();
        Assert.Contains(name + "{bulwark_enforced=\"true\",bulwark_policy=\"api\"} 13", lines);
        Assert.Contains(name + "{bulwark_enforced=\"false\",bulwark_policy=\"api\"} 100", lines);
        Assert.Contains(name + "{bulwark_enforced=\"true\",bulwark_policy=\"web\"} 1000", lines);
        Assert.Contains(name + "{bulwark_a=\"1\",bulwark_b=\"2\",bulwark_c=\"3\",bulwark_d=\"4\",bulwark_e=\"5\"} 5", lines);
        Assert.Equal(4, lines.Length);
    }
}
