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
                    var lockOperation = LockOperation(lockout, array[lockoutAt]);
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

        return FeedbackAsync(array, results, nowTicks, lockout, lockoutAt, request, cancellationToken);
    }

    private async ValueTask FeedbackAsync(
        CounterOperation[] operations, CounterResult[] results, long nowTicks, CompiledLimit? lockout, int lockoutAt, RequestContext request,
        CancellationToken cancellationToken)
    {
        try
        {
            await _store.ApplyAsync(operations, results, nowTicks, cancellationToken).ConfigureAwait(false);
            if (lockout is not null && results[lockoutAt].Remaining == 0)
            {
                var lockOperation = LockOperation(lockout, operations[lockoutAt]);
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

    // The lock's key is the lockout count's key with the lock's prefix: same account, same normalisation.
    private static CounterOperation LockOperation(CompiledLimit lockout, in CounterOperation count)
    {
        var lockLimit = lockout.LockLimit!;
        return new CounterOperation
        {
            Key = string.Concat(lockLimit.KeyPrefix, count.Key.AsSpan(lockout.KeyPrefix.Length)),
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

    private static bool TryBuildKey(
        CompiledLimit limit, CompiledRoute? route, RequestContext request, EvaluationContext context, int ipv6Prefix, out string key)
    {
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
                return LimitKeyBuilder.TryBuild(limit, request, context, ipv6Prefix, out key);
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

    private static string LimitText(CompiledLimit limit, in CounterOperation operation)
    {
        if (limit.Role is ProtectionRole.KeyBudget or ProtectionRole.ActorBudget)
        {
            var per = operation.PeriodTicks >= TimeSpan.TicksPerDay ? "day" : "hour";
            return $"{Money.Format(operation.Permits)} per {per} by {limit.KeyText}; this call {Money.Format(operation.Cost)}";
        }

        return $"{RateText(operation)} by {limit.KeyText}";
    }

    private static decimal Saved(CompiledRoute? route, DecisionAction action) =>
        route is { CostMicroUsd: > 0 } && action is DecisionAction.Block or DecisionAction.Challenge ? route.CostUsd : 0m;
}
