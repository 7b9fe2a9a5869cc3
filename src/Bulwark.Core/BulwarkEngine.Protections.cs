using Bulwark.Core.Decisions;
using Bulwark.Core.Limits;
using Bulwark.Core.Lists;
using Bulwark.Core.Pipeline;
using Bulwark.Core.Policy;
using Bulwark.Core.Protections;

namespace Bulwark.Core;

/// <summary>The presets' part of the engine: login delays, challenge and lockout, OTP destination keys, budgets in money.</summary>
public sealed partial class BulwarkEngine
{
    /// <summary>
    /// Like <see cref="Feedback(Decision, RequestContext, int, TimeSpan, CancellationToken)"/>, with the login outcome the
    /// application reported (response header or in-process API). For the login preset's failure counters a reported
    /// outcome wins over the status; <see cref="LoginOutcome.Unknown"/> leaves the status to decide.
    /// </summary>
    public ValueTask Feedback(Decision decision, RequestContext request, int statusCode, TimeSpan latency, LoginOutcome loginOutcome, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(request);
        if (!decision.Covered)
        {
            return ValueTask.CompletedTask;
        }

        foreach (var detector in _detectors)
        {
            try
            {
                detector.Observe(request, decision, statusCode, latency);
            }
            catch (Exception exception)
            {
                LogDetectorFailure(_logger, detector.GetType().Name, exception);
            }
        }

        var pending = decision.Pending;
        if (pending is null || !pending.TrySettle())
        {
            return ValueTask.CompletedTask;
        }

        var used = 0;
        var lockoutAt = -1;
        CompiledLimit? lockout = null;
        var array = new CounterOperation[pending.Operations.Length];
        foreach (var (operation, failureLimit) in pending.Operations)
        {
            if (failureLimit is null || IsFailure(failureLimit, statusCode, loginOutcome))
            {
                if (failureLimit?.Role == ProtectionRole.LoginLockoutCount)
                {
                    lockout = failureLimit;
                    lockoutAt = used;
                }

                array[used++] = operation;
            }
        }

        if (used == 0)
        {
            return ValueTask.CompletedTask;
        }

        array = used == array.Length ? array : array[..used];
        var results = new CounterResult[array.Length];
        var nowTicks = decision.Timestamp.UtcTicks + latency.Ticks;
        var syncStore = pending.Local ? _fallbackStore : _syncStore;
        if (syncStore is not null)
        {
            try
            {
                syncStore.Apply(array, results, nowTicks);
                if (lockout is not null && results[lockoutAt].Remaining == 0)
                {
                    var lockOperation = LockOperation(lockout, pending);
                    syncStore.Apply([lockOperation], new CounterResult[1], nowTicks);
                    Locked(lockout, request, nowTicks);
                }
            }
            catch (Exception exception)
            {
                _metrics.StoreError();
                LogStoreFailure(_logger, exception);
            }

            return ValueTask.CompletedTask;
        }

        return FeedbackAsync(array, results, nowTicks, lockout, lockoutAt, pending, request, cancellationToken);
    }

