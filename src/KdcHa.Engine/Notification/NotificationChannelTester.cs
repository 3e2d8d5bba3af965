using System;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Notification;

/// <summary>
/// Sends one notification straight to a channel and reports its answer. It bypasses the spool, the retries and
/// the duplicate and flap suppression on purpose: a test must reach the endpoint now, every time it is asked,
/// and its outcome is the answer to one attempt, not a delivery guarantee.
/// </summary>
public static class NotificationChannelTester
{
    public static async Task<NotificationChannelTestResult> TestAsync(
        INotificationChannel channel, NotificationEvent notification, TimeSpan timeout, SecretRedactor redactor, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var timer = new CancellationTokenSource(timeout, time);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        string reply;
        string failure;
        try
        {
            reply = await channel.SendAsync(notification, attempt.Token).ConfigureAwait(false);
            failure = string.Empty;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            reply = string.Empty;
            failure = $"No answer within {timeout.TotalSeconds:0.###} s.";
        }
        catch (NotificationDeliveryException e)
        {
            reply = e.Reply ?? string.Empty;
            failure = e.Message;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A missing secret or an unreachable host: the test reports it rather than failing the command.
            reply = string.Empty;
            failure = NotificationDispatcher.Describe(e);
        }

        return new NotificationChannelTestResult
        {
            Channel = channel.Definition.Name,
            Type = channel.Definition.ChannelType,
            Success = failure.Length == 0,
            Reply = redactor.Redact(reply),
            RoundTripMilliseconds = (long)time.GetElapsedTime(started).TotalMilliseconds,
            EventId = notification.Id,
            Message = redactor.Redact(failure),
            Timestamp = time.GetUtcNow().UtcDateTime,
        };
    }
}

/// <summary>
/// The outcome of one direct test send to a channel. Like <see cref="NotificationDeliveryResult"/> its public
/// properties are strings, numbers, Booleans and UTC times, so it passes through ConvertTo-Json unchanged.
/// </summary>
public sealed class NotificationChannelTestResult
{
    public string Channel { get; init; } = string.Empty;

    public string ChannelType => Type.ToString();

    public bool Success { get; init; }

    /// <summary>The channel's answer: "HTTP 200", the SMTP reply, "exit code 0"; empty when none came.</summary>
    public string Reply { get; init; } = string.Empty;

    /// <remarks>KdcHa.types.ps1xml keeps RoundTripMs, its earlier name, as an alias for scripts written against it.</remarks>
    public long RoundTripMilliseconds { get; init; }

    public string EventId { get; init; } = string.Empty;

    /// <summary>Why the test failed, with every resolved secret masked; empty on success.</summary>
    public string Message { get; init; } = string.Empty;

    public DateTime Timestamp { get; init; }

    internal NotificationChannelType Type { get; init; }
}
