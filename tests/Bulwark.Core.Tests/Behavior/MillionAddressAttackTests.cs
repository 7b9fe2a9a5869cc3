using System.Diagnostics;
using System.Globalization;
using Bulwark.Core.Behavior;
using Bulwark.Core.Decisions;
using Bulwark.Core.Policy;
using Bulwark.Core.Tests.Data;
using Bulwark.Core.Tests.Limits;
using Xunit.Abstractions;
using static Bulwark.Core.Tests.Behavior.BehaviorKit;

namespace Bulwark.Core.Tests.Behavior;

/// <summary>
/// The distributed scrape: one request from each of 1,000,000 distinct addresses, all made by python-requests (its real
/// JA4, captured here from the installed library) behind rotating Chrome User-Agents, against the search route of the
/// default policy, mixed with people searching from browsers. Per-address limits cannot see it; the velocity detector
/// must. Runs alone (it reads the heap).
/// </summary>
[Collection(MemoryMeasurementCollection.Name)]
public sealed class MillionAddressAttackTests(ITestOutputHelper output)
{
    private const int AttackRequests = 1_000_000;
    private const double AttackPerSecond = 500;
    private const double PeoplePerSecond = 1.25; // new people arriving; each searches 8 times on average: about 10 searches a second
    private const double MeanSearches = 8;

    [DataFact(UserAgentsFile, Ja4File)]
    public void A_million_addresses_with_one_client_fingerprint_are_stopped_and_people_are_not()
    {
        AssertFixturesHoldBrowserJa4s();
        var pythonJa4 = CapturePythonRequestsJa4(out var why);
        Assert.True(pythonJa4 is not null, why);
        output.WriteLine($"python-requests JA4 (captured from python3 on loopback): {pythonJa4}");

        var loaded = BulwarkConfigLoader.LoadFile(Path.Combine(TestData.RepositoryRoot, "samples", "bulwark.json"), includeEnvironment: false);
        Assert.True(loaded.Options is not null, string.Join("\n", loaded.Errors));
        var engine = new BulwarkEngine(loaded.Options!);

        var random = new Random(2026);
        var chrome = ChromeAgents;
        var people = new PriorityQueue<Person, long>();
        var start = Start;
        var warmUpEnd = start.AddMinutes(10);
        var nextArrival = start;
        var nextAttack = warmUpEnd;
        var attackSent = 0;
        long mitigatedAfterFirst1000 = 0, attackAfterFirst1000 = 0, firstMitigated = -1;
        long humanRequests = 0, humanRefused = 0, humanDelayed = 0, humanDuringAttack = 0, humanRefusedDuringAttack = 0;
        var nextPersonId = 0;
        var peakHeap = GC.GetTotalMemory(forceFullCollection: true);
        var baselineHeap = peakHeap;
        var watch = Stopwatch.StartNew();
        var refusals = new Dictionary<string, int>();

        while (attackSent < AttackRequests)
        {
            // Whichever comes first: a new person, a person's next search, or the next attack request.
            var personAt = people.TryPeek(out _, out var personTicks) ? personTicks : long.MaxValue;
            var attackAt = nextAttack.UtcTicks;
            if (nextArrival.UtcTicks <= personAt && nextArrival.UtcTicks <= attackAt)
            {
                var agent = Agents[random.Next(Agents.Length)];
                var id = nextPersonId++;
                var searches = 1 + (int)Math.Floor(-Math.Log(1 - random.NextDouble()) * (MeanSearches - 1));
                people.Enqueue(new Person(id, agent, $"10.{(id >> 16) & 255}.{(id >> 8) & 255}.{id & 255}", searches), nextArrival.UtcTicks);
                nextArrival = nextArrival.AddSeconds(-Math.Log(1 - random.NextDouble()) / PeoplePerSecond);
                continue;
            }

            if (personAt <= attackAt)
            {
                var person = people.Dequeue();
                var at = new DateTimeOffset(personAt, TimeSpan.Zero);
                var decision = Run(engine, Browser("GET", "/api/search", person.Ip, at, person.Agent, session: "session-" + person.Id));
                humanRequests++;
                var refused = Refused(decision);
                if (refused)
                {
                    humanRefused++;
                    foreach (var reason in decision.Reasons)
                    {
                        refusals[reason.Signal] = refusals.GetValueOrDefault(reason.Signal) + 1;
                    }
                }

                humanDelayed += decision.Action == DecisionAction.Delay ? 1 : 0;
                if (at >= warmUpEnd)
                {
                    humanDuringAttack++;
                    humanRefusedDuringAttack += refused ? 1 : 0;
                }

                if (--person.SearchesLeft > 0)
                {
                    people.Enqueue(person, at.AddSeconds(ThinkSeconds(random)).UtcTicks);
                }

                continue;
            }

            // One request from a new residential address: a python-requests handshake under a rotating Chrome User-Agent.
            var n = attackSent;
            var ip = string.Create(CultureInfo.InvariantCulture, $"{(n % 3 == 0 ? 24 : n % 3 == 1 ? 73 : 98) + (n / 16_000_000)}.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}");
            var attack = Run(engine, Script("GET", "/api/search", ip, nextAttack, pythonJa4!, chrome[random.Next(chrome.Length)]));
            var mitigated = Refused(attack);
            if (mitigated && firstMitigated < 0)
            {
                firstMitigated = attackSent;
            }

            if (attackSent >= 1_000)
            {
                attackAfterFirst1000++;
                mitigatedAfterFirst1000 += mitigated ? 1 : 0;
            }

            attackSent++;
            nextAttack = nextAttack.AddTicks((long)(TimeSpan.TicksPerSecond / AttackPerSecond));
            if (attackSent % 50_000 == 0)
            {
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(forceFullCollection: false));
            }
        }

