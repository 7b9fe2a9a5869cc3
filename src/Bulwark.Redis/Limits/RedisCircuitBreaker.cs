namespace Bulwark.Redis.Limits;

/// <summary>
/// Stops calls to a Redis that is failing. After <c>breakAfter</c> consecutive failures the circuit opens for
/// <c>openFor</c>; then one probe call is let through (half-open): its success closes the circuit, its failure reopens it
/// for twice as long (up to <c>maxOpenFor</c>). Thread-safe; a lock guards transitions, and the common closed path with no
/// recent failures takes no lock.
/// </summary>
public sealed class RedisCircuitBreaker
{
    private readonly TimeProvider _time;
    private readonly int _breakAfter;
    private readonly TimeSpan _firstOpenFor;
    private readonly TimeSpan _maxOpenFor;
    private readonly object _gate = new();
    private volatile CircuitState _state;
    private int _failures;
    private long _openUntil;
    private TimeSpan _openFor;
    private bool _probing;

    /// <summary>Creates a closed breaker.</summary>
    public RedisCircuitBreaker(TimeProvider timeProvider, int breakAfter, TimeSpan openFor, TimeSpan maxOpenFor)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThan(breakAfter, 1);
        _time = timeProvider;
        _breakAfter = breakAfter;
        _firstOpenFor = openFor;
        _maxOpenFor = maxOpenFor < openFor ? openFor : maxOpenFor;
        _openFor = openFor;
    }

    /// <summary>Raised (under the breaker's lock, so keep it short) when the state changes; the argument is the new state.</summary>
    public event Action<CircuitState, string>? StateChanged;

    /// <summary>The current state.</summary>
    public CircuitState State => _state;

    /// <summary>Whether a call may go to Redis now. <paramref name="probe"/> is true for the half-open probe.</summary>
    public bool TryEnter(out bool probe)
    {
        probe = false;
        if (_state == CircuitState.Closed)
        {
            return true;
        }

        lock (_gate)
        {
            switch (_state)
            {
                case CircuitState.Closed:
                    return true;
                case CircuitState.Open when _time.GetTimestamp() >= _openUntil:
                    Transition(CircuitState.HalfOpen, "open period over; probing");
                    _probing = true;
                    probe = true;
                    return true;
                case CircuitState.HalfOpen when !_probing:
                    _probing = true;
                    probe = true;
                    return true;
                default:
                    return false;
            }
        }
    }

    /// <summary>Records a call that Redis answered.</summary>
    public void OnSuccess(bool probe)
    {
        if (_state == CircuitState.Closed && Volatile.Read(ref _failures) == 0)
        {
            return;
        }

        lock (_gate)
        {
            _failures = 0;
            if (probe || _state != CircuitState.Closed)
            {
                _probing = false;
                _openFor = _firstOpenFor;
                if (_state != CircuitState.Closed)
                {
                    Transition(CircuitState.Closed, "Redis answered");
                }
            }
        }
    }

    /// <summary>Records a call that failed or ran out of budget.</summary>
    public void OnFailure(bool probe, string reason)
    {
        lock (_gate)
        {
            if (probe)
            {
                _probing = false;
                _openFor = TimeSpan.FromTicks(Math.Min(_openFor.Ticks * 2, _maxOpenFor.Ticks));
                Open("probe failed: " + reason);
                return;
            }

            _failures++;
            if (_state == CircuitState.Closed && _failures >= _breakAfter)
            {
                Open($"{_failures} consecutive failures, the last: {reason}");
            }
        }
    }

    /// <summary>Records a call its caller abandoned (client cancellation): neither success nor failure.</summary>
    public void OnAbandoned(bool probe)
    {
        if (probe)
        {
            lock (_gate)
            {
                _probing = false;
            }
        }
    }

    /// <summary>How long the circuit stays open after the next failure of a probe, or now (diagnostics).</summary>
    public TimeSpan OpenFor => _openFor;

    private void Open(string reason)
    {
        _openUntil = _time.GetTimestamp() + (long)(_openFor.TotalSeconds * _time.TimestampFrequency);
        Transition(CircuitState.Open, reason);
    }

    private void Transition(CircuitState state, string reason)
    {
        _state = state;
        StateChanged?.Invoke(state, reason);
    }
}
