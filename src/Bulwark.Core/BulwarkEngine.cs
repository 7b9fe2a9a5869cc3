using System.Buffers;
using System.Diagnostics;
using System.Net;
using Bulwark.Core.Behavior;
using Bulwark.Core.Decisions;
using Bulwark.Core.Fingerprints;
using Bulwark.Core.Limits;
using Bulwark.Core.Lists;
using Bulwark.Core.Net;
using Bulwark.Core.Pipeline;
using Bulwark.Core.Policy;
using Bulwark.Core.Protections;
using Bulwark.Core.Scoring;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bulwark.Core;

/// <summary>
/// The decision engine: lists and bans → enrichers → detectors → score → limits → action. Knows nothing of HTTP servers;
/// every front door (middleware, gateway, decision endpoint, replay) calls <see cref="Decide"/> and then
/// <see cref="Feedback(Decision, RequestContext, int, TimeSpan, CancellationToken)"/>. Thread-safe. With an in-memory store a decision completes synchronously.
/// </summary>
public sealed partial class BulwarkEngine
{
    private const int MaxLimitsPerPolicy = 64;

    [ThreadStatic]
    private static CounterOperation[]? t_operations;

    [ThreadStatic]
    private static CounterResult[]? t_results;

    [ThreadStatic]
    private static int[]? t_limitIndexes;

    [ThreadStatic]
    private static PendingOperation[]? t_pending;

    private readonly ICounterStore _store;
    private readonly ISynchronousCounterStore? _syncStore;
    private readonly bool _keysByHash;
    private readonly IEnricher[] _enrichers;
    private readonly IDetector[] _detectors;
    private readonly IScorer _scorer;
    private readonly BulwarkMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ISynchronousCounterStore? _fallbackStore;
    private readonly double _fallbackShare;
    private volatile CompiledConfiguration _configuration;

