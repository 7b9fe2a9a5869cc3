using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using Bulwark.Core.Audit;
using Bulwark.Core.Decisions;
using Bulwark.Core.Policy;
using static Bulwark.Core.Tests.Engine.EngineFixture;

namespace Bulwark.Core.Tests.Protections;

public sealed class BudgetTests
{
    private static string Config(string budget) => $$"""
        {
          "Routes": [
            { "Methods": ["POST"], "Path": "/api/inference", "Policy": "inference", "CostUsd": 0.05 },
            { "Methods": ["GET"], "Path": "/api/models", "Policy": "inference" }
          ],
          "Policies": { "inference": { "Budget": { {{budget}} } } }
        }
        """;

    private static RequestContext Call(DateTimeOffset at, string? apiKey = "key-1", string ip = "203.0.113.7", string? session = null, string? account = null)
    {
        var request = Request("POST", "/api/inference", ip: ip, at: at, apiKey: apiKey, account: account);
        return session is null ? request : new RequestContext
        {
            Timestamp = request.Timestamp, ClientIp = request.ClientIp, Method = request.Method, Path = request.Path,
            ApiKey = request.ApiKey, Account = request.Account, Session = session, Headers = request.Headers,
        };
    }

    [Fact]
    public async Task An_hourly_key_budget_refuses_the_call_that_would_exceed_it_and_renews_on_the_hour()
    {
        var engine = NewEngine(Config("\"ApiKeyPerHourUsd\": 0.20"));
        for (var i = 0; i < 4; i++)
        {
            var ok = await engine.Decide(Call(T0.AddMinutes(i)));
            Assert.Equal(DecisionAction.Allow, ok.Action);
            Assert.Equal(0m, ok.SavedUsd);
        }

        var refused = await engine.Decide(Call(T0.AddMinutes(5)));
        Assert.Equal(429, refused.StatusCode);
        Assert.Equal("budget-key-hour", refused.Limit!.Name);
        Assert.Equal(0.05m, refused.SavedUsd);
        Assert.Contains(refused.Reasons, r => r.Detail.Contains("$0.20 per hour by api_key; this call $0.05", StringComparison.Ordinal));
        Assert.Equal(TimeSpan.FromMinutes(55), refused.RetryAfter); // the budget hour is 10:00–11:00

        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Call(T0.AddMinutes(6), apiKey: "key-2"))).Action);
        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Call(T0.AddHours(1)))).Action);
    }

    [Fact]
    public async Task A_daily_key_budget_holds_across_hours_and_renews_at_midnight_utc()
    {
        var engine = NewEngine(Config("\"ApiKeyPerHourUsd\": 0.20, \"ApiKeyPerDayUsd\": 0.50"));
        var allowed = 0;
        for (var hour = 0; hour < 3; hour++)
        {
            for (var i = 0; i < 4; i++)
            {
                if ((await engine.Decide(Call(T0.AddHours(hour).AddMinutes(i)))).Action == DecisionAction.Allow)
                {
                    allowed++;
                }
            }
        }

        Assert.Equal(10, allowed); // 4 + 4 + 2: $0.50 a day at $0.05 a call
        var refused = await engine.Decide(Call(T0.AddHours(3)));
        Assert.Equal("budget-key-day", refused.Limit!.Name);
        Assert.Contains(refused.Reasons, r => r.Detail.Contains("$0.50 per day", StringComparison.Ordinal));
        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Call(new DateTimeOffset(2026, 11, 22, 0, 0, 1, TimeSpan.Zero)))).Action);
    }

    [Fact]
    public async Task Actor_budgets_follow_the_session_else_the_account_else_the_address()
    {
        var engine = NewEngine(Config("\"ActorPerHourUsd\": 0.10"));

        // Two sessions behind one address each have their own budget.
        foreach (var session in new[] { "s1", "s2" })
        {
            Assert.Equal(DecisionAction.Allow, (await engine.Decide(Call(T0, apiKey: null, session: session))).Action);
            Assert.Equal(DecisionAction.Allow, (await engine.Decide(Call(T0.AddSeconds(1), apiKey: null, session: session))).Action);
            Assert.Equal("budget-actor-hour", (await engine.Decide(Call(T0.AddSeconds(2), apiKey: null, session: session))).Limit!.Name);
        }

        // An account (case-insensitive) from several addresses is one actor.
        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Call(T0, apiKey: null, account: "Carol", ip: "198.51.100.1"))).Action);
        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Call(T0, apiKey: null, account: "carol", ip: "198.51.100.2"))).Action);
        Assert.Equal(429, (await engine.Decide(Call(T0, apiKey: null, account: "CAROL ", ip: "198.51.100.3"))).StatusCode);

        // Without either, the address.
        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Call(T0, apiKey: null, ip: "192.0.2.1"))).Action);
        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Call(T0, apiKey: null, ip: "192.0.2.1"))).Action);
        Assert.Equal(429, (await engine.Decide(Call(T0, apiKey: null, ip: "192.0.2.1"))).StatusCode);
    }

    [Fact]
    public async Task Free_routes_spend_nothing_and_save_nothing()
    {
        var engine = NewEngine(Config("\"ActorPerHourUsd\": 0.05"));
        for (var i = 0; i < 5; i++)
        {
            var decision = await engine.Decide(Request("GET", "/api/models", at: T0));
            Assert.Equal(DecisionAction.Allow, decision.Action);
            Assert.Empty(decision.Limits);
        }
    }

    [Fact]
    public async Task Money_saved_is_in_the_decision_record_and_the_cost_saved_metric()
    {
        var measured = new List<(double Value, string? Policy, bool Enforced)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == BulwarkMetrics.MeterName && instrument.Name == "bulwark.cost.saved")
            {
                Assert.Equal("USD", instrument.Unit);
                l.EnableMeasurementEvents(instrument);
            }
        };
        using var metrics = new BulwarkMetrics();
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            string? policy = null;
            var enforced = false;
            foreach (var tag in tags)
            {
                if (tag.Key == "bulwark.policy")
                {
                    policy = (string?)tag.Value;
                }
                else if (tag.Key == "bulwark.enforced")
                {
                    enforced = (bool)tag.Value!;
                }
            }

            lock (measured)
            {
                measured.Add((value, policy, enforced));
            }
        });
        listener.Start();

        var engine = new BulwarkEngine(Options(Config("\"ApiKeyPerHourUsd\": 0.10")), metrics: metrics, detectors: []);
        var decisions = new List<(Decision, RequestContext)>();
        for (var i = 0; i < 5; i++)
        {
            var request = Call(T0.AddSeconds(i));
            decisions.Add((await engine.Decide(request), request));
        }

        Assert.Equal([0m, 0m, 0.05m, 0.05m, 0.05m], decisions.Select(d => d.Item1.SavedUsd));
        lock (measured)
        {
            Assert.Equal(3, measured.Count);
            Assert.Equal(0.15, measured.Sum(m => m.Value), 9);
            Assert.All(measured, m => Assert.Equal(("inference", true), (m.Policy, m.Enforced)));
        }

        var formatter = new DecisionRecordFormatter(new PrivacyOptions());
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            formatter.Write(writer, decisions[2].Item1, decisions[2].Item2, null, null);
        }

        using var record = JsonDocument.Parse(Encoding.UTF8.GetString(stream.ToArray()));
        Assert.Equal(0.05m, record.RootElement.GetProperty("saved_usd").GetDecimal());
        Assert.Equal("block", record.RootElement.GetProperty("action").GetString());
        using var allowedStream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(allowedStream))
        {
            formatter.Write(writer, decisions[0].Item1, decisions[0].Item2, null, null);
        }

        Assert.DoesNotContain("saved_usd", Encoding.UTF8.GetString(allowedStream.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Monitor_mode_records_what_would_have_been_saved_as_not_enforced()
    {
        var engine = NewEngine(Config("\"ApiKeyPerHourUsd\": 0.05").Replace("\"Budget\"", "\"Mode\": \"monitor\", \"Budget\"", StringComparison.Ordinal));
        await engine.Decide(Call(T0));
        var watched = await engine.Decide(Call(T0.AddSeconds(1)));
        Assert.False(watched.Enforced);
        Assert.False(watched.IsRefusal);
        Assert.Equal(0.05m, watched.SavedUsd);
    }
}
