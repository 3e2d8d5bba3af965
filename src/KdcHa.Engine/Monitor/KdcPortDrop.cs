using System;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Monitor;

/// <summary>
/// Keeps this node from refusing Kerberos clients while its KDC cannot answer (issue 20). A node whose krb5kdc has
/// exited or is restarting answers a request to the VIP with ICMP port unreachable (UDP) or a RST (TCP), and MIT's
/// client then gives up at once ("Cannot contact any KDC"); a request that gets no answer is sent again after 1 s, by
/// which time the VIP has moved (a crash) or the KDC is back (a restart). So, for as long as the monitor runs, an
/// nftables table drops KDC-port packets for which no socket exists: the nft <c>socket</c> expression finds the
/// listening or connected socket a packet would reach, and fails to match when there is none, so the drop rule
/// matches only in the gaps when nothing listens, whatever the probes have seen yet (a restart closes the port for
/// 34–90 ms, less than one probe interval).
/// <para>
/// The table cannot outlive the monitor: it is created with <c>flags owner</c> by an <c>nft -i</c> child fed through
/// its stdin, and the kernel deletes an owned table when the netlink socket of its owner closes. A monitor that is
/// killed (even SIGKILL) closes the child's stdin; the child reads EOF and exits, and the table goes with it. An
/// orderly stop deletes it first.
/// </para>
/// </summary>
public sealed class KdcPortDropWatcher : IMonitorWatcher
{
    /// <summary>The table's name in the inet family: <c>nft list table inet kdcha_monitor</c>.</summary>
    public const string TableName = "kdcha_monitor";

    // How long nft may take to start and load the table; it takes a few milliseconds.
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RemoveTimeout = TimeSpan.FromSeconds(1);

    private readonly string _node;
    private readonly string _ruleset;
    private readonly IMonitorEventSink _events;
    private readonly IMonitorClock _clock;
    private readonly TimeSpan _retryDelay;
    private readonly string _executable;
    private string? _lastError;

    /// <param name="node">The node's name, in the events.</param>
    /// <param name="port">The KDC's port (UDP and TCP).</param>
    /// <param name="exempt">The address the node's own clients and peers reach the KDC at (LocalKdc), left to refuse; null for none.</param>
    /// <param name="events">Where a failure to install the table goes.</param>
    /// <param name="clock">The monitor's clock.</param>
    /// <param name="retryDelay">How long after nft exited or failed it is started again.</param>
    /// <param name="executable">nft, found on PATH unless a path is given.</param>
    public KdcPortDropWatcher(string node, int port, IPAddress? exempt, IMonitorEventSink events, IMonitorClock clock, TimeSpan retryDelay, string executable = "nft")
    {
        _node = node;
        _ruleset = Ruleset(port, exempt);
        _events = events;
        _clock = clock;
        _retryDelay = retryDelay;
        _executable = executable;
    }

    /// <summary>
    /// The table, as one nft transaction. Loopback is never dropped: the monitor's own probe of its KDC must still be
    /// refused, which is how it tells a crash at once. Neither is the <paramref name="exempt"/> address (the node's
    /// own, as LocalKdc names it): a client that lists KDCs by address and the peers' monitors gain from a quick
    /// refusal (MIT tries the next KDC at once). Everything else to the port, the VIPs above all, is dropped only when
    /// no socket would receive it; the named counter <c>dropped</c> counts those packets.
    /// </summary>
    public static string Ruleset(int port, IPAddress? exempt)
    {
        if (port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, "The port must be between 1 and 65535.");
        }