        watch.Stop();
        peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(forceFullCollection: false));
        using var process = Process.GetCurrentProcess();
        var attackShare = (double)mitigatedAfterFirst1000 / attackAfterFirst1000;
        var humanShare = (double)humanRefused / humanRequests;
        output.WriteLine($"attack: {AttackRequests:N0} requests from {AttackRequests:N0} addresses at {AttackPerSecond}/s; first mitigated at #{firstMitigated}; after the first 1,000: {mitigatedAfterFirst1000:N0} of {attackAfterFirst1000:N0} mitigated = {attackShare:P3}");
        output.WriteLine($"people: {nextPersonId:N0} people, {humanRequests:N0} searches ({humanDuringAttack:N0} during the attack); refused {humanRefused} = {humanShare:P3} ({humanRefusedDuringAttack} during the attack); delayed {humanDelayed}; refusal signals: {string.Join(", ", refusals.Select(p => $"{p.Key}={p.Value}"))}");
        output.WriteLine($"memory: managed heap peak {(peakHeap - baselineHeap) / 1e6:F1} MB above the start ({peakHeap / 1e6:F1} MB total), process peak working set {process.PeakWorkingSet64 / 1e6:F0} MB; actors held {ActorCount(engine)}");
        output.WriteLine($"wall time: {watch.Elapsed.TotalSeconds:F1} s for {AttackRequests + humanRequests:N0} decisions with feedback");

        Assert.True(attackShare >= 0.99, $"only {attackShare:P3} of the attack mitigated after the first 1,000");
        Assert.True(humanShare <= 0.001, $"{humanShare:P3} of people refused");
        Assert.True(humanDuringAttack > 15_000, $"only {humanDuringAttack} searches by people during the attack");
        Assert.InRange(ActorCount(engine), 1, loaded.Options!.Behavior.MaxActors);
    }

    private static bool Refused(Decision decision) => decision.Action is DecisionAction.Block or DecisionAction.Challenge;

    private static int ActorCount(BulwarkEngine engine) =>
        engine.Detectors.OfType<TimingDetector>().Single().State.ActorCount;

    private sealed class Person(int id, string agent, string ip, int searches)
    {
        public int Id { get; } = id;

        public string Agent { get; } = agent;

        public string Ip { get; } = ip;

        public int SearchesLeft { get; set; } = searches;
    }
}
