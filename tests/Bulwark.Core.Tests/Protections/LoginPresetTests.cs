using Bulwark.Core.Decisions;
using Bulwark.Core.Limits;
using Bulwark.Core.Lists;
using Bulwark.Core.Protections;
using static Bulwark.Core.Tests.Engine.EngineFixture;

namespace Bulwark.Core.Tests.Protections;

public sealed class LoginPresetTests
{
    private static string Config(string login = "") => $$"""
        {
          "Routes": [ { "Methods": ["POST"], "Path": "/login", "Policy": "login" }, { "Path": "/api/**", "Policy": "api" } ],
          "Policies": {
            "login": { "Login": { {{login}} } },
            "api": { "Limits": [ { "Name": "api-ip", "Key": "ip", "Rate": "1000/min" } ] }
          }
        }
        """;

    // Isolates one mechanism: the others are turned off.
    private const string Nothing = "\"AccountFailures\": \"\", \"IpAttempts\": \"\", \"DelayAfterFailures\": 0, \"ChallengeAfterFailures\": 0, \"LockoutAfterFailures\": 0";

    private static RequestContext Login(string account, DateTimeOffset at, string ip = "203.0.113.7") =>
        Request("POST", "/login", ip: ip, at: at, account: account, body: $$"""{"username":"{{account}}"}""");

    /// <summary>One attempt: decide, and when it passed, report what the application answered.</summary>
    private static async Task<Decision> Attempt(BulwarkEngine engine, string account, DateTimeOffset at, int status = 401, string ip = "203.0.113.7", LoginOutcome outcome = LoginOutcome.Unknown)
    {
        var request = Login(account, at, ip);
        var decision = await engine.Decide(request);
        var passed = !decision.IsRefusal;
        await engine.Feedback(decision, request, passed ? status : 0, TimeSpan.FromMilliseconds(20), passed ? outcome : LoginOutcome.Unknown);
        return decision;
    }

    [Fact]
    public async Task Five_failures_per_account_per_hour_then_429_until_the_window_has_slid()
    {
        var engine = NewEngine(Config(Nothing.Replace("\"AccountFailures\": \"\"", "\"AccountFailures\": \"5/h\"", StringComparison.Ordinal)));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(DecisionAction.Allow, (await Attempt(engine, "alice", T0.AddMinutes(i))).Action);
        }

        var refused = await Attempt(engine, "alice", T0.AddMinutes(5));
        Assert.Equal(DecisionAction.Block, refused.Action);
        Assert.Equal(429, refused.StatusCode);
        Assert.Equal("login-failures-account", refused.Limit!.Name);
        Assert.Contains(refused.Reasons, r => r.Signal == "rate_limit" && r.Detail.Contains("5/h by account", StringComparison.Ordinal));
        Assert.NotNull(refused.RetryAfter);