        var kdcPort = string.Create(CultureInfo.InvariantCulture, $"meta l4proto {{ tcp, udp }} th dport {port}");
        var exemption = exempt is null || IPAddress.IsLoopback(exempt)
            ? string.Empty
            : $"{(exempt.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6" : "ip")} daddr {exempt} accept; ";
        return $"table inet {TableName} {{ flags owner; counter dropped {{ }}; chain input {{ type filter hook input priority -10; policy accept; " +
            $"iif \"lo\" accept; {exemption}{kdcPort} socket transparent {{ 0, 1 }} accept; {kdcPort} counter name \"dropped\" drop; }}; }}";
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var table = await OwnedTable.InstallAsync(_executable, _ruleset, cancellationToken).ConfigureAwait(false);
                _lastError = null;
                await table.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                Report($"nft exited (code {table.ExitCode}), so the table went with it; installing it again. {table.Errors}".TrimEnd());
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (KdcPortDropException e) when (e.Permanent)
            {
                // Not root, or no nft: retrying cannot help, and the monitor goes on without the table.
                Report(e.Message);
                return;
            }
            catch (KdcPortDropException e)
            {
                Report(e.Message);
            }

            try
            {
                await _clock.DelayAsync(_retryDelay, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Report(string error)
    {
        if (error == _lastError)
        {
            return;
        }

        _lastError = error;
        _events.Publish(new MonitorSourceFailedEvent(_node, _clock.UtcNow, "KDC port drop (nftables)", error));
    }

    /// <summary>The running <c>nft -i</c> that owns the table.</summary>
    private sealed class OwnedTable : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _errors = new();
        private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private OwnedTable(Process process)
        {
            _process = process;
            _process.ErrorDataReceived += (_, line) =>
            {
                if (line.Data is not { Length: > 0 } text)
                {
                    return;
                }

                lock (_errors)
                {
                    _errors.Append(text.Trim()).Append(' ');
                }

                if (text.StartsWith("Error", StringComparison.Ordinal) || text.Contains("not permitted", StringComparison.Ordinal))
                {
                    _failed.TrySetResult();
                }
            };
            _process.BeginErrorReadLine();
        }

        public int ExitCode => _process.ExitCode;

        public string Errors
        {
            get
            {
                lock (_errors)
                {
                    return _errors.ToString().Trim();
                }
            }
        }

        /// <exception cref="KdcPortDropException">nft could not be run, or did not load the table.</exception>
        public static async Task<OwnedTable> InstallAsync(string executable, string ruleset, CancellationToken cancellationToken)
        {
            var start = new ProcessStartInfo(executable, "-i")
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            Process process;
            try
            {
                process = Process.Start(start) ?? throw new KdcPortDropException($"{executable} did not start.", permanent: true);
            }
            catch (Win32Exception e)
            {
                throw new KdcPortDropException($"Cannot run {executable} (install nftables, or -DropWhileKdcDown:$false): {e.Message}", permanent: true);
            }

            var table = new OwnedTable(process);
            try
            {
                await table.LoadAsync(ruleset, cancellationToken).ConfigureAwait(false);
                return table;
            }
            catch
            {
                table.Dispose();
                throw;
            }
        }

        public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

        /// <summary>Deletes the table and ends nft; closing its stdin alone would do, the delete makes it explicit.</summary>
        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.StandardInput.WriteLine($"delete table inet {TableName}");
                    _process.StandardInput.Close();
                    if (!_process.WaitForExit(RemoveTimeout))
                    {
                        _process.Kill();
                    }
                }
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or Win32Exception)
            {
                // nft has gone already (and the kernel took the table with it).
            }
            finally
            {
                _process.Dispose();
            }
        }

        // The table, then a listing of it: the listing's last line, "}", proves the table is there; an error line on
        // stderr or nft's exit (not root: it quits at once) proves it is not.
        private async Task LoadAsync(string ruleset, CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(InstallTimeout);
            try
            {
                await _process.StandardInput.WriteLineAsync(ruleset.AsMemory(), timeout.Token).ConfigureAwait(false);
                await _process.StandardInput.WriteLineAsync($"list table inet {TableName}".AsMemory(), timeout.Token).ConfigureAwait(false);
                await _process.StandardInput.FlushAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                // Its stdin closed under us: nft has exited.
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
                throw Failure(e.Message);
            }

            var listed = ListedAsync(timeout.Token);
            await Task.WhenAny(listed, _failed.Task).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (listed.IsCompletedSuccessfully && listed.Result)
            {
                return;
            }

            if (listed.IsCanceled)
            {
                throw new KdcPortDropException($"nft did not load the table within {InstallTimeout.TotalSeconds:0} s. {Errors}".TrimEnd(), permanent: false);
            }

            // Let stderr catch up with an exit, so the message says why.
            await Task.WhenAny(_failed.Task, Task.Delay(100, cancellationToken)).ConfigureAwait(false);
            throw Failure("nft exited");
        }

        private KdcPortDropException Failure(string fallback)
        {
            var errors = Errors;
            var permission = errors.Contains("not permitted", StringComparison.Ordinal) || errors.Contains("must be root", StringComparison.Ordinal);
            return permission
                ? new KdcPortDropException($"nft was not permitted to load the table that keeps the KDC port from refusing clients while the KDC is down: it needs CAP_NET_ADMIN (run the monitor as root), and no other process may own a table {TableName} in this network namespace (another monitor). The monitor runs on without it; -DropWhileKdcDown:$false turns it off. nft said: {errors}", permanent: true)
                : new KdcPortDropException($"nft did not load the table: {(errors.Length > 0 ? errors : fallback)}", permanent: false);
        }

        private async Task<bool> ListedAsync(CancellationToken cancellationToken)
        {
            while (await _process.StandardOutput.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line == "}")
                {
                    return true;
                }
            }

            return false;
        }
    }
}

/// <summary>The KDC-port drop could not be installed; <see cref="Permanent"/> when trying again cannot help (not root, no nft).</summary>
internal sealed class KdcPortDropException : Exception
{
    public KdcPortDropException(string message, bool permanent)
        : base(message)
    {
        Permanent = permanent;
    }

    public bool Permanent { get; }
}
