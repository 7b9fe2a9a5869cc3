using Bulwark.Gateway.Forwarder;

namespace Bulwark.Gateway.Tests.Forwarder;

/// <summary>The pooled send token: it follows the client and the header deadline, and a reused one carries nothing over.</summary>
public sealed class UpstreamDeadlineTests
{
    [Fact]
    public void The_clients_abort_cancels_the_token()
    {
        using var client = new CancellationTokenSource();
        using var deadline = UpstreamDeadline.Start(client.Token, TimeSpan.FromMinutes(5));
        Assert.False(deadline.Token.IsCancellationRequested);
        client.Cancel();
        Assert.True(deadline.Token.IsCancellationRequested);
    }

    [Fact]
    public void A_client_that_went_away_before_the_send_gives_a_cancelled_token()
    {
        using var client = new CancellationTokenSource();
        client.Cancel();
        using var deadline = UpstreamDeadline.Start(client.Token, TimeSpan.FromMinutes(5));
        Assert.True(deadline.Token.IsCancellationRequested);
    }

    [Fact]
    public async Task The_deadline_cancels_the_token_when_no_headers_came()
    {
        using var deadline = UpstreamDeadline.Start(CancellationToken.None, TimeSpan.FromMilliseconds(50));
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = deadline.Token.Register(() => cancelled.SetResult());
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(deadline.Token.IsCancellationRequested);
    }

    [Fact]
    public async Task A_stopped_deadline_no_longer_cancels_but_the_client_still_does()
    {
        using var client = new CancellationTokenSource();
        using var deadline = UpstreamDeadline.Start(client.Token, TimeSpan.FromMilliseconds(100));
        deadline.StopTimer();
        await Task.Delay(300);
        Assert.False(deadline.Token.IsCancellationRequested);
        client.Cancel();
        Assert.True(deadline.Token.IsCancellationRequested);
    }

    [Fact]
    public void After_an_exchange_ends_neither_its_client_nor_its_deadline_reaches_later_exchanges()
    {
        // Many ends and starts, so that later ones take sources the earlier ones returned to the pool.
        var clients = new List<CancellationTokenSource>();
        for (var i = 0; i < 50; i++)
        {
            var client = new CancellationTokenSource();
            clients.Add(client);
            using var deadline = UpstreamDeadline.Start(client.Token, TimeSpan.FromMinutes(5));
            Assert.False(deadline.Token.IsCancellationRequested);
        }

        var later = Enumerable.Range(0, 50).Select(_ => UpstreamDeadline.Start(CancellationToken.None, TimeSpan.FromMinutes(5))).ToList();
        foreach (var client in clients)
        {
            client.Cancel(); // the earlier clients go away after their exchanges ended
            client.Dispose();
        }

        Assert.All(later, d => Assert.False(d.Token.IsCancellationRequested));
        later.ForEach(d => d.Dispose());
    }

    [Fact]
    public void A_cancelled_exchanges_source_is_not_handed_on()
    {
        var cancelledTokens = new List<CancellationToken>();
        for (var i = 0; i < 20; i++)
        {
            using var client = new CancellationTokenSource();
            using var deadline = UpstreamDeadline.Start(client.Token, TimeSpan.FromMinutes(5));
            client.Cancel();
            cancelledTokens.Add(deadline.Token);
        }

        var later = Enumerable.Range(0, 20).Select(_ => UpstreamDeadline.Start(CancellationToken.None, TimeSpan.FromMinutes(5))).ToList();
        Assert.All(later, d => Assert.False(d.Token.IsCancellationRequested));
        later.ForEach(d => d.Dispose());
    }
}
