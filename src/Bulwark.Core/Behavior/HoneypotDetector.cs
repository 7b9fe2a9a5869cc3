using System.Globalization;
using Bulwark.Core.Lists;
using Bulwark.Core.Net;
using Bulwark.Core.Pipeline;
using Bulwark.Core.Policy;

namespace Bulwark.Core.Behavior;

/// <summary>
/// Honeypot routes (<see cref="HoneypotOptions.Routes"/>, and with <see cref="HoneypotOptions.ScannerPaths"/> the paths
/// scanners probe, unless a configured route names them): any request to one raises <c>honeypot</c> (weight 100) and,
/// in enforce mode, bans the client's IP group (escalating for repeat offenders) and its fingerprint cluster. Also raises
/// <c>banned_cluster</c> for requests whose cluster is banned. Cluster bans sit in the ban list as fingerprint bans
/// whose value is <c>cluster:</c> followed by the cluster id, so operators list and lift them like any other.
/// </summary>
public sealed class HoneypotDetector : IDetector
{
    /// <summary>Prefix of fingerprint-ban values that name a fingerprint cluster.</summary>
    public const string ClusterBanPrefix = "cluster:";

    private readonly BehaviorState _state;
    private readonly RoutePattern[] _routes;
    private readonly ScannerPathList? _scanner;

    /// <summary>Creates the detector over shared behaviour state.</summary>
    public HoneypotDetector(BehaviorState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _state = state;
        _routes = state.Options.Honeypot.Routes.Select(RoutePattern.Parse).ToArray();
        _scanner = ScannerPathList.For(state.Options.Honeypot);
    }

    /// <inheritdoc />
    public void Detect(RequestContext request, EvaluationContext context)
    {
        var honeypot = Match(request, context);
        var options = _state.Options.Honeypot;
        if (honeypot is null && (_state.Bans.Count == 0 || options.ClusterBanSeconds <= 0))
        {
            return;
        }

        var identity = _state.Track(request, context).Identity;
        var cluster = ClusterBanPrefix + identity.ClusterId;
        if (honeypot is null)
        {
            if (_state.Bans.TryMatch(System.Net.IPAddress.None, null, null, cluster, request.Timestamp, out var ban) && ban.Target == BanTarget.Fingerprint)
            {
                context.AddSignal(BehaviorSignals.BannedCluster, 100, string.Create(CultureInfo.InvariantCulture,
                    $"fingerprint cluster {identity.ClusterId} banned, {Math.Max(1, (long)(ban.ExpiresAt - request.Timestamp).TotalSeconds)} s left: {ban.Reason}"));
            }

            return;
        }

        var detail = honeypot.Scanner ? $"scanner path {honeypot.Text} requested" : $"undocumented route {honeypot.Text} requested";
        if (context.Policy.Monitor)
        {
            context.AddSignal(BehaviorSignals.Honeypot, 100, detail + "; monitor mode, nobody banned");
            return;
        }

        var ip = request.ClientIp.IsIPv4MappedToIPv6 ? request.ClientIp.MapToIPv4() : request.ClientIp;
        var length = _state.Offenders.Ban(identity.IpGroup, ip.FormatGroup(_state.Ipv6Prefix), "honeypot " + honeypot.Text, request.Timestamp, TimeSpan.FromSeconds(options.BanSeconds));
        // Scanner paths are the internet's background noise, probed with common stacks (Go, Python, curl, okhttp) that real
        // integrations and apps share: their hits ban the address only. A cluster ban is for the application's own traps.
        var banCluster = options.ClusterBanSeconds > 0 && !honeypot.Scanner;
        if (banCluster)
        {
            _state.Bans.TryAdd(BanTarget.Fingerprint, cluster, TimeSpan.FromSeconds(options.ClusterBanSeconds), "honeypot " + honeypot.Text, request.Timestamp, out _);
        }

        context.AddSignal(BehaviorSignals.Honeypot, 100, string.Create(CultureInfo.InvariantCulture,
            $"{detail}; IP group banned for {(length ?? TimeSpan.Zero).TotalSeconds:0} s{(banCluster ? $", cluster {identity.ClusterId} for {options.ClusterBanSeconds} s" : "")}"));
    }

    private Hit? Match(RequestContext request, EvaluationContext context)
    {
        foreach (var route in _routes)
        {
            if (route.IsMatch(request.Path))
            {
                return new Hit(route.Text, Scanner: false);
            }
        }

        // A scanner path is no honeypot where the application says it serves it: a route naming the path (no catch-all)
        // or a policy chosen by the application's endpoint metadata. Catch-all routes (/api/**) only fence a subtree.
        if (_scanner is null || request.PolicyName is not null || (context.Route is { } matched && !RoutePattern.EndsWithCatchAll(matched)))
        {
            return null;
        }

        return _scanner.IsMatch(request.Path, out var entry) ? new Hit(entry, Scanner: true) : null;
    }

    private sealed record Hit(string Text, bool Scanner);
}
