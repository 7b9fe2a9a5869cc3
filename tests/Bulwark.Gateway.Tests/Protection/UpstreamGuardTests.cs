using Bulwark.Core.Policy;
using Bulwark.Gateway.Protection;

namespace Bulwark.Gateway.Tests.Protection;

/// <summary>
/// The cluster guard on its own: free slots are taken without queueing, a freed slot goes to the oldest waiter, the queue
/// and the shedding rule bound the waiting, and under contention no slot is lost or given twice.
/// </summary>
public sealed class UpstreamGuardTests
{
    [Fact]
    public async Task Free_slots_are_taken_at_once_then_requests_wait_and_a_freed_slot_goes_to_the_oldest()
    {
        using var guard = Guard(maxConcurrency: 2, queueLimit: 5);
        var first = await guard.AcquireAsync(0, CancellationToken.None);
        var second = await guard.AcquireAsync(0, CancellationToken.None);
        Assert.Equal(GuardOutcome.Admitted, first.Outcome);
        Assert.Equal(GuardOutcome.Admitted, second.Outcome);
        Assert.Equal(2, guard.InFlight);

        var oldest = guard.AcquireAsync(0, CancellationToken.None).AsTask();
        var younger = guard.AcquireAsync(0, CancellationToken.None).AsTask();
        Assert.Equal(2, guard.Queued);
        Assert.False(oldest.IsCompleted);

        first.Lease.Dispose();
        Assert.Equal(GuardOutcome.Admitted, (await oldest.WaitAsync(TimeSpan.FromSeconds(30))).Outcome);
        Assert.False(younger.IsCompleted);
        Assert.Equal(1, guard.Queued);
        Assert.Equal(2, guard.InFlight);

        second.Lease.Dispose();
        Assert.Equal(GuardOutcome.Admitted, (await younger.WaitAsync(TimeSpan.FromSeconds(30))).Outcome);
        Assert.Equal(0, guard.Queued);
        (await oldest).Lease.Dispose();
        (await younger).Lease.Dispose();
        Assert.Equal(0, guard.InFlight);
    }

    [Fact]
    public async Task A_full_queue_refuses_and_a_risky_request_is_shed_while_saturated()
    {
        using var guard = Guard(maxConcurrency: 1, queueLimit: 2, shedScore: 50);
        var held = await guard.AcquireAsync(0, CancellationToken.None);
        Assert.Equal(GuardOutcome.Shed, (await guard.AcquireAsync(60, CancellationToken.None)).Outcome); // over ShedScore: no place at all
        var waiting = new[] { guard.AcquireAsync(0, CancellationToken.None).AsTask(), guard.AcquireAsync(0, CancellationToken.None).AsTask() };
        Assert.Equal(GuardOutcome.QueueFull, (await guard.AcquireAsync(0, CancellationToken.None)).Outcome);
        Assert.Equal(GuardOutcome.Shed, (await guard.AcquireAsync(20, CancellationToken.None)).Outcome); // 2 × (1 − 20/50) = 1.2 places, 2 taken
        held.Lease.Dispose();
        (await waiting[0].WaitAsync(TimeSpan.FromSeconds(30))).Lease.Dispose();
        (await waiting[1].WaitAsync(TimeSpan.FromSeconds(30))).Lease.Dispose();
        Assert.Equal(0, guard.InFlight);
    }

    [Fact]
    public async Task A_wait_ends_with_the_queue_timeout_or_the_client_and_gives_its_place_back()
    {
        using var guard = Guard(maxConcurrency: 1, queueLimit: 5, queueTimeoutMs: 100);
        var held = await guard.AcquireAsync(0, CancellationToken.None);
        Assert.Equal(GuardOutcome.QueueTimeout, (await guard.AcquireAsync(0, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30))).Outcome);
        Assert.Equal(0, guard.Queued);

        using var client = new CancellationTokenSource();
        var gone = guard.AcquireAsync(0, client.Token).AsTask();
        Assert.Equal(1, guard.Queued);
        await client.CancelAsync();
        Assert.Equal(GuardOutcome.ClientGone, (await gone.WaitAsync(TimeSpan.FromSeconds(30))).Outcome);
        Assert.Equal(0, guard.Queued);
        Assert.Equal(1, guard.InFlight);
        held.Lease.Dispose();
        Assert.Equal(0, guard.InFlight);

        var next = await guard.AcquireAsync(0, CancellationToken.None);
        Assert.Equal(GuardOutcome.Admitted, next.Outcome);
        next.Lease.Dispose();
    }

    [Fact]
    public async Task Under_contention_no_slot_is_lost_or_given_twice()
    {
        const int max = 2;
        using var guard = Guard(maxConcurrency: max, queueLimit: 1000, queueTimeoutMs: 600_000);
        var inside = 0;
        var mostInside = 0;
        var admitted = 0;
        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 2000; i++)
            {
                var (outcome, lease) = await guard.AcquireAsync(0, CancellationToken.None);
                Assert.Equal(GuardOutcome.Admitted, outcome);
                var now = Interlocked.Increment(ref inside);
                InterlockedMax(ref mostInside, now);
                if (i % 3 == 0)
                {
                    await Task.Yield();
                }

                Interlocked.Decrement(ref inside);
                Interlocked.Increment(ref admitted);
                lease.Dispose();
            }
        })).ToArray();

        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(120)); // a lost hand-over would leave a waiter forever
        Assert.Equal(8 * 2000, admitted);
        Assert.InRange(mostInside, 1, max);
        Assert.Equal(0, guard.InFlight);
        Assert.Equal(0, guard.Queued);
    }

    [Fact]
    public async Task Without_a_limit_every_request_is_admitted_and_counted_in_flight()
    {
        using var guard = Guard(maxConcurrency: 0, queueLimit: 0);
        var leases = new List<UpstreamGuard.GuardLease>();
        for (var i = 0; i < 100; i++)
        {
            var (outcome, lease) = await guard.AcquireAsync(100, CancellationToken.None);
            Assert.Equal(GuardOutcome.Admitted, outcome);
            leases.Add(lease);
        }

        Assert.Equal(100, guard.InFlight);
        leases.ForEach(l => l.Dispose());
        Assert.Equal(0, guard.InFlight);
    }

    private static UpstreamGuard Guard(int maxConcurrency, int queueLimit, int shedScore = 0, int queueTimeoutMs = 60_000) =>
        new(new GatewayClusterOptions { MaxConcurrency = maxConcurrency, QueueLimit = queueLimit, ShedScore = shedScore, QueueTimeoutMs = queueTimeoutMs }, TimeProvider.System);

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var actual && actual != seen)
        {
            seen = actual;
        }
    }
}