        // Another account is not affected; the same account still refused at 59 minutes, whole again two windows on.
        Assert.Equal(DecisionAction.Allow, (await Attempt(engine, "bob", T0.AddMinutes(6))).Action);
        Assert.Equal(DecisionAction.Block, (await Attempt(engine, "alice", T0.AddMinutes(59))).Action);
        Assert.Equal(DecisionAction.Allow, (await Attempt(engine, "alice", T0.AddHours(2))).Action);
    }

    [Fact]
    public async Task Successes_do_not_spend_the_account_failures()
    {
        var engine = NewEngine(Config(Nothing.Replace("\"AccountFailures\": \"\"", "\"AccountFailures\": \"5/h\"", StringComparison.Ordinal)));
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(DecisionAction.Allow, (await Attempt(engine, "alice", T0.AddSeconds(i), status: 200)).Action);
        }
    }

    [Fact]
    public async Task A_success_does_not_wipe_earlier_failures_they_age_out_of_their_window()
    {
        var engine = NewEngine(Config());
        await Attempt(engine, "alice", T0);
        await Attempt(engine, "alice", T0.AddSeconds(1));
        Assert.Equal(DecisionAction.Allow, (await Attempt(engine, "alice", T0.AddSeconds(2), status: 200)).Action);
        await Attempt(engine, "alice", T0.AddSeconds(3));

        // Two failures, a success, a failure: three failures in the hour, so the next attempt is challenged.
        Assert.Equal(DecisionAction.Challenge, (await Attempt(engine, "alice", T0.AddSeconds(4), status: 200)).Action);
        Assert.Equal(DecisionAction.Allow, (await Attempt(engine, "alice", T0.AddHours(2), status: 200)).Action);
    }

    [Theory]
    [InlineData("success", LoginOutcome.Success)]
    [InlineData(" Failure ", LoginOutcome.Failure)]
    [InlineData("FAILURE", LoginOutcome.Failure)]
    [InlineData("ok", LoginOutcome.Unknown)]
    [InlineData("", LoginOutcome.Unknown)]
    [InlineData(null, LoginOutcome.Unknown)]
    public void Outcome_header_values_are_success_or_failure(string? value, LoginOutcome expected) =>
        Assert.Equal(expected, CompiledLogin.ParseOutcome(value));

    [Fact]
    public async Task With_IpAttemptsCount_all_a_hundred_attempts_per_address_per_hour_whatever_the_outcome_and_success_does_not_reset_them()
    {
        var engine = NewEngine(Config(Nothing.Replace("\"IpAttempts\": \"\"", "\"IpAttempts\": \"100/h\", \"IpAttemptsCount\": \"all\"", StringComparison.Ordinal)));
        for (var i = 0; i < 100; i++)
        {
            // Different accounts, half of them successful: the address count is of attempts.
            var decision = await Attempt(engine, $"user{i}", T0.AddSeconds(i * 10), status: i % 2 == 0 ? 200 : 401);
            Assert.Equal(DecisionAction.Allow, decision.Action);
            Assert.Equal(99 - i, decision.Limits.Single(l => l.Name == "login-attempts-ip").Remaining);
        }

        var refused = await Attempt(engine, "user-next", T0.AddSeconds(1001), status: 200);
        Assert.Equal(429, refused.StatusCode);
        Assert.Equal("login-attempts-ip", refused.Limit!.Name);
        Assert.Equal(DecisionAction.Allow, (await Attempt(engine, "user-next", T0.AddSeconds(1002), ip: "198.51.100.9")).Action);
        Assert.Equal(DecisionAction.Allow, (await Attempt(engine, "user-next", T0.AddHours(2))).Action);
    }

    [Fact]
    public async Task By_default_a_shared_address_with_hundreds_of_successful_logins_is_not_refused()
    {
        // One carrier-grade NAT address: 400 people log in within the hour, one in twenty mistyping first.
        var engine = NewEngine(Config(Nothing.Replace("\"IpAttempts\": \"\"", "\"IpAttempts\": \"100/h\"", StringComparison.Ordinal)));
        var random = new Random(5);
        var at = T0;
        var failures = 0;
        for (var user = 0; user < 400; user++)
        {
            at = at.AddSeconds(3 + random.Next(6));
            if (random.Next(20) == 0)
            {
                failures++;
                Assert.Equal(DecisionAction.Allow, (await Attempt(engine, $"user{user}@example.com", at, status: 401, ip: "100.64.7.9")).Action);
            }

            var decision = await Attempt(engine, $"user{user}@example.com", at.AddSeconds(4), status: 200, ip: "100.64.7.9");
            Assert.Equal(DecisionAction.Allow, decision.Action);
        }

        // The header still tells the address's failure budget: 100 less the failures.
        var last = await Attempt(engine, "late@example.com", at.AddSeconds(10), status: 200, ip: "100.64.7.9");
        Assert.Equal(100 - failures, last.Limits.Single(l => l.Name == "login-attempts-ip").Remaining);
    }

    [Fact]
    public async Task By_default_an_address_failing_a_hundred_times_an_hour_is_refused_and_reported_outcomes_count()
    {
        var engine = NewEngine(Config(Nothing.Replace("\"IpAttempts\": \"\"", "\"IpAttempts\": \"100/h\"", StringComparison.Ordinal)));

        // A stuffing address: one account after another, all failing (half of them reported through the outcome header on a 200).
        for (var i = 0; i < 100; i++)
        {
            var outcome = i % 2 == 0 ? LoginOutcome.Failure : LoginOutcome.Unknown;
            Assert.Equal(DecisionAction.Allow, (await Attempt(engine, $"victim{i}", T0.AddSeconds(i * 10), status: i % 2 == 0 ? 200 : 401, outcome: outcome)).Action);
        }

        var refused = await Attempt(engine, "victim-next", T0.AddSeconds(1001));
        Assert.Equal(429, refused.StatusCode);
        Assert.Equal("login-attempts-ip", refused.Limit!.Name);
        Assert.Contains(refused.Reasons, r => r.Detail.Contains("100/h by ip", StringComparison.Ordinal));

        // A 401 with a reported success is not a failure.
        var other = NewEngine(Config(Nothing.Replace("\"IpAttempts\": \"\"", "\"IpAttempts\": \"2/h\"", StringComparison.Ordinal)));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(DecisionAction.Allow, (await Attempt(other, $"u{i}", T0.AddSeconds(i), status: 401, outcome: LoginOutcome.Success)).Action);
        }
    }

    [Fact]
    public async Task IpAttemptsKey_gives_each_device_behind_an_address_its_own_budget()
    {
        var engine = NewEngine(Config(Nothing.Replace("\"IpAttempts\": \"\"", "\"IpAttempts\": \"3/h\", \"IpAttemptsKey\": \"ip+header:X-Device-Id\"", StringComparison.Ordinal)));
        async Task<Decision> FromDevice(string device, int second)
        {
            var request = new RequestContext
            {
                Timestamp = T0.AddSeconds(second), ClientIp = System.Net.IPAddress.Parse("100.64.7.9"), Method = "POST", Path = "/login",
                Account = "alice", Headers = HeaderList.From(("x-device-id", device)),
            };
            var decision = await engine.Decide(request);
            await engine.Feedback(decision, request, decision.IsRefusal ? 0 : 401, TimeSpan.Zero);
            return decision;
        }

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(DecisionAction.Allow, (await FromDevice("phone-a", i)).Action);
        }

        Assert.Equal("login-attempts-ip", (await FromDevice("phone-a", 3)).Limit!.Name);
        Assert.Equal(DecisionAction.Allow, (await FromDevice("phone-b", 4)).Action);
    }

    [Fact]
    public async Task Delays_double_from_the_third_failure_and_stop_at_the_cap()
    {
        var engine = NewEngine(Config("\"AccountFailures\": \"100/h\", \"IpAttempts\": \"\", \"DelayAfterFailures\": 3, \"MaxDelaySeconds\": 30, \"ChallengeAfterFailures\": 0, \"LockoutAfterFailures\": 0"));
        var expected = new[] { 0, 0, 0, 2, 4, 8, 16, 30, 30 };
        for (var failures = 0; failures < expected.Length; failures++)
        {
            var decision = await Attempt(engine, "alice", T0.AddSeconds(failures));
            Assert.Equal(TimeSpan.FromSeconds(expected[failures]), decision.Delay);
            if (expected[failures] == 0)
            {
                Assert.Equal(DecisionAction.Allow, decision.Action);
            }
            else
            {
                Assert.Equal(DecisionAction.Delay, decision.Action);
                Assert.Contains(decision.Reasons, r => r.Signal == "login_delay" && r.Detail.Contains($"{failures} failed logins", StringComparison.Ordinal));
            }
        }

        // The delay belongs to the account: another one from the same address is not held.
        Assert.Equal(TimeSpan.Zero, (await Attempt(engine, "bob", T0.AddSeconds(20))).Delay);
    }

    [Fact]
    public async Task With_the_defaults_the_fourth_attempt_after_three_failures_is_challenged()
    {
        var engine = NewEngine(Config());
        for (var i = 0; i < 3; i++)
        {
            var allowed = await Attempt(engine, "alice", T0.AddSeconds(i));
            Assert.Equal(DecisionAction.Allow, allowed.Action);
            Assert.Equal(TimeSpan.Zero, allowed.Delay);
        }

        var challenged = await Attempt(engine, "alice", T0.AddSeconds(3));
        Assert.Equal(DecisionAction.Challenge, challenged.Action);
        Assert.Equal(401, challenged.StatusCode);
        Assert.Equal(ReasonCodes.ChallengeRequired, challenged.ReasonCode);
        Assert.Contains(challenged.Reasons, r => r.Signal == "login_failures" && r.Detail.Contains("3 failed logins", StringComparison.Ordinal));

        // A challenged attempt never reached the application, so it is no new failure: still 3, still challenged.
        Assert.Equal(DecisionAction.Challenge, (await Attempt(engine, "alice", T0.AddSeconds(4))).Action);
        Assert.Equal(DecisionAction.Allow, (await Attempt(engine, "bob", T0.AddSeconds(5))).Action);
    }

    [Fact]
    public async Task Ten_failures_lock_the_account_for_an_hour_then_it_opens_and_the_next_failure_locks_again()
    {
        var engine = NewEngine(Config("\"AccountFailures\": \"100/h\", \"IpAttempts\": \"\", \"DelayAfterFailures\": 0, \"ChallengeAfterFailures\": 0, \"LockoutAfterFailures\": 10, \"LockoutMinutes\": 60"));
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(DecisionAction.Allow, (await Attempt(engine, "alice", T0.AddSeconds(i))).Action);
        }

        // The 10th failure was reported at T0 + 9 s + 20 ms latency: the lock runs an hour from then.
        var lockedAt = T0.AddSeconds(9).AddMilliseconds(20);
        var locked = await Attempt(engine, "alice", T0.AddSeconds(10), status: 200);
        Assert.Equal(DecisionAction.Block, locked.Action);
        Assert.Equal(429, locked.StatusCode);
        Assert.Equal(ReasonCodes.LoginLocked, locked.ReasonCode);
        Assert.Equal(TimeSpan.FromSeconds(3600), locked.RetryAfter); // 3599.02 s, rounded up
        Assert.Contains(locked.Reasons, r => r.Signal == "login_lockout" && r.Detail.Contains("10 failed logins in 24 h", StringComparison.Ordinal));
        Assert.DoesNotContain(locked.Limits, l => l.Name is "login-lock" or "login-lockout-account");

        // Correct password or not, other addresses too: the account is locked, not the client.
        Assert.Equal(ReasonCodes.LoginLocked, (await Attempt(engine, "alice", lockedAt.AddMinutes(59), status: 200, ip: "198.51.100.1")).ReasonCode);
        Assert.Equal(DecisionAction.Allow, (await Attempt(engine, "bob", lockedAt.AddMinutes(59))).Action);

        // An hour later it is open; a success passes and a further failure in the 24 h window locks it again.
        Assert.Equal(DecisionAction.Allow, (await Attempt(engine, "alice", lockedAt.AddMinutes(60), status: 200)).Action);
        Assert.Equal(DecisionAction.Allow, (await Attempt(engine, "alice", lockedAt.AddMinutes(61))).Action);
        Assert.Equal(ReasonCodes.LoginLocked, (await Attempt(engine, "alice", lockedAt.AddMinutes(62))).ReasonCode);

        // A day after the failures, one failure no longer locks.
        Assert.Equal(DecisionAction.Allow, (await Attempt(engine, "alice", T0.AddDays(3))).Action);
        Assert.Equal(DecisionAction.Allow, (await Attempt(engine, "alice", T0.AddDays(3).AddSeconds(1))).Action);
    }

    [Fact]
    public async Task With_the_defaults_ten_failures_spread_over_a_day_lock_the_account()
    {
        var engine = NewEngine(Config());
        for (var i = 0; i < 10; i++)
        {
            // 80 minutes apart (10:00 to 22:00, one UTC day): the hourly failure count never reaches the challenge.
            Assert.Equal(DecisionAction.Allow, (await Attempt(engine, "alice", T0.AddMinutes(80 * i))).Action);
        }

        var locked = await Attempt(engine, "alice", T0.AddHours(12).AddMinutes(1));
        Assert.Equal(ReasonCodes.LoginLocked, locked.ReasonCode);
        Assert.Equal(DecisionAction.Allow, (await Attempt(engine, "alice", T0.AddHours(13).AddMinutes(1), status: 200)).Action);
    }

    [Fact]
    public async Task Unknown_and_existing_accounts_get_the_same_decisions_at_every_step()
    {
        // Bulwark never knows whether an account exists; the application answers 401 to both. The whole ladder —
        // allowed, challenged, limited, locked, reopened — must look the same for both.
        var engine = NewEngine(Config("\"AccountFailures\": \"5/h\", \"LockoutAfterFailures\": 10, \"ChallengeAfterFailures\": 4"));
        var times = Enumerable.Range(0, 40).Select(i => T0.AddMinutes(i * 7)).ToArray();
        foreach (var at in times)
        {
            var existing = await Attempt(engine, "alice@example.com", at);
            var unknown = await Attempt(engine, "nobody-xyz@example.com", at, ip: "198.51.100.77");
            Assert.Equal(existing.Action, unknown.Action);
            Assert.Equal(existing.StatusCode, unknown.StatusCode);
            Assert.Equal(existing.ReasonCode, unknown.ReasonCode);
            Assert.Equal(existing.RetryAfter, unknown.RetryAfter);
            Assert.Equal(existing.Delay, unknown.Delay);
            Assert.Equal(existing.Limits.Select(l => (l.Name, l.Remaining, l.ResetSeconds)), unknown.Limits.Select(l => (l.Name, l.Remaining, l.ResetSeconds)));
        }
    }

    [Fact]
    public async Task A_reported_outcome_beats_the_status()
    {
        var engine = NewEngine(Config(Nothing.Replace("\"AccountFailures\": \"\"", "\"AccountFailures\": \"2/h\"", StringComparison.Ordinal)));

        // 200 with a reported failure counts; 401 with a reported success does not.
        await Attempt(engine, "alice", T0, status: 200, outcome: LoginOutcome.Failure);
        await Attempt(engine, "alice", T0.AddSeconds(1), status: 401, outcome: LoginOutcome.Success);
        await Attempt(engine, "alice", T0.AddSeconds(2), status: 200, outcome: LoginOutcome.Failure);
        Assert.Equal(429, (await Attempt(engine, "alice", T0.AddSeconds(3))).StatusCode);
    }

    [Fact]
    public async Task Failure_statuses_are_configurable()
    {
        var engine = NewEngine(Config(Nothing.Replace("\"AccountFailures\": \"\"", "\"AccountFailures\": \"2/h\", \"FailureStatuses\": [ \"400\" ]", StringComparison.Ordinal)));
        await Attempt(engine, "alice", T0, status: 401);
        await Attempt(engine, "alice", T0.AddSeconds(1), status: 401);
        Assert.Equal(DecisionAction.Allow, (await Attempt(engine, "alice", T0.AddSeconds(2), status: 400)).Action);
        await Attempt(engine, "alice", T0.AddSeconds(3), status: 400);
        Assert.Equal(429, (await Attempt(engine, "alice", T0.AddSeconds(4))).StatusCode);
    }

    [Fact]
    public async Task Counters_go_through_the_store_in_one_call_per_decision_and_the_lock_is_set_there()
    {
        var store = new AsyncCountingStore();
        var engine = NewEngine(Config("\"AccountFailures\": \"100/h\", \"ChallengeAfterFailures\": 0, \"DelayAfterFailures\": 0, \"LockoutAfterFailures\": 3"), store);
        for (var i = 0; i < 3; i++)
        {
            var before = store.Calls.Count;
            await Attempt(engine, "alice", T0.AddSeconds(i));

            // One call to decide, one to charge the failures (and, on the 3rd, one to set the lock).
            Assert.Contains(store.Calls[before], k => k.StartsWith("login/login-failures-account|alice", StringComparison.Ordinal));
            Assert.Contains(store.Calls[before], k => k.StartsWith("login/login-lock|alice", StringComparison.Ordinal));
            Assert.Contains(store.Calls[before], k => k.StartsWith("login/login-attempts-ip|", StringComparison.Ordinal));
        }

        Assert.Equal(["login/login-lock|alice"], store.Calls[^1]);

        // A second engine on the same store (another gateway) sees the lock.
        var other = NewEngine(Config("\"AccountFailures\": \"100/h\", \"ChallengeAfterFailures\": 0, \"DelayAfterFailures\": 0, \"LockoutAfterFailures\": 3"), store);
        Assert.Equal(ReasonCodes.LoginLocked, (await other.Decide(Login("alice", T0.AddSeconds(5)))).ReasonCode);
    }

    [Fact]
    public async Task LockoutBan_also_bans_the_account_on_every_route_for_the_lockout()
    {
        var engine = NewEngine(Config("\"AccountFailures\": \"100/h\", \"ChallengeAfterFailures\": 0, \"DelayAfterFailures\": 0, \"LockoutAfterFailures\": 2, \"LockoutMinutes\": 30, \"LockoutBan\": true"));
        await Attempt(engine, "Alice", T0);
        await Attempt(engine, "Alice", T0.AddSeconds(1));
        var ban = Assert.Single(engine.Bans.List(T0.AddSeconds(2)));
        Assert.Equal(BanTarget.Account, ban.Target);
        Assert.Equal(TimeSpan.FromMinutes(30), ban.ExpiresAt - ban.CreatedAt);
        var api = await engine.Decide(Request("GET", "/api/orders", account: "alice", at: T0.AddSeconds(2)));
        Assert.Equal(ReasonCodes.Banned, api.ReasonCode);
        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Request("GET", "/api/orders", account: "alice", at: T0.AddMinutes(31)))).Action);
    }

    [Fact]
    public async Task Attempts_without_an_account_are_limited_by_address_only()
    {
        var engine = NewEngine(Config());
        for (var i = 0; i < 10; i++)
        {
            var request = Request("POST", "/login", at: T0.AddSeconds(i));
            var decision = await engine.Decide(request);
            await engine.Feedback(decision, request, 401, TimeSpan.Zero);
            Assert.Equal(DecisionAction.Allow, decision.Action);
            Assert.Equal(["login-attempts-ip"], decision.Limits.Select(l => l.Name));
        }
    }

    /// <summary>An asynchronous store (like Redis) over the in-memory one, recording the keys of each call.</summary>
    private sealed class AsyncCountingStore : ICounterStore
    {
        private readonly InMemoryCounterStore _inner = new(10_000);

        public List<string[]> Calls { get; } = [];

        public async ValueTask ApplyAsync(ReadOnlyMemory<CounterOperation> operations, Memory<CounterResult> results, long nowTicks, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            lock (Calls)
            {
                Calls.Add(operations.ToArray().Select(o => o.Key).ToArray());
            }

            await _inner.ApplyAsync(operations, results, nowTicks, cancellationToken);
        }
    }
}