    private async ValueTask FeedbackAsync(
        CounterOperation[] operations, CounterResult[] results, long nowTicks, CompiledLimit? lockout, int lockoutAt, PendingFeedback pending,
        RequestContext request, CancellationToken cancellationToken)
    {
        try
        {
            await _store.ApplyAsync(operations, results, nowTicks, cancellationToken).ConfigureAwait(false);
            if (lockout is not null && results[lockoutAt].Remaining == 0)
            {
                var lockOperation = LockOperation(lockout, pending);
                await _store.ApplyAsync(new[] { lockOperation }, new CounterResult[1], nowTicks, cancellationToken).ConfigureAwait(false);
                Locked(lockout, request, nowTicks);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _metrics.StoreError();
            LogStoreFailure(_logger, exception);
        }
    }

    private static bool IsFailure(CompiledLimit limit, int statusCode, LoginOutcome outcome)
    {
        if (limit.Role is ProtectionRole.LoginAccountFailures or ProtectionRole.LoginLockoutCount or ProtectionRole.LoginAddressFailures && outcome != LoginOutcome.Unknown)
        {
            return outcome == LoginOutcome.Failure;
        }

        return statusCode > 0 && limit.IsFailure(statusCode);
    }

    // The lock's key was taken at decision time (see LockKey): the key its peek counted under.
    private static CounterOperation LockOperation(CompiledLimit lockout, PendingFeedback pending)
    {
        var lockLimit = lockout.LockLimit!;
        return new CounterOperation
        {
            Key = pending.LockKey!,
            KeyHash = pending.LockKeyHash,
            Algorithm = LimitAlgorithm.TokenBucket,
            Mode = CounterMode.Charge,
            Permits = 1,
            PeriodTicks = lockLimit.Rate.Period.Ticks,
            Burst = 1,
            Cost = 1,
        };
    }

    private void Locked(CompiledLimit lockout, RequestContext request, long nowTicks)
    {
        _metrics.LoginLockout(lockout.KeyPrefix[..lockout.KeyPrefix.LastIndexOf('/')]);
        var login = lockout.Login!;
        if (login.LockoutBan && !string.IsNullOrWhiteSpace(request.Account))
        {
            Bans.TryAdd(BanTarget.Account, request.Account.Trim(), login.Lockout,
                $"login lockout: {lockout.Rate.Permits} failed logins in {lockout.Rate.Period.TotalHours:0.##} h",
                new DateTimeOffset(nowTicks, TimeSpan.Zero), out _);
        }
    }

    /// <summary>
    /// The key of the lock a lockout count sets: the lockout count's key with the lock's prefix (same account, same
    /// normalisation), which is the key of the lock's own peek in the same batch. Its text, or with a store keyed by hash
    /// (no key strings) its hash.
    /// </summary>
    private (string? Key, ulong Hash) LockKey(
        CompiledLimit lockout, ReadOnlySpan<CounterOperation> operations, int lockoutIndex, int lockIndex, RequestContext request, EvaluationContext context)
    {
        if (lockIndex >= 0)
        {
            return (operations[lockIndex].Key, operations[lockIndex].KeyHash);
        }

        // The lock fell beyond the policy's counted limits: derive its key from the lockout count's.
        var lockLimit = lockout.LockLimit!;
        if (operations[lockoutIndex].Key is { } countKey)
        {
            return (string.Concat(lockLimit.KeyPrefix, countKey.AsSpan(lockout.KeyPrefix.Length)), 0);
        }

        Span<char> buffer = stackalloc char[LimitKeyBuilder.BufferLength];
        return LimitKeyBuilder.TryHash(lockLimit, request, context, _configuration.Ipv6Prefix, buffer, out var hash) ? (null, hash) : default;
    }

    /// <summary>
    /// The counter key of <paramref name="limit"/> for the request, or false when the request lacks a part of it. With
    /// a <paramref name="keyBuffer"/> (the store keys by hash) a plain limit's key is hashed straight from it (<paramref name="key"/> null);
    /// preset keys built from normalised values stay strings, and the store hashes them.
    /// </summary>
    private static bool TryBuildKey(
        CompiledLimit limit, CompiledRoute? route, RequestContext request, EvaluationContext context, int ipv6Prefix, Span<char> keyBuffer,
        out string? key, out ulong keyHash)
    {
        keyHash = 0;
        switch (limit.Role)
        {
            case ProtectionRole.Destination or ProtectionRole.DestinationPrefix:
                return ProtectionKeys.TryDestination(limit, request, out key);
            case ProtectionRole.ActorBudget:
                if (route is not { CostMicroUsd: > 0 })
                {
                    key = "";
                    return false;
                }

                key = ProtectionKeys.Actor(limit, request, ipv6Prefix);
                return true;
            case ProtectionRole.KeyBudget when route is not { CostMicroUsd: > 0 }:
                key = "";
                return false;
            default:
                if (!keyBuffer.IsEmpty)
                {
                    key = null;
                    return LimitKeyBuilder.TryHash(limit, request, context, ipv6Prefix, keyBuffer, out keyHash);
                }

                var built = LimitKeyBuilder.TryBuild(limit, request, context, ipv6Prefix, out var text);
                key = text;
                return built;
        }
    }

    private static void AdjustProtection(CompiledLimit limit, CompiledRoute? route, ref CounterOperation operation)
    {
        switch (limit.Role)
        {
            case ProtectionRole.LoginLockoutCount:
                operation.Cost = 0; // read the count without ever refusing on it: only the lock refuses
                break;
            case ProtectionRole.LoginLock:
                operation.Mode = CounterMode.Peek;
                break;
            case ProtectionRole.KeyBudget or ProtectionRole.ActorBudget:
                operation.Cost = route!.CostMicroUsd;
                break;
        }
    }

    /// <summary>What the login preset's counters said about a request's account.</summary>
    private struct LoginState
    {
        public long Failures;
        public long LockoutFailures;
        public bool Locked;
        public long LockRetryTicks;
        public long LockoutThreshold;
        public long LockoutWindowTicks;
    }

    // True for the preset's internal counters (lockout count, lock): they neither refuse nor show in RateLimit headers.
    private static bool ObserveProtection(CompiledLimit limit, in CounterOperation operation, in CounterResult result, ref LoginState login)
    {
        switch (limit.Role)
        {
            case ProtectionRole.LoginAccountFailures:
                login.Failures = Math.Max(0, operation.Permits - result.Remaining);
                return false;
            case ProtectionRole.LoginLockoutCount:
                login.LockoutFailures = Math.Max(0, operation.Permits - result.Remaining);
                login.LockoutThreshold = operation.Permits;
                login.LockoutWindowTicks = operation.PeriodTicks;
                return true;
            case ProtectionRole.LoginLock:
                login.Locked = !result.Allowed;
                login.LockRetryTicks = result.RetryAfterTicks;
                return true;
            default:
                return false;
        }
    }

    // After limits and score: a lock refuses whatever else was decided; failures challenge or delay what would pass.
    private static void ApplyLogin(
        CompiledLogin login, in LoginState state, bool challengePassed, ref DecisionAction action, ref int status, ref string code, ref TimeSpan delay,
        ref TimeSpan? retryAfter, List<DecisionReason> reasons)
    {
        if (state.Locked)
        {
            var left = TimeSpan.FromSeconds(Math.Max(1, CeilSeconds(state.LockRetryTicks)));
            action = DecisionAction.Block;
            status = 429;
            code = ReasonCodes.LoginLocked;
            retryAfter = retryAfter is null || left > retryAfter ? left : retryAfter;
            reasons.Add(new DecisionReason("login_lockout", 0,
                $"account locked after {state.LockoutThreshold} failed logins in {TimeSpan.FromTicks(state.LockoutWindowTicks).TotalHours:0.##} h; {left.TotalSeconds:0} s left"));
            return;
        }

        if (action is not (DecisionAction.Allow or DecisionAction.Delay))
        {
            return;
        }

        var failures = Math.Max(state.Failures, 0);
        if (login.ChallengeAfterFailures > 0 && failures >= login.ChallengeAfterFailures && challengePassed)
        {
            // A solved challenge lets the attempt through; the failure delay below and the lockout still apply.
            reasons.Add(new DecisionReason(ReasonCodes.ChallengePassed, 0,
                $"account has {failures} failed logins in the window; the client holds a valid challenge pass"));
        }
        else if (login.ChallengeAfterFailures > 0 && failures >= login.ChallengeAfterFailures)
        {
            action = DecisionAction.Challenge;
            status = 401;
            code = ReasonCodes.ChallengeRequired;
            reasons.Add(new DecisionReason("login_failures", 0,
                $"account has {failures} failed logins in the window; challenged from {login.ChallengeAfterFailures}"));
            return;
        }

        var wait = login.DelayFor(failures);
        if (wait > TimeSpan.Zero)
        {
            if (wait > delay)
            {
                delay = wait;
            }

            if (action == DecisionAction.Allow)
            {
                action = DecisionAction.Delay;
                code = ReasonCodes.RateLimited;
            }

            reasons.Add(new DecisionReason("login_delay", 0,
                $"account has {failures} failed logins in the window; held {wait.TotalSeconds:0} s (doubling from {login.DelayAfterFailures}, at most {login.MaxDelay.TotalSeconds:0} s)"));
        }
    }

    private static decimal Saved(CompiledRoute? route, DecisionAction action) =>
        route is { CostMicroUsd: > 0 } && action is DecisionAction.Block or DecisionAction.Challenge ? route.CostUsd : 0m;
}
