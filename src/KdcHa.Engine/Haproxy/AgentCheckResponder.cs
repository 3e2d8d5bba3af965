using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Common;

namespace KdcHa.Haproxy;

/// <summary>
/// Answers HAProxy's agent-check (configuration.txt, "agent-check"): HAProxy connects, reads one line, and the
/// connection ends. The line is whatever <see cref="Answer"/> last set, so a check costs no probe and no read: the
/// responder sends its line and closes without reading (agent-send is not used). Connections are served one at a
/// time by a loop that never blocks on a peer (a line of a few bytes always fits a new socket's send buffer), and the
/// kernel queues at most the listen backlog's connections, so a flood of connections costs a bounded queue, no
/// threads and no memory per connection.
/// </summary>
public sealed class AgentCheckResponder : IAsyncDisposable
{
    /// <summary>Connections the kernel queues before it refuses more; HAProxy nodes ask once per agent-inter each.</summary>
    public const int DefaultPendingConnections = 16;

    // Addresses remembered to tell each the last answer before the listener closes; HAProxy nodes are a handful.
    private const int MaxAskers = 16;

    private readonly object _gate = new();
    private readonly HashSet<IPAddress> _askers = new();
    private readonly HashSet<IPAddress> _toldLast = new();
    private readonly TcpListening _listening;
    private TaskCompletionSource? _everyAskerTold;
    private AgentAnswer? _answer;

    private AgentCheckResponder(Socket listener)
    {
        _listening = new TcpListening(listener, Serve);
    }

    /// <summary>Where HAProxy's agent-port reaches this responder (the bound port when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint => _listening.LocalEndPoint;

    /// <summary>Listens on <paramref name="endPoint"/>; until the first <see cref="Answer"/> a connection gets no line.</summary>
    /// <exception cref="AgentCheckListenException">The address cannot be bound (in use, not on this host, no permission).</exception>
    public static AgentCheckResponder Listen(IPEndPoint endPoint, int pendingConnections = DefaultPendingConnections)
    {
        if (endPoint is null)
        {
            throw new ArgumentNullException(nameof(endPoint));
        }

        try
        {
            return new AgentCheckResponder(TcpListening.Bind(endPoint, pendingConnections));
        }
        catch (SocketException e)
        {
            throw new AgentCheckListenException($"Cannot answer HAProxy's agent check on {endPoint}: {e.Message}", endPoint.ToString(), e);
        }
    }

    /// <summary>The line every later agent check gets; null sends none (HAProxy then keeps the server's state).</summary>
    public void Answer(AgentAnswer? answer)
    {
        lock (_gate)
        {
            // The same answer round after round is no news: who was told it stays told.
            if (answer?.Line != _answer?.Line)
            {
                _answer = answer;
                _toldLast.Clear();
            }
        }
    }

    /// <summary>
    /// Answers <paramref name="last"/> until every address that asked while the responder ran has been told it, or
    /// <paramref name="grace"/> has passed, then closes the listener: HAProxy keeps the last thing an agent said, so
    /// a 'maint' it never heard would leave the server as it was.
    /// </summary>
    public async Task CloseAsync(AgentAnswer last, TimeSpan grace)
    {
        Answer(last);
        Task told;
        lock (_gate)
        {
            _everyAskerTold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_askers.Count == 0)
            {
                _everyAskerTold.TrySetResult();
            }

            told = _everyAskerTold.Task;
        }

        await Task.WhenAny(told, Task.Delay(grace)).ConfigureAwait(false);
        await DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await _listening.StopAsync().ConfigureAwait(false);

    private void Serve(Socket connection)
    {
        using (connection)
        {
            Reply(connection);
        }
    }

    private void Reply(Socket connection)
    {
        AgentAnswer? answer;
        lock (_gate)
        {
            answer = _answer;
        }

        try
        {
            // Never blocks: a peer that reads nothing cannot hold the loop that serves the others.
            connection.Blocking = false;
            if (answer is not null && connection.Send(answer.Bytes) != answer.Bytes.Length)
            {
                return;
            }
        }
        catch (SocketException)
        {
            // The peer left before its answer: it asks again at its next agent-inter.
            return;
        }

        if (connection.RemoteEndPoint is IPEndPoint { Address: var address })
        {
            Told(address, answer);
        }
    }

    private void Told(IPAddress address, AgentAnswer? answer)
    {
        lock (_gate)
        {
            if (_askers.Count < MaxAskers)
            {
                _askers.Add(address);
            }

            if (answer is null || answer != _answer)
            {
                return;
            }

            _toldLast.Add(address);
            if (_everyAskerTold is { } waiting && _toldLast.IsSupersetOf(_askers))
            {
                waiting.TrySetResult();
            }
        }
    }
}

/// <summary>One agent-check reply in HAProxy 2.6's grammar (no 'weight:', which arrived in 3.1).</summary>
public sealed class AgentAnswer
{
    private AgentAnswer(string line)
    {
        Line = line;
        Bytes = Encoding.ASCII.GetBytes(line + "\n");
    }

    /// <summary>Set by HAProxy's operator or an agent alike: the agent's 'ready' ends a CLI 'maint' too.</summary>
    public static AgentAnswer Drain { get; } = new("drain");

    /// <summary>No new connections and no health checks until an agent says 'ready'.</summary>
    public static AgentAnswer Maint { get; } = new("maint");

    /// <summary>
    /// 'up ready' without a weight: HAProxy's own check decides, since 'up' counts only while that check passes, and
    /// a 'down' or 'drain' this agent said before is undone.
    /// </summary>
    public static AgentAnswer DeferToHealthCheck { get; } = new("up ready");

    /// <summary>The line without its newline, as HAProxy reads it.</summary>
    public string Line { get; }

    internal byte[] Bytes { get; }

    /// <summary>
    /// Up, out of any drain or maint this agent set, at <paramref name="weightPercent"/> of the server's configured
    /// weight (1-100; 0% would be a drain).
    /// </summary>
    public static AgentAnswer Up(int weightPercent) =>
        weightPercent is >= 1 and <= 100
            ? new($"up ready {weightPercent}%")
            : throw new ArgumentOutOfRangeException(nameof(weightPercent), weightPercent, "An up weight is 1-100 %.");

    /// <summary>
    /// Down, with <paramref name="reason"/> as the description HAProxy shows (letters and digits only, so it stays one word of
    /// one line). The description is a word of its own: HAProxy 2.6 reads "down#Timeout" as one unknown word and ignores it.
    /// </summary>
    public static AgentAnswer Down(string reason)
    {
        var word = new StringBuilder();
        foreach (var c in reason ?? string.Empty)
        {
            if (char.IsAsciiLetterOrDigit(c) && word.Length < 64)
            {
                word.Append(c);
            }
        }

        return new(word.Length == 0 ? "down" : $"down #{word}");
    }

    public override string ToString() => Line;
}

/// <summary>The agent-check address could not be listened on.</summary>
public sealed class AgentCheckListenException : KdcHaException
{
    public AgentCheckListenException(string message, string address, Exception innerException)
        : base(message, innerException)
    {
        Address = address;
    }

    public string Address { get; }
}
