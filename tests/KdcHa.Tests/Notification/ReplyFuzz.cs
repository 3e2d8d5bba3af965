using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Notification;

namespace KdcHa.Tests.Notification;

/// <summary>
/// Runs many sends against a hostile loopback peer and holds each to the boundary rule: whatever the reply, the send
/// ends as the dispatcher classifies it (Delivered, a permanent failure it sets aside as Rejected, a transient one or
/// the channel's timeout it keeps Pending) within the channel's timeout + 100 ms, never with another exception.
/// The fuzz classes run in the loopback socket collection, alone and with a warm thread pool: otherwise other tests'
/// load and the pool's slow growth on 2 cores decide that bound (12 of 2,000 sends ended after 1.1-1.8 s).
/// </summary>
internal static class ReplyFuzz
{
    public const int Seed = 20261203;

    // Enough to overlap the sends that wait out the timeout; more only makes the sends time each other on a busy machine.
    private const int Parallelism = 8;
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(100);

    /// <returns>How many sends ended in each outcome, for the test to show that the replies reached every one.</returns>
    public static async Task<IReadOnlyDictionary<string, int>> RunAsync(int count, Func<int, INotificationChannel> channelFor)
    {
        var outcomes = new ConcurrentDictionary<string, int>();
        var problems = new ConcurrentQueue<string>();
        var options = new ParallelOptions { MaxDegreeOfParallelism = Parallelism };
        await Parallel.ForEachAsync(Enumerable.Range(0, count), options, async (number, _) =>
        {
            var channel = channelFor(number);
            var timeout = TimeSpan.FromSeconds(channel.Definition.TimeoutSeconds);
            using var timer = new CancellationTokenSource(timeout);
            var started = Stopwatch.GetTimestamp();
            string outcome;
            try
            {
                await channel.SendAsync(Events.Custom($"fuzz {number}"), timer.Token);
                outcome = nameof(NotificationDeliveryStatus.Delivered);
            }
            catch (NotificationDeliveryException e)
            {
                outcome = e.IsPermanent ? nameof(NotificationDeliveryStatus.Rejected) : nameof(NotificationDeliveryStatus.Pending);
            }
            catch (OperationCanceledException) when (timer.IsCancellationRequested)
            {
                outcome = "Timeout";
            }
            catch (Exception e)
            {
                outcome = "Escaped";
                problems.Enqueue($"send {number} ({channel.Definition.Type}) escaped: {e.GetType().FullName}: {e.Message}");
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed > timeout + Slack)
            {
                problems.Enqueue($"send {number} ({channel.Definition.Type}) ended as {outcome} after {elapsed.TotalMilliseconds:0} ms");
            }

            outcomes.AddOrUpdate(outcome, 1, (_, sofar) => sofar + 1);
        });

        Assert.True(problems.IsEmpty, $"{problems.Count} of {count} sends broke the rule:\n" + string.Join("\n", problems.Take(20)));
        return outcomes;
    }

    public static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    public static byte[] Ascii(string text) => Encoding.Latin1.GetBytes(text);

    public static byte[] Join(byte[] first, byte[] second)
    {
        var joined = new byte[first.Length + second.Length];
        first.CopyTo(joined, 0);
        second.CopyTo(joined, first.Length);
        return joined;
    }
}