    /// <summary>Creates an engine for validated <paramref name="options"/>.</summary>
    /// <param name="options">The configuration (validate it first with <see cref="BulwarkConfigReader"/>).</param>
    /// <param name="store">Where counters live; default an in-memory store bounded by <c>State:Memory:MaxEntries</c>.</param>
    /// <param name="enrichers">Enrichers, run in order.</param>
    /// <param name="detectors">Detectors, run in order; default the built-in ones and the behavioural ones (<see cref="BehaviorComponents"/>).</param>
    /// <param name="scorer">Default: the sum of weights, clamped to 100.</param>
    /// <param name="bans">The ban list (shared with an admin API); default a new one.</param>
    /// <param name="metrics">Where decisions are counted; default a plain <c>Bulwark</c> meter.</param>
    /// <param name="logger">Where detector and store failures go.</param>
    /// <param name="fallbackStore">
    /// Where fail-open policies count while a shared <paramref name="store"/> is unavailable: local limits, each scaled to
    /// <paramref name="fallbackShare"/> of the configured rate (this gateway's share of the global limit). Null: fail-open
    /// policies skip their limits while the store is down.
    /// </param>
    /// <param name="fallbackShare">The share of each limit a gateway enforces on its own (0–1, default 0.5).</param>
    public BulwarkEngine(
        BulwarkOptions options,
        ICounterStore? store = null,
        IEnumerable<IEnricher>? enrichers = null,
        IEnumerable<IDetector>? detectors = null,
        IScorer? scorer = null,
        BanList? bans = null,
        BulwarkMetrics? metrics = null,
        ILogger<BulwarkEngine>? logger = null,
        ISynchronousCounterStore? fallbackStore = null,
        double fallbackShare = 0.5)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fallbackShare);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fallbackShare, 1.0);
        _fallbackStore = fallbackStore;
        _fallbackShare = fallbackShare;
        ArgumentNullException.ThrowIfNull(options);
        _configuration = CompiledConfiguration.Compile(options);
        _store = store ?? new InMemoryCounterStore(options.State.Memory.MaxEntries);
        _syncStore = _store as ISynchronousCounterStore;

        // The in-memory store keys counters by hash alone: its operations carry the hash and never a key string.
        _keysByHash = _store is InMemoryCounterStore;
        _enrichers = enrichers?.ToArray() ?? [];
        Bans = bans ?? new BanList();
        _detectors = detectors?.ToArray() ?? [.. DefaultDetectors(), .. BehaviorComponents.Detectors(options, Bans)];
        _scorer = scorer ?? SumScorer.Instance;
        _metrics = metrics ?? new BulwarkMetrics();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        LogSchemaWarnings(_configuration);
    }

    /// <summary>The built-in detectors that need no data files.</summary>
    public static IDetector[] DefaultDetectors() => [new UserAgentPresenceDetector()];

    /// <summary>The detectors, in the order they run.</summary>
    public IReadOnlyList<IDetector> Detectors => _detectors;

    /// <summary>The configuration in force.</summary>
    public CompiledConfiguration Configuration => _configuration;

    /// <summary>Manual and automatic bans with a time to live.</summary>
    public BanList Bans { get; }

    /// <summary>The counter store.</summary>
    public ICounterStore Store => _store;

    /// <summary>
    /// Swaps in a new configuration atomically. Decisions in flight finish on the old one. Counters are kept: a limit
    /// whose policy and name did not change keeps counting where it was.
    /// </summary>
    public void Reload(BulwarkOptions options)
    {
        _configuration = CompiledConfiguration.Compile(options);
        LogSchemaWarnings(_configuration);
    }

    /// <summary>The policy (and route) that applies to a request, or null: lets a front door skip work when none does.</summary>
    public (CompiledPolicy? Policy, CompiledRoute? Route) ResolvePolicy(string method, string path, string? policyName)
    {
        var configuration = _configuration;
        var route = configuration.MatchRoute(method, path);
        if (policyName is not null)
        {
            return (configuration.Policies.GetValueOrDefault(policyName), route);
        }

        return (route?.Policy ?? configuration.UncoveredPolicy(path), route);
    }

    /// <summary>
    /// Whether a request no policy covers could still be refused: the deny list or the ban list has entries. A front door
    /// that skips <see cref="Decide"/> for uncovered requests must decide them while this is true, or a denied or banned
    /// client would still reach every path outside the covered routes.
    /// </summary>
    public bool RefusesUncovered => !_configuration.DenyList.IsEmpty || Bans.Count > 0;

    /// <summary>
    /// Decides what to do with <paramref name="request"/>. Never throws for a request's content or a failing store:
    /// failures degrade to the policy's fail mode. Completes synchronously with an in-memory store.
    /// </summary>
    public ValueTask<Decision> Decide(RequestContext request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = Stopwatch.GetTimestamp();
        var configuration = _configuration;
        var (policy, route) = ResolvePolicy(configuration, request);
        if (policy is null)
        {
            return new ValueTask<Decision>(DecideUncovered(configuration, request, started));
        }

        var ip = request.ClientIp.IsIPv4MappedToIPv6 ? request.ClientIp.MapToIPv4() : request.ClientIp;
        var actor = ActorOf(configuration, request, ip);

        var listed = CheckLists(configuration, policy, route, request, ip, actor);
        if (listed is not null)
        {
            _metrics.Record(listed, started);
            return new ValueTask<Decision>(listed);
        }

        if (CheckSchema(configuration, policy, request, actor) is { } invalid)
        {
            _metrics.Record(invalid, started);
            return new ValueTask<Decision>(invalid);
        }

        var context = new EvaluationContext(policy, route?.Pattern.Text);
        RunDetectors(request, context);
        var score = _scorer.Score(context);
        if (policy.ChallengeThreshold > 0 && score >= policy.ChallengeThreshold)
        {
            context.AddTier("high");
        }

        if (policy.DelayThreshold > 0 && score >= policy.DelayThreshold)
        {
            context.AddTier("elevated");
        }

        if (context.Asn is { } asn)
        {
            actor = actor with { Asn = asn };
        }

        var limits = policy.Limits;
        if (limits.Count == 0)
        {
            var plain = Finish(request, policy, context, actor, score, [], [], [], 0, storeFailed: false, started, route);
            return new ValueTask<Decision>(plain);
        }

        var count = Math.Min(limits.Count, MaxLimitsPerPolicy);
        if (_syncStore is not null)
        {
            var operations = t_operations ??= new CounterOperation[MaxLimitsPerPolicy];
            var results = t_results ??= new CounterResult[MaxLimitsPerPolicy];
            var limitIndexes = t_limitIndexes ??= new int[MaxLimitsPerPolicy];
            var used = BuildOperations(configuration, policy, route, request, context, _keysByHash, operations.AsSpan(0, count), limitIndexes);
            try
            {
                _syncStore.Apply(operations.AsSpan(0, used), results.AsSpan(0, used), request.Timestamp.UtcTicks);
            }
            catch (Exception exception)
            {
                _metrics.StoreError();
                LogStoreFailure(_logger, exception);
                operations.AsSpan(0, used).Clear();
                return new ValueTask<Decision>(Finish(request, policy, context, actor, score, [], [], [], 0, storeFailed: true, started, route));
            }

            var decision = Finish(request, policy, context, actor, score, operations.AsSpan(0, used), results.AsSpan(0, used), limitIndexes, used, storeFailed: false, started, route);
            operations.AsSpan(0, used).Clear(); // drop key references
            return new ValueTask<Decision>(decision);
        }

        return DecideAsync(configuration, policy, route, request, context, actor, score, count, started, cancellationToken);
    }

    private async ValueTask<Decision> DecideAsync(
        CompiledConfiguration configuration, CompiledPolicy policy, CompiledRoute? route, RequestContext request,
        EvaluationContext context, ActorKeys actor, int score, int count, long started, CancellationToken cancellationToken)
    {
        var operations = ArrayPool<CounterOperation>.Shared.Rent(count);
        var results = ArrayPool<CounterResult>.Shared.Rent(count);
        var limitIndexes = ArrayPool<int>.Shared.Rent(count);
        try
        {
            var used = BuildOperations(configuration, policy, route, request, context, keysByHash: false, operations.AsSpan(0, count), limitIndexes);
            try
            {
                await _store.ApplyAsync(operations.AsMemory(0, used), results.AsMemory(0, used), request.Timestamp.UtcTicks, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                _metrics.StoreError();
                LogStoreFailure(_logger, exception);
                if (!policy.FailClosed && _fallbackStore is not null)
                {
                    ScaleToShare(operations.AsSpan(0, used), _fallbackShare);
                    _fallbackStore.Apply(operations.AsSpan(0, used), results.AsSpan(0, used), request.Timestamp.UtcTicks);
                    return Finish(request, policy, context, actor, score, operations.AsSpan(0, used), results.AsSpan(0, used), limitIndexes, used, storeFailed: true, started, route);
                }

                return Finish(request, policy, context, actor, score, [], [], [], 0, storeFailed: true, started, route);
            }

            return Finish(request, policy, context, actor, score, operations.AsSpan(0, used), results.AsSpan(0, used), limitIndexes, used, storeFailed: false, started, route);
        }
        finally
        {
            ArrayPool<CounterOperation>.Shared.Return(operations, clearArray: true);
            ArrayPool<CounterResult>.Shared.Return(results);
            ArrayPool<int>.Shared.Return(limitIndexes);
        }
    }

    /// <summary>
    /// Reports what the upstream answered (status 0 when the client went away first). Charges failure-counting limits,
    /// releases concurrency leases, and lets detectors learn. Safe to call once per decision; later calls do nothing.
    /// </summary>
    public ValueTask Feedback(Decision decision, RequestContext request, int statusCode, TimeSpan latency, CancellationToken cancellationToken = default) =>
        Feedback(decision, request, statusCode, latency, LoginOutcome.Unknown, cancellationToken);

    // This gateway's share of each limit while it counts alone; never below one permit where the limit allows any.
    private static void ScaleToShare(Span<CounterOperation> operations, double share)
    {
        foreach (ref var operation in operations)
        {
            if (operation.Permits > 0)
            {
                operation.Permits = Math.Max(1, (long)(operation.Permits * share));
                operation.Burst = Math.Max(1, (long)(operation.Burst * share));
            }

            // Concurrency leases taken locally are released locally: feedback for them goes to the same store it came from.
        }
    }

    private static (CompiledPolicy? Policy, CompiledRoute? Route) ResolvePolicy(CompiledConfiguration configuration, RequestContext request)
    {
        var route = configuration.MatchRoute(request.Method, request.Path);
        if (request.PolicyName is not null)
        {
            return (configuration.Policies.GetValueOrDefault(request.PolicyName), route);
        }

        return (route?.Policy ?? configuration.UncoveredPolicy(request.Path), route);
    }

    private static ActorKeys ActorOf(CompiledConfiguration configuration, RequestContext request, IPAddress ip) => new()
    {
        Ip = IpAddressExtensions.FormatGroup(ip, configuration.Ipv6Prefix),
        ApiKey = request.ApiKey,
        Account = request.Account,
        Session = request.Session,
        Ja4 = request.Tls?.Ja4,
    };

    // The deny list and bans hold wherever the client goes, also on paths no route covers: decided under the built-in
    // "uncovered" policy (no limits or detectors run; monitor when the whole configuration is).
    private Decision DecideUncovered(CompiledConfiguration configuration, RequestContext request, long started)
    {
        if (configuration.DenyList.IsEmpty && Bans.Count == 0)
        {
            return Decision.NotCovered;
        }

        var ip = request.ClientIp.IsIPv4MappedToIPv6 ? request.ClientIp.MapToIPv4() : request.ClientIp;
        var policy = configuration.UncoveredListPolicy;
        var actor = ActorOf(configuration, request, ip);
        // The allow list wins here as it does on covered routes: an allowed client passes, not decided further.
        if (CheckLists(configuration, policy, null, request, ip, actor) is not { Action: DecisionAction.Block } listed)
        {
            return Decision.NotCovered;
        }

        _metrics.Record(listed, started);
        return listed;
    }

    private Decision? CheckLists(CompiledConfiguration configuration, CompiledPolicy policy, CompiledRoute? route, RequestContext request, IPAddress ip, ActorKeys actor)
    {
        // Details name the kind of match, never the value: decision records leave the process.
        if (!configuration.AllowList.IsEmpty && configuration.AllowList.TryMatch(ip, request.ApiKey, request.Account, out _))
        {
            return ListDecision(request, policy, actor, DecisionAction.Allow, 200, ReasonCodes.AllowListed, "allow_list", "client is on the allow list");
        }

        if (!configuration.DenyList.IsEmpty && configuration.DenyList.TryMatch(ip, request.ApiKey, request.Account, out _))
        {
            return ListDecision(request, policy, actor, DecisionAction.Block, 403, ReasonCodes.Denied, "deny_list", "client is on the deny list", savedUsd: Saved(route, DecisionAction.Block));
        }

        if (Bans.TryMatch(ip, request.ApiKey, request.Account, request.Tls?.Ja4 ?? request.Tls?.Ja3, request.Timestamp, out var ban))
        {
            var expiresIn = Math.Max(1, (long)Math.Ceiling((ban.ExpiresAt - request.Timestamp).TotalSeconds));
            return ListDecision(request, policy, actor, DecisionAction.Block, 403, ReasonCodes.Banned, "banned",
                $"{ban.Target} ban, {expiresIn} s left: {ban.Reason}", TimeSpan.FromSeconds(expiresIn), Saved(route, DecisionAction.Block));
        }

        return null;
    }

    private static Decision ListDecision(
        RequestContext request, CompiledPolicy policy, ActorKeys actor, DecisionAction action, int status, string code,
        string signal, string detail, TimeSpan? retryAfter = null, decimal savedUsd = 0m) => new()
        {
            Id = DecisionIds.Next(),
            Action = action,
            StatusCode = status,
            Score = action == DecisionAction.Block ? 100 : 0,
            ReasonCode = code,
            Reasons = [new DecisionReason(signal, 0, detail)],
            Actor = actor,
            Policy = policy.Name,
            Enforced = !policy.Monitor,
            Timestamp = request.Timestamp,
            RetryAfter = retryAfter,
            SavedUsd = savedUsd,
        };

    private void RunDetectors(RequestContext request, EvaluationContext context)
    {
        foreach (var enricher in _enrichers)
        {
            try
            {
                enricher.Enrich(request, context);
            }
            catch (Exception exception)
            {
                LogDetectorFailure(_logger, enricher.GetType().Name, exception);
            }
        }

        foreach (var detector in _detectors)
        {
            try
            {
                detector.Detect(request, context);
            }
            catch (Exception exception)
            {
                LogDetectorFailure(_logger, detector.GetType().Name, exception);
            }
        }
    }

    /// <summary>
    /// Fills <paramref name="operations"/> with the request's counter operations, in limit order, and
    /// <paramref name="limitIndexes"/> with the index of each one's limit in the policy. With <paramref name="keysByHash"/>
    /// (the in-memory store) the keys are hashed from the stack and never become strings.
    /// </summary>
    private static int BuildOperations(
        CompiledConfiguration configuration, CompiledPolicy policy, CompiledRoute? route, RequestContext request,
        EvaluationContext context, bool keysByHash, Span<CounterOperation> operations, Span<int> limitIndexes)
    {
        var used = 0;
        var limits = policy.LimitArray;
        var mobile = context.HasTier("mobile");

        // One key buffer for all of the request's keys: they are hashed from it and never become strings.
        var keyBuffer = keysByHash ? stackalloc char[LimitKeyBuilder.BufferLength] : [];
        for (var i = 0; i < operations.Length; i++)
        {
            var limit = limits[i];

            // Carrier-grade NAT puts thousands of users behind one mobile address: never refuse them on its volume alone.
            if (mobile && limit.Key.IsAddressOnly)
            {
                continue;
            }

            if (!TryBuildKey(limit, route, request, context, configuration.Ipv6Prefix, keyBuffer, out var key, out var keyHash))
            {
                continue;
            }

            var (rate, burst) = SelectRate(limit, context);
            limitIndexes[used] = i;
            operations[used++] = new CounterOperation
            {
                Key = key!,
                KeyHash = keyHash,
                Algorithm = limit.Algorithm,
                Mode = limit.Count == LimitCount.Failures ? CounterMode.Peek : CounterMode.Acquire,
                Permits = rate.Permits,
                PeriodTicks = rate.Period.Ticks,
                Burst = burst,
                Cost = limit.Count == LimitCount.Cost ? route?.Cost ?? 1 : 1,
                MaxDelayTicks = limit.DelayOnLimit ? policy.MaxDelay.Ticks : 0,
            };
            if (limit.Role != ProtectionRole.None)
            {
                AdjustProtection(limit, route, ref operations[used - 1]);
            }
        }

        return used;
    }

    private static (RateSpec Rate, long Burst) SelectRate(CompiledLimit limit, EvaluationContext context)
    {
        if (limit.TierArray.Length == 0 || context.Tiers.Count == 0)
        {
            return (limit.Rate, limit.Burst);
        }

        foreach (var tier in limit.TierArray)
        {
            if (context.HasTier(tier.When))
            {
                return (tier.Rate, tier.Burst);
            }
        }

        return (limit.Rate, limit.Burst);
    }

    private Decision Finish(
        RequestContext request, CompiledPolicy policy, EvaluationContext context, ActorKeys actor, int score,
        ReadOnlySpan<CounterOperation> operations, ReadOnlySpan<CounterResult> results, ReadOnlySpan<int> limitIndexes, int count, bool storeFailed,
        long started, CompiledRoute? route)
    {
        var action = DecisionAction.Allow;
        var status = 200;
        var code = ReasonCodes.Allowed;
        var delay = TimeSpan.Zero;
        TimeSpan? retryAfter = null;
        var reasons = new List<DecisionReason>(context.Signals.Count + 1);
        reasons.AddRange(context.Signals);

        LimitStatus[] statuses = count == 0 ? [] : new LimitStatus[count];
        LimitStatus? deciding = null;

        // Operations left open until feedback gather in a per-thread scratch and leave it as one array of the exact size.
        var pending = count == 0 ? null : t_pending ??= new PendingOperation[MaxLimitsPerPolicy];
        var pendingCount = 0;
        var statusCount = 0;
        var login = default(LoginState);
        var limits = policy.LimitArray;
        CompiledLimit? lockout = null;
        int lockoutIndex = -1, lockIndex = -1;
        for (var i = 0; i < count; i++)
        {
            ref readonly var operation = ref operations[i];
            ref readonly var result = ref results[i];
            var limit = limits[limitIndexes[i]];
            if (limit.Role != ProtectionRole.None && ObserveProtection(limit, in operation, in result, ref login))
            {
                if (limit.Role == ProtectionRole.LoginLockoutCount)
                {
                    lockout = limit;
                    lockoutIndex = i;
                }
                else if (limit.Role == ProtectionRole.LoginLock)
                {
                    lockIndex = i;
                }

                if (limit.Count == LimitCount.Failures)
                {
                    pending![pendingCount++] = new(operation with { Mode = CounterMode.Charge, Cost = 1, MaxDelayTicks = 0 }, limit);
                }

                continue;
            }

            var limitStatus = new LimitStatus(
                limit.Name,
                operation.Permits,
                Math.Max(1, operation.PeriodTicks / TimeSpan.TicksPerSecond),
                result.Remaining,
                CeilSeconds(result.ResetAfterTicks),
                result.Allowed,
                CeilSeconds(result.RetryAfterTicks));
            statuses[statusCount++] = limitStatus;

            if (!result.Allowed)
            {
                action = DecisionAction.Block;
                status = 429;
                code = operation.Algorithm == LimitAlgorithm.Concurrency ? ReasonCodes.ConcurrencyLimited : ReasonCodes.RateLimited;
                var retry = TimeSpan.FromSeconds(Math.Max(1, limitStatus.RetryAfterSeconds));
                retryAfter = retryAfter is null || retry > retryAfter ? retry : retryAfter;
                reasons.Add(new DecisionReason("rate_limit", 0, LimitReasonDetail.Exceeded(limit, operation, Math.Max(1, limitStatus.RetryAfterSeconds))));
            }
            else if (result.DelayTicks > 0)
            {
                var wait = TimeSpan.FromTicks(result.DelayTicks);
                delay = wait > delay ? wait : delay;
                reasons.Add(new DecisionReason("rate_limit_delay", 0, LimitReasonDetail.Held(limit, operation, wait)));
            }

            // The deciding limit: the first that refused, else the one with the fewest permits left.
            if (!limitStatus.Allowed ? deciding is null || deciding.Allowed : deciding is null || (deciding.Allowed && limitStatus.Remaining < deciding.Remaining))
            {
                deciding = limitStatus;
            }

            if (limit.Count == LimitCount.Failures)
            {
                pending![pendingCount++] = new(operation with { Mode = CounterMode.Charge, Cost = 1, MaxDelayTicks = 0 }, limit);
            }
            else if (operation.Algorithm == LimitAlgorithm.Concurrency && result.Spent)
            {
                pending![pendingCount++] = new(operation with { Mode = CounterMode.Release }, null);
            }
        }

        PendingFeedback? pendingFeedback = null;
        if (pendingCount > 0)
        {
            var (lockKey, lockKeyHash) = lockout is null ? default : LockKey(lockout, operations, lockoutIndex, lockIndex, request, context);
            pendingFeedback = new PendingFeedback(pending.AsSpan(0, pendingCount).ToArray(), local: storeFailed, lockKey, lockKeyHash);
            pending.AsSpan(0, pendingCount).Clear(); // drop references held by the scratch
        }

        if (storeFailed)
        {
            reasons.Add(new DecisionReason("store_unavailable", 0, policy.FailClosed
                ? "counter store failed; fail mode closed"
                : count > 0 ? $"counter store failed; fail mode open, local limits at {_fallbackShare:P0}" : "counter store failed; fail mode open, limits skipped"));
            if (policy.FailClosed)
            {
                action = DecisionAction.Block;
                status = 503;
                code = ReasonCodes.Unavailable;
                retryAfter = TimeSpan.FromSeconds(5);
            }
        }

        if (action == DecisionAction.Allow)
        {
            if (delay > TimeSpan.Zero)
            {
                action = DecisionAction.Delay;
                code = ReasonCodes.RateLimited;
            }

            if (policy.BlockThreshold > 0 && score >= policy.BlockThreshold)
            {
                action = DecisionAction.Block;
                status = 403;
                code = ReasonCodes.HighRisk;
            }
            else if (policy.ChallengeThreshold > 0 && score >= policy.ChallengeThreshold && request.ChallengePassed)
            {
                // A solved challenge satisfies the score challenge: the request goes on (held only by a limit's delay).
                code = delay > TimeSpan.Zero ? code : ReasonCodes.ChallengePassed;
                reasons.Add(new DecisionReason(ReasonCodes.ChallengePassed, 0, $"score {score} reached the challenge threshold {policy.ChallengeThreshold}; the client holds a valid pass"));
            }
            else if (policy.ChallengeThreshold > 0 && score >= policy.ChallengeThreshold)
            {
                action = DecisionAction.Challenge;
                status = 401;
                code = ReasonCodes.ChallengeRequired;
            }
            else if (policy.DelayThreshold > 0 && score >= policy.DelayThreshold)
            {
                var scoreDelay = ScoreDelay(policy, score);
                if (scoreDelay > delay)
                {
                    delay = scoreDelay;
                    code = ReasonCodes.HighRisk;
                }

                action = DecisionAction.Delay;
            }
        }

        if (policy.Login is { } loginPreset)
        {
            ApplyLogin(loginPreset, in login, request.ChallengePassed, ref action, ref status, ref code, ref delay, ref retryAfter, reasons);
        }

        // Step-up: a hosting-network request that the score alone would hold up is passed on with a second-factor request.
        var stepUp = false;
        if (policy.StepUp && action != DecisionAction.Allow && status != 429 && status != 503 && code != ReasonCodes.RateLimited && context.HasTier("hosting"))
        {
            action = DecisionAction.Allow;
            status = 200;
            code = ReasonCodes.StepUp;
            stepUp = true;
        }

        if (action != DecisionAction.Delay)
        {
            delay = TimeSpan.Zero;
        }

        var decision = new Decision
        {
            Id = DecisionIds.Next(),
            Action = action,
            StatusCode = status,
            Score = score,
            ReasonCode = code,
            Reasons = reasons,
            Limit = deciding,
            Limits = statusCount == statuses.Length ? statuses : statuses[..statusCount],
            Actor = actor,
            Policy = policy.Name,
            Enforced = !policy.Monitor,
            Delay = delay,
            RetryAfter = retryAfter,
            Timestamp = request.Timestamp,
            Tiers = context.Tiers,
            StepUp = stepUp,
            SavedUsd = Saved(route, action),
            Pending = pendingFeedback,
        };
        _metrics.Record(decision, started);
        return decision;
    }

    private static TimeSpan ScoreDelay(CompiledPolicy policy, int score)
    {
        var span = policy.ChallengeThreshold > policy.DelayThreshold ? policy.ChallengeThreshold - policy.DelayThreshold : 100 - policy.DelayThreshold;
        var fraction = span <= 0 ? 1.0 : Math.Clamp((double)(score - policy.DelayThreshold) / span, 0, 1);
        var delay = policy.BaseDelay + ((policy.MaxDelay - policy.BaseDelay) * fraction);
        return delay > policy.MaxDelay ? policy.MaxDelay : delay;
    }

    private static long CeilSeconds(long ticks) => ticks <= 0 ? 0 : (ticks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Counter store failed; applying the policy's fail mode")]
    private static partial void LogStoreFailure(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "{Component} failed; its signals are skipped for this request")]
    private static partial void LogDetectorFailure(ILogger logger, string component, Exception exception);
}
