using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Decisions;
using Bulwark.Core.Pipeline;

namespace Bulwark.Core.Behavior;

/// <summary>
/// Credential stuffing and password spraying on policies with <see cref="StuffingOptions.Enabled"/>: distinct accounts
/// tried per IP group, subnet, ASN and fingerprint cluster (the coarser groups only when most of their logins fail), the
/// failure ratio per IP group, and one password tried against many accounts. The password is reduced to 64 bits of
/// SipHash-2-4, a keyed pseudo-random function, under a 128-bit key drawn at random when the process starts; the UTF-8
/// copy is wiped after hashing, neither the password nor its hash leaves memory, and the hash only picks a counter.
/// </summary>
public sealed class StuffingDetector : IDetector
{
    private const ulong KindIp = 1, KindSubnet = 2, KindAsn = 3, KindCluster = 4, KindPassword = 5;

    private readonly ulong _passwordKey0 = RandomKey();
    private readonly ulong _passwordKey1 = RandomKey();
    private readonly BoundedTable<DistinctCounter> _groups;
    private readonly ConcurrentDictionary<string, CompiledBehavior> _policies = new(StringComparer.OrdinalIgnoreCase);
    private readonly BehaviorState _state;

    /// <summary>Creates the detector over shared behaviour state.</summary>
    public StuffingDetector(BehaviorState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _state = state;
        _groups = new BoundedTable<DistinctCounter>(state.Options.MaxGroups, TimeSpan.FromDays(1));
    }

    /// <summary>Group counters currently held.</summary>
    public int GroupCount => _groups.Count;

    /// <inheritdoc />
    public void Detect(RequestContext request, EvaluationContext context)
    {
        var behavior = context.Policy.Behavior;
        var options = behavior.Options.Stuffing;
        if (!options.Enabled || request.Account is not { Length: > 0 } account)
        {
            return;
        }

        // Remembered for Observe; written only when it changed (a reload), not taking the dictionary's lock per login.
        if (!_policies.TryGetValue(context.Policy.Name, out var known) || !ReferenceEquals(known, behavior))
        {
            _policies[context.Policy.Name] = behavior;
        }
        var identity = _state.Track(request, context).Identity;
        var now = identity.Ticks;
        var window = TimeSpan.FromSeconds(options.WindowSeconds).Ticks;
        var accountHash = RequestIdentity.AccountHash(account);

        // Every count needs its group to be failing: many people share one address (carrier-grade NAT, offices) and one
        // common password, but they mostly log in successfully; stuffing and spraying mostly fail.
        var (ipCount, ipAttempts, ipRatio) = Count(Key(KindIp, identity.IpGroup), accountHash, now, window);
        var ipFailing = ipAttempts >= options.MinAttempts && ipRatio >= options.FailureRatio;
        if (ipFailing && ipCount >= options.AccountsPerIp)
        {
            context.AddSignal(BehaviorSignals.StuffingAccountsIp, 50, Text($"{ipCount} distinct accounts tried from one IP group, {ipRatio:P0} of {ipAttempts} logins failed"));
        }
        else if (ipFailing)
        {
            context.AddSignal(BehaviorSignals.StuffingFailureRatio, 40, Text($"{ipRatio:P0} of {ipAttempts} logins from one IP group failed"));
        }

        Group(context, options, Key(KindSubnet, identity.Subnet), accountHash, now, window, options.AccountsPerSubnet, BehaviorSignals.StuffingAccountsSubnet, 50, "subnet");
        if (context.Asn is { } asn)
        {
            Group(context, options, Key(KindAsn, (ulong)asn), accountHash, now, window, options.AccountsPerAsn, BehaviorSignals.StuffingAccountsAsn, 40, "ASN");
        }

        Group(context, options, Key(KindCluster, identity.Cluster), accountHash, now, window, options.AccountsPerCluster, BehaviorSignals.StuffingAccountsCluster, 50, "fingerprint cluster");

        if (request.GetBodyField(options.PasswordField) is { Length: > 0 } password)
        {
            var (sprayed, attempts, ratio) = Count(Key(KindPassword, PasswordHash(password)), accountHash, now, window);
            if (sprayed >= options.AccountsPerPassword && attempts >= options.AccountsPerPassword && ratio >= options.FailureRatio)
            {
                context.AddSignal(BehaviorSignals.StuffingPasswordSpray, 60, Text($"one password tried against {sprayed} distinct accounts, {ratio:P0} of {attempts} failed"));
            }
        }
    }

    /// <inheritdoc />
    public void Observe(RequestContext request, Decision decision, int statusCode, TimeSpan latency)
    {
        // Only logins the application answered count: a login Bulwark refused tells nothing about the credentials, and
        // counting it would let the refusals themselves dilute the failure ratio that caused them.
        if (statusCode <= 0 || decision.IsRefusal || request.Account is not { Length: > 0 } || decision.Policy is null
            || !_policies.TryGetValue(decision.Policy, out var behavior) || !behavior.Options.Stuffing.Enabled)
        {
            return;
        }

        var failed = Array.IndexOf(behavior.FailureStatuses, statusCode) >= 0;
        var identity = _state.Identify(request, decision);
        var now = identity.Ticks;
        Answer(Key(KindIp, identity.IpGroup), now, failed);
        Answer(Key(KindSubnet, identity.Subnet), now, failed);
        Answer(Key(KindCluster, identity.Cluster), now, failed);
        if (decision.Actor.Asn is { } asn)
        {
            Answer(Key(KindAsn, (ulong)asn), now, failed);
        }

        if (request.GetBodyField(behavior.Options.Stuffing.PasswordField) is { Length: > 0 } password)
        {
            Answer(Key(KindPassword, PasswordHash(password)), now, failed);
        }
    }

    private void Group(EvaluationContext context, StuffingOptions options, ulong key, ulong account, long now, long window, int threshold, string signal, int weight, string what)
    {
        var (count, attempts, ratio) = Count(key, account, now, window);
        if (count >= threshold && attempts >= options.MinAttempts && ratio >= options.FailureRatio)
        {
            context.AddSignal(signal, weight, Text($"{count} distinct accounts tried from one {what}, {ratio:P0} of {attempts} logins failed"));
        }
    }

    private (int Count, int Attempts, double Ratio) Count(ulong key, ulong account, long now, long window)
    {
        using var scope = _groups.Enter(key, now);
        ref var counter = ref scope.Value;
        counter.Roll(now, window);
        counter.Add(account);
        return (counter.Estimate(), counter.TotalAttempts, counter.FailureRatio);
    }

    private void Answer(ulong key, long now, bool failed)
    {
        if (_groups.TryEnter(key, now, out var scope))
        {
            using (scope)
            {
                scope.Value.Attempts++;
                if (failed)
                {
                    scope.Value.Failures++;
                }
            }
        }
    }

    private ulong PasswordHash(string password)
    {
        Span<byte> utf8 = password.Length <= 256 ? stackalloc byte[password.Length * 3] : new byte[Encoding.UTF8.GetMaxByteCount(password.Length)];
        var length = Encoding.UTF8.GetBytes(password, utf8);
        var hash = SipHash.Hash(_passwordKey0, _passwordKey1, utf8[..length]);
        utf8.Clear();
        return hash;
    }

    private static ulong RandomKey()
    {
        Span<byte> key = stackalloc byte[8];
        RandomNumberGenerator.Fill(key);
        return BitConverter.ToUInt64(key);
    }

    private static ulong Key(ulong kind, ulong value) => BehaviorHash.Combine(kind, value);

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
