namespace Bulwark.Core.Simulation;

/// <summary>What a scenario generates with: its own seeded random source, the data, the timeline, and where requests go.</summary>
public sealed class ScenarioContext
{
    private static readonly string[] SearchTerms =
    [
        "shoes", "running shoes", "laptop", "usb c cable", "headphones", "coffee", "desk lamp", "backpack", "kettle",
        "phone case", "monitor", "keyboard", "jacket", "yoga mat", "water bottle", "gift card", "socks", "camera",
        "sofa", "garden hose", "lego", "printer ink", "charger", "winter boots", "tea", "vacuum", "blender",
    ];

    private readonly List<SimulatedRequest> _requests;
    private long _ids;

    internal ScenarioContext(Random random, SimulationData data, SimulationOptions options, string label, List<SimulatedRequest> requests)
    {
        Random = random;
        Data = data;
        Options = options;
        Label = label;
        _requests = requests;
    }

    /// <summary>This scenario's random source (seeded from the run's seed and the scenario's name).</summary>
    public Random Random { get; }

    /// <summary>The real data.</summary>
    public SimulationData Data { get; }

    /// <summary>The run's options.</summary>
    public SimulationOptions Options { get; }

    /// <summary>The label every request of the scenario carries.</summary>
    public string Label { get; }

    /// <summary>Start of the timeline.</summary>
    public DateTimeOffset Start => Options.Start;

    /// <summary>End of the timeline.</summary>
    public DateTimeOffset End => Options.Start + Options.Duration;

    /// <summary>
    /// The password of <paramref name="account"/>: deterministic from the run's seed and the account, different between
    /// accounts (as real users' passwords are). Does not draw from <see cref="Random"/>, so adding it changes no other
    /// generated request.
    /// </summary>
    public string PasswordOf(string account) => Words(Mix(account, 0), 12);

    /// <summary>
    /// A mistyped password of <paramref name="account"/>: its own password with one character changed, the
    /// <paramref name="attempt"/>-th of that user (real typos are near the user's own password and differ between users,
    /// so they do not read as one password sprayed over many accounts).
    /// </summary>
    public string TypoOf(string account, int attempt = 0)
    {
        var password = PasswordOf(account);
        var h = Mix(account, (ulong)attempt + 1);
        var chars = password.ToCharArray();
        var at = (int)(h % (ulong)chars.Length);
        var replacement = Alphabet[(int)((h >> 16) % (ulong)Alphabet.Length)];
        chars[at] = replacement == chars[at] ? Alphabet[(Alphabet.IndexOf(replacement, StringComparison.Ordinal) + 1) % Alphabet.Length] : replacement;
        return new string(chars);
    }

    private const string Alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!#%";

    private ulong Mix(string account, ulong salt)
    {
        // FNV-1a over the account, then a SplitMix64 finaliser with the run's seed and the salt.
        var h = 14695981039346656037UL;
        foreach (var c in account)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        h ^= ((ulong)(uint)Options.Seed << 32) ^ (salt * 0x9E3779B97F4A7C15UL);
        h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9UL;
        h = (h ^ (h >> 27)) * 0x94D049BB133111EBUL;
        return h ^ (h >> 31);
    }

    private static string Words(ulong h, int length)
    {
        Span<char> chars = stackalloc char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = Alphabet[(int)(h % (ulong)Alphabet.Length)];
            h = (h / (ulong)Alphabet.Length) ^ ((h << 7) * 0x9E3779B97F4A7C15UL);
        }

        return new string(chars);
    }

    /// <summary>Adds a request.</summary>
    public void Emit(SimulatedRequest request) => _requests.Add(request);

    /// <summary>A time rounded down to the millisecond, as records carry it.</summary>
    public static DateTimeOffset Ms(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    /// <summary>A uniformly random time between <paramref name="from"/> and <paramref name="to"/>.</summary>
    public DateTimeOffset Between(DateTimeOffset from, DateTimeOffset to) =>
        Ms(from + TimeSpan.FromTicks((long)(Random.NextDouble() * (to - from).Ticks)));

    /// <summary>A standard normal draw (Box–Muller).</summary>
    public double Normal()
    {
        var u1 = 1.0 - Random.NextDouble();
        var u2 = Random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>A log-normal draw with the given median and log-scale spread (sigma).</summary>
    public double LogNormal(double median, double sigma) => median * Math.Exp(sigma * Normal());

    /// <summary>A human think time between two page actions: log-normal, median 5 s, sigma 0.9 (most between 1 and 30 s).</summary>
    public TimeSpan ThinkTime() => TimeSpan.FromSeconds(Math.Min(LogNormal(5, 0.9), 600));

    /// <summary>An exponential draw with the given mean (gaps of a Poisson process).</summary>
    public TimeSpan Exponential(TimeSpan mean) => TimeSpan.FromTicks((long)(-Math.Log(1.0 - Random.NextDouble()) * mean.Ticks));

    /// <summary>Upstream latency in milliseconds: log-normal around <paramref name="median"/>, one decimal.</summary>
    public double Latency(double median = 25) => Math.Round(LogNormal(median, 0.5), 1);

    /// <summary>A product id as shoppers pick them: popular low ids far more often (all within the demo's 1–50,000).</summary>
    public long PopularProductId() => 1 + (long)(Math.Pow(Random.NextDouble(), 3) * (DemoApiAnswers.MaxProductId - 1));

    /// <summary>A search term shoppers type.</summary>
    public string SearchTerm() => SearchTerms[Random.Next(SearchTerms.Length)];

    /// <summary>An opaque identifier (session, token) unique within the scenario.</summary>
    public string NewId(string prefix) => $"{prefix}{Random.NextInt64(1L << 40, 1L << 48):x12}{++_ids:x}";

    /// <summary>A browser User-Agent from the real list, by weight; <paramref name="desktop"/> restricts to desktop devices.</summary>
    public BrowserUserAgent Browser(bool desktop = false)
    {
        for (var i = 0; i < 100; i++)
        {
            var ua = Data.Browsers.Next(Random);
            if (!desktop || !ua.Mobile)
            {
                return ua;
            }
        }

        return Data.Browsers.Next(Random);
    }

    /// <summary>A browser user: a real User-Agent, the matching TLS fingerprint, the headers it sends.</summary>
    public BrowserClient NewBrowser(string ip, bool desktop = false)
    {
        var ua = Browser(desktop);
        return new BrowserClient(this, ua, Data.Fingerprints.ForBrowser(ua.Family, Random), ip, NewId("s_"));
    }

    /// <summary>A scripted client (HTTP library) with the given User-Agent and a library TLS fingerprint.</summary>
    public ScriptClient NewScript(string userAgent, Fingerprint? tls = null) => new(this, userAgent, tls ?? Data.Fingerprints.NextLibrary(Random));
}
