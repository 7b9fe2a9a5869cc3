using Bulwark.Core.Decisions;
using static Bulwark.Core.Tests.Engine.EngineFixture;

namespace Bulwark.Core.Tests.Protections;

public sealed class OtpPresetTests
{
    private static string Config(string otp = "") => $$"""
        {
          "Routes": [ { "Methods": ["POST"], "Path": "/otp", "Policy": "otp", "CostUsd": 0.0075 } ],
          "Policies": { "otp": { "Otp": { {{otp}} } } }
        }
        """;

    private static async Task<Decision> Send(BulwarkEngine engine, string body, DateTimeOffset at, string ip = "203.0.113.7")
    {
        var request = Request("POST", "/otp", ip: ip, at: at, body: body);
        var decision = await engine.Decide(request);
        await engine.Feedback(decision, request, decision.IsRefusal ? 0 : 202, TimeSpan.Zero);
        return decision;
    }

    private static string Phone(string number) => $$"""{"phone":"{{number}}"}""";

    [Fact]
    public async Task Three_sends_per_number_an_hour_however_it_is_written_and_from_any_address()
    {
        var engine = NewEngine(Config());
        string[] spellings = ["+1 (555) 555-0123", "001 555 555 0123", "15555550123"];
        for (var i = 0; i < spellings.Length; i++)
        {
            Assert.Equal(DecisionAction.Allow, (await Send(engine, Phone(spellings[i]), T0.AddSeconds(i), ip: $"198.51.100.{i + 1}")).Action);
        }

        var refused = await Send(engine, Phone("+1.555.555.0123"), T0.AddSeconds(5), ip: "192.0.2.200");
        Assert.Equal(429, refused.StatusCode);
        Assert.Equal("otp-destination", refused.Limit!.Name);
        Assert.Contains(refused.Reasons, r => r.Detail.Contains("destination (phone, normalised)", StringComparison.Ordinal));
        Assert.Equal(0.0075m, refused.SavedUsd);

        Assert.Equal(DecisionAction.Allow, (await Send(engine, Phone("+1 555 555 0124"), T0.AddSeconds(6))).Action);
        Assert.Equal(DecisionAction.Allow, (await Send(engine, Phone("+1 555 555 0123"), T0.AddHours(2))).Action);
    }

    [Fact]
    public async Task Ten_sends_per_address_an_hour_to_any_numbers()
    {
        var engine = NewEngine(Config());
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(DecisionAction.Allow, (await Send(engine, Phone($"+44 7700 90{i:D4}"), T0.AddSeconds(i))).Action);
        }

        var refused = await Send(engine, Phone("+44 7700 901000"), T0.AddSeconds(11));
        Assert.Equal("otp-ip", refused.Limit!.Name);

        // Leaving the number out does not dodge the address limit.
        Assert.Equal(429, (await Send(engine, "{}", T0.AddSeconds(12))).StatusCode);
    }

    [Fact]
    public async Task Sends_per_prefix_are_limited_globally_from_rotating_addresses()
    {
        var engine = NewEngine(Config("\"PerPrefix\": \"5/h\", \"PrefixDigits\": 6"));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(DecisionAction.Allow, (await Send(engine, Phone($"+882 13 555 {i:D4}"), T0.AddSeconds(i), ip: $"198.51.100.{i + 1}")).Action);
        }

        var refused = await Send(engine, Phone("+882 13 555 9999"), T0.AddSeconds(6), ip: "192.0.2.9");
        Assert.Equal("otp-prefix", refused.Limit!.Name);
        Assert.Equal(DecisionAction.Allow, (await Send(engine, Phone("+882 14 555 9999"), T0.AddSeconds(7), ip: "192.0.2.10")).Action);
    }

    [Fact]
    public async Task Email_destinations_ignore_case_tags_and_gmail_dots_and_group_by_domain()
    {
        var engine = NewEngine(Config("\"Field\": \"email\", \"PerDestination\": \"2/h\", \"PerPrefix\": \"4/h\", \"PerIp\": \"\""));
        string Mail(string address) => $$"""{"email":"{{address}}"}""";
        Assert.Equal(DecisionAction.Allow, (await Send(engine, Mail("alice@gmail.com"), T0)).Action);
        Assert.Equal(DecisionAction.Allow, (await Send(engine, Mail("A.Lice+1@GoogleMail.com"), T0.AddSeconds(1))).Action);
        Assert.Equal("otp-destination", (await Send(engine, Mail("a.l.i.c.e+2@gmail.com."), T0.AddSeconds(2))).Limit!.Name);

        Assert.Equal(DecisionAction.Allow, (await Send(engine, Mail("bob@gmail.com"), T0.AddSeconds(3))).Action);
        Assert.Equal(DecisionAction.Allow, (await Send(engine, Mail("carol@gmail.com"), T0.AddSeconds(4))).Action);
        Assert.Equal("otp-prefix", (await Send(engine, Mail("dave@gmail.com"), T0.AddSeconds(5))).Limit!.Name);
        Assert.Equal(DecisionAction.Allow, (await Send(engine, Mail("dave@example.org"), T0.AddSeconds(6))).Action);
    }

    [Fact]
    public async Task Garbage_destinations_share_one_counter_so_inventing_them_gains_nothing()
    {
        var engine = NewEngine(Config("\"PerIp\": \"\""));
        string[] garbage = ["call me", "+1 555 CALL NOW", "12", "x"];
        var actions = new List<DecisionAction>();
        for (var i = 0; i < garbage.Length; i++)
        {
            actions.Add((await Send(engine, Phone(garbage[i]), T0.AddSeconds(i), ip: $"198.51.100.{i + 1}")).Action);
        }

        Assert.Equal([DecisionAction.Allow, DecisionAction.Allow, DecisionAction.Allow, DecisionAction.Block], actions);
    }

    [Fact]
    public async Task A_global_limit_counts_every_send()
    {
        var engine = NewEngine(Config("\"Global\": \"3/min\", \"PerIp\": \"\""));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(DecisionAction.Allow, (await Send(engine, Phone($"+1 555 555 01{i:D2}"), T0.AddSeconds(i), ip: $"198.51.100.{i + 1}")).Action);
        }

        Assert.Equal("otp-global", (await Send(engine, Phone("+49 30 1234567"), T0.AddSeconds(4), ip: "192.0.2.1")).Limit!.Name);
    }

    [Fact]
    public async Task A_national_number_is_the_same_destination_as_its_international_form_with_a_default_country()
    {
        var engine = NewEngine(Config("\"PerDestination\": \"1/h\", \"DefaultCountryCode\": \"+44\""));
        Assert.Equal(DecisionAction.Allow, (await Send(engine, Phone("07700 900123"), T0)).Action);
        Assert.Equal("otp-destination", (await Send(engine, Phone("+44 7700 900123"), T0.AddSeconds(1), ip: "198.51.100.1")).Limit!.Name);
    }
}
