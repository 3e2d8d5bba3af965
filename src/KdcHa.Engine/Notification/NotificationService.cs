using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Common;
using KdcHa.Notification.Channels;

namespace KdcHa.Notification;

/// <summary>
/// Everything one command's alerting needs, built from the configuration and the channels chosen for it: the secret
/// resolver with its redactor, one HTTP client, the channels, the spool and the dispatcher. The caller supplies only
/// what the host knows: the spool as a file-system path and the values of vault: and session: references.
/// </summary>
public sealed class NotificationService : IDisposable
{
    private readonly HttpClientPoster _poster = new();

    public NotificationService(
        NotificationConfiguration configuration,
        string spoolPath,
        IReadOnlyList<NotificationChannelDefinition> definitions,
        IReadOnlyDictionary<string, string> providedSecrets,
        TimeProvider? time = null)
    {
        Time = time ?? TimeProvider.System;
        var factory = new NotificationChannelFactory(_poster, new SecretReferenceResolver(Redactor, providedSecrets), Time);
        Channels = definitions.Select(factory.Create).ToList();
        var options = configuration.ToDispatcherOptions();
        Templates = options.Templates;
        Spool = new NotificationSpool(spoolPath, configuration.MaxPendingPerChannel, Time);
        Dispatcher = new NotificationDispatcher(Channels, Spool, options, Time, Redactor);
    }

    public TimeProvider Time { get; }

    /// <summary>Knows every secret resolved so far; whatever leaves the service passes through it.</summary>
    public SecretRedactor Redactor { get; } = new();

    public IReadOnlyList<INotificationChannel> Channels { get; }

    public NotificationTemplates Templates { get; }

    public NotificationSpool Spool { get; }

    /// <summary>Not started: spooling works at once, delivery once <see cref="NotificationDispatcher.Start"/> is called.</summary>
    public NotificationDispatcher Dispatcher { get; }

    /// <summary>
    /// Delivers what is spooled for the channels, waiting up to <paramref name="timeout"/>, and writes a result for
    /// every final outcome and then a Pending result for every notification left in the spool. Returns what was not
    /// delivered, for the caller to report as errors.
    /// </summary>
    public async Task<NotificationDeliveryReport> DeliverAsync(TimeSpan timeout, IOperationOutput output, CancellationToken cancellationToken)
    {
        var watched = new RejectionWatch(output);
        Dispatcher.Start(watched);
        try
        {
            await Dispatcher.FlushAsync(timeout, cancellationToken, output).ConfigureAwait(false);
        }
        finally
        {
            // Stopped first, so that no result comes in while the spool is read for what is left, and so that no
            // thread writes to the output once the caller has stopped reading it.
            Dispatcher.Dispose();
        }

        var pending = Dispatcher.PendingResults();
        foreach (var result in pending)
        {
            output.WriteObject(result);
        }

        return new NotificationDeliveryReport(watched.Rejected, pending);
    }

    /// <summary>One direct send to the channel, as Test-KdcHaNotificationChannel makes it: see <see cref="NotificationChannelTester"/>.</summary>
    public Task<NotificationChannelTestResult> TestAsync(INotificationChannel channel, NotificationEvent notification, TimeSpan timeout, CancellationToken cancellationToken) =>
        NotificationChannelTester.TestAsync(channel, notification, timeout, Redactor, Time, cancellationToken);

    public void Dispose()
    {
        Dispatcher.Dispose();
        _poster.Dispose();
    }

    /// <summary>Passes everything on and keeps the refusals.</summary>
    private sealed class RejectionWatch : IOperationOutput
    {
        private readonly IOperationOutput _output;
        private readonly List<NotificationDeliveryResult> _rejected = new();

        public RejectionWatch(IOperationOutput output)
        {
            _output = output;
        }

        public IReadOnlyList<NotificationDeliveryResult> Rejected
        {
            get
            {
                lock (_rejected)
                {
                    return _rejected.ToList();
                }
            }
        }

        public void WriteVerbose(string message) => _output.WriteVerbose(message);

        public void WriteWarning(string message) => _output.WriteWarning(message);

        public void WriteProgress(string stage, string status) => _output.WriteProgress(stage, status);

        public void WriteObject(object value)
        {
            if (value is NotificationDeliveryResult { DeliveryStatus: NotificationDeliveryStatus.Rejected } result)
            {
                lock (_rejected)
                {
                    _rejected.Add(result);
                }
            }

            _output.WriteObject(value);
        }
    }
}

/// <summary>
/// Start-KdcHaMonitor's alerting: a <see cref="NotificationService"/> for the monitor's channels, delivering in the
/// background for the whole run. The dispatcher's progress and each alert's outcome reach the monitor's output as
/// verbose lines; the monitor's own objects are its events, not delivery results.
/// </summary>
public sealed class MonitorAlerts : IDisposable
{
    private readonly NotificationService _service;
    private readonly IReadOnlyList<string> _channels;
    private IOperationOutput _output = OperationOutput.None;

    public MonitorAlerts(NotificationService service)
    {
        _service = service;
        _channels = service.Channels.Select(channel => channel.Definition.Name).ToList();
    }

    /// <summary>The channels the monitor's alerts go to.</summary>
    public IReadOnlyList<string> Channels => _channels;

    /// <summary>How many alerts wait in <paramref name="channel"/>'s spool: a directory listing, no file read.</summary>
    public int PendingCount(string channel) => _service.Spool.Pending(channel).Count;

    /// <summary>Starts delivery, writing to <paramref name="output"/> from the dispatcher's threads until disposed.</summary>
    public void Start(IOperationOutput output)
    {
        _output = new OutcomesAsVerbose(output);
        _service.Dispatcher.Start(_output);
    }

    /// <summary>Spools one alert for the monitor's channels: durable, so slow; never call it from the probe loop.</summary>
    public void Enqueue(NotificationEvent notification) => _service.Dispatcher.Enqueue(notification, _channels, _output);

    /// <summary>Gives the channels <paramref name="grace"/> to deliver what is spooled; warns about what stays spooled.</summary>
    public void Flush(TimeSpan grace)
    {
        if (_service.Dispatcher.FlushAsync(grace, CancellationToken.None).GetAwaiter().GetResult())
        {
            return;
        }

        var pending = _service.Dispatcher.PendingResults();
        _output.WriteWarning($"{pending.Count} alert(s) not delivered within {grace.TotalSeconds:0} s stay spooled for the next monitor or Send-KdcHaNotification -Pending: " +
            string.Join("; ", pending.Select(result => $"{result.EventId} to '{result.Channel}': {result.Message}")));
    }

    public void Dispose() => _service.Dispose();

    private sealed class OutcomesAsVerbose : IOperationOutput
    {
        private readonly IOperationOutput _output;

        public OutcomesAsVerbose(IOperationOutput output)
        {
            _output = output;
        }

        public void WriteVerbose(string message) => _output.WriteVerbose(message);

        public void WriteWarning(string message) => _output.WriteWarning(message);

        public void WriteProgress(string stage, string status) => _output.WriteProgress(stage, status);

        public void WriteObject(object value) => _output.WriteVerbose(value is NotificationDeliveryResult result
            ? $"Alert {result.EventId} ({result.Kind}) to '{result.Channel}': {result.Status}. {result.Message}"
            : value.ToString() ?? string.Empty);
    }
}
