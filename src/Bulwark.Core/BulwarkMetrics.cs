using System.Diagnostics;
using System.Diagnostics.Metrics;
using Bulwark.Core.Decisions;

namespace Bulwark.Core;

/// <summary>The <c>Bulwark</c> meter: decision counts and decision latency, with OpenTelemetry-style names.</summary>
public sealed class BulwarkMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Bulwark";

    private readonly Meter _meter;
    private readonly Counter<long> _decisions;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _storeErrors;
    private readonly Counter<double> _costSaved;
    private readonly Counter<long> _loginLockouts;

    /// <summary>Creates the instruments, through <paramref name="meterFactory"/> when one is given (DI), else a plain meter.</summary>
    public BulwarkMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _decisions = _meter.CreateCounter<long>("bulwark.decisions", "{request}", "Decisions made, by action, policy and reason code.");
        _duration = _meter.CreateHistogram<double>("bulwark.decision.duration", "s", "Time spent deciding.");
        _storeErrors = _meter.CreateCounter<long>("bulwark.store.errors", "{error}", "Counter store calls that failed.");
        _costSaved = _meter.CreateCounter<double>("bulwark.cost.saved", "USD", "Money the refused calls would have cost (route CostUsd), by policy and enforcement.");
        _loginLockouts = _meter.CreateCounter<long>("bulwark.login.lockouts", "{lockout}", "Accounts locked by the login preset, by policy.");
    }

    internal void Record(Decision decision, long startTimestamp)
    {
        if (_decisions.Enabled)
        {
            var tags = new TagList
            {
                { "bulwark.action", ActionName(decision.Action) },
                { "bulwark.policy", decision.Policy },
                { "bulwark.reason", decision.ReasonCode },
                { "bulwark.enforced", decision.Enforced },
            };
            _decisions.Add(1, tags);
        }

        if (decision.SavedUsd > 0 && _costSaved.Enabled)
        {
            _costSaved.Add((double)decision.SavedUsd, new KeyValuePair<string, object?>("bulwark.policy", decision.Policy), new KeyValuePair<string, object?>("bulwark.enforced", decision.Enforced));
        }

        if (_duration.Enabled)
        {
            _duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, new KeyValuePair<string, object?>("bulwark.policy", decision.Policy));
        }
    }

    internal void LoginLockout(string policy)
    {
        if (_loginLockouts.Enabled)
        {
            _loginLockouts.Add(1, new KeyValuePair<string, object?>("bulwark.policy", policy));
        }
    }

    internal void StoreError()
    {
        if (_storeErrors.Enabled)
        {
            _storeErrors.Add(1);
        }
    }

    /// <summary>The lower-case name of an action as records and metrics write it.</summary>
    public static string ActionName(DecisionAction action) => action switch
    {
        DecisionAction.Allow => "allow",
        DecisionAction.Delay => "delay",
        DecisionAction.Challenge => "challenge",
        _ => "block",
    };

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
