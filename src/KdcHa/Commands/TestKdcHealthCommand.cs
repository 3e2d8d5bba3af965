using System;
using System.Collections.Generic;
using System.Management.Automation;
using KdcHa.Completers;
using KdcHa.Kerberos;
using KdcHa.Kerberos.Discovery;
using KdcHa.Kerberos.Health;
using KdcHa.Kerberos.Transport;

namespace KdcHa.Commands;

[Cmdlet(VerbsDiagnostic.Test, "KdcHealth", DefaultParameterSetName = ReachableSet)]
[OutputType(typeof(KdcHealthResult))]
[OutputType(typeof(bool))]
public sealed class TestKdcHealthCommand : KdcHaCmdlet
{
    private const string ReachableSet = "Reachable";
    private const string KeytabSet = "Keytab";
    private const string CredentialSet = "Credential";

    private KdcProbeTargetFactory? _targets;
    private KdcDiscovery? _discovery;
    private KdcProbeScheduler? _scheduler;
    private CmdletProgress? _progress;
    private bool _allHealthy = true;
    private int _probing;
    private int _answered;
    private int _shownPercent = -1;

    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ComputerName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(KdcCompleter))]
    public string[] Kdc { get; set; } = Array.Empty<string>();

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ValidateLength(1, KdcProbeRequest.MaxRealmLength)]
    [ArgumentCompleter(typeof(RealmCompleter))]
    public string? Realm { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("UserName")]
    [ValidateNotNullOrEmpty]
    [ValidateLength(1, KdcProbeRequest.MaxPrincipalLength + 1 + KdcProbeRequest.MaxRealmLength)]
    public string? Principal { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = KeytabSet)]
    [ValidateNotNullOrEmpty]
    public string? Keytab { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
    [Credential]
    public PSCredential? Credential { get; set; }

    [Parameter]
    public KdcTransportProtocol Transport { get; set; } = KdcTransportProtocol.Auto;

    [Parameter]
    [ValidateRange(50, 60000)]
    public int TimeoutMilliseconds { get; set; } = 1000;

    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = 16;

    [Parameter]
    public KdcProbeLevel Level { get; set; }

    [Parameter]
    public SwitchParameter Quiet { get; set; }

    private bool HasKeySource => ParameterSetName != ReachableSet;

    protected override void BeginProcessing()
    {
        if (!MyInvocation.BoundParameters.ContainsKey(nameof(Level)))
        {
            Level = HasKeySource ? KdcProbeLevel.Authenticated : KdcProbeLevel.Reachable;
        }
        else if (Level == KdcProbeLevel.Authenticated && !HasKeySource)
        {
            ThrowTerminatingError(NewError(
                new ArgumentException("-Level Authenticated needs a key: give -Keytab or -Credential."),
                KdcHaErrors.KeySourceRequired, Level));
        }

        _targets = new KdcProbeTargetFactory(Keytab is null ? null : LoadKeytab(Keytab), Keytab, Credential?.Password, Credential?.UserName)
        {
            Level = Level,
            Transport = Transport,
            Timeout = TimeSpan.FromMilliseconds(TimeoutMilliseconds),
        };
        _discovery = KdcDiscovery.ForThisHost();
        _scheduler = new KdcProbeScheduler(new KdcHealthProbe(new SocketKdcTransport(), ProbeHints.Shared), ThrottleLimit, CancellationToken);
        _progress = new CmdletProgress(this, MyInvocation.MyCommand.Name, $"Probing KDCs ({Level}, {Transport})");
    }

    protected override void ProcessRecord()
    {
        var requests = new List<KdcProbeRequest>(Kdc.Length);
        foreach (var kdc in Kdc)
        {
            AddRequest(requests, kdc, Realm, KdcSource.Parameter, Transport, origin: null);
        }

        if (Kdc.Length == 0 && DiscoveryRealm() is { } realm)
        {
            foreach (var found in Discover(realm))
            {
                AddRequest(requests, found.Address, realm, found.Source, found.Transport, found.Origin);
            }
        }

        _scheduler!.Enqueue(requests);
        _probing += requests.Count;
        ShowProgress(requests.Count > 0 ? $"Started {requests.Count} probe(s)" : null);
        Emit(_scheduler!.TakeCompleted());
    }

    protected override void EndProcessing()
    {
        try
        {
            Emit(_scheduler!.TakeRemaining());
        }
        catch (OperationCanceledException)
        {
            return;
        }
        finally
        {
            _progress!.Complete();
        }

        if (Quiet)
        {
            WriteObject(_allHealthy);
        }
    }

    protected override void StopProcessing()
    {
        base.StopProcessing();
        _scheduler?.Dispose();
    }

    private void AddRequest(List<KdcProbeRequest> requests, string kdc, string? realm, KdcSource source, KdcTransportProtocol transport, string? origin)
    {
        var foundIn = origin is null ? string.Empty : $" (from the {origin})";
        if (!KdcEndpoint.TryParse(kdc, out var endpoint) || endpoint is null)
        {
            _allHealthy = false;
            WriteError(NewError(
                new ArgumentException($"'{kdc}'{foundIn} is not a KDC address: use host, host:port or [IPv6-address]:port."),
                KdcHaErrors.InvalidKdcAddress, kdc));
            return;
        }

        KdcProbeRequest request;
        try
        {
            request = _targets!.Request(endpoint, Principal, realm, source, transport);
        }
        catch (RealmRequiredException e)
        {
            _allHealthy = false;
            WriteError(EngineError(e, kdc, KdcHaErrors.RealmRequired));
            return;
        }
        catch (PrincipalNotInKeytabException e)
        {
            _progress!.Complete();
            ThrowTerminatingError(EngineError(e, e.Principal, KdcHaErrors.PrincipalNotInKeytab));
            throw;
        }

        WriteVerbose($"Probing {endpoint} ({Level}, {transport}, {TimeoutMilliseconds} ms) as {request.ClientPrincipal}{foundIn}.");
        requests.Add(request);
    }

    /// <summary>The realm whose KDCs a record without -Kdc probes: -Realm, else the principal's; null after reporting RealmRequired.</summary>
    private string? DiscoveryRealm()
    {
        if ((Realm ?? RealmOf(Principal ?? _targets!.DefaultPrincipal)) is { } realm)
        {
            return realm;
        }

        _allHealthy = false;
        WriteError(NewError(
            new ArgumentException("Without -Kdc, Test-KdcHealth probes a realm's KDCs: give -Realm, or a principal of the form name@REALM."),
            KdcHaErrors.RealmRequired, null));
        return null;
    }

    /// <summary>The realm's KDCs from krb5.conf, else DNS, within the probe deadline; none after reporting KdcNotFound.</summary>
    private IReadOnlyList<DiscoveredKdc> Discover(string realm)
    {
        try
        {
            return RunOnPipeline($"Finding the KDCs of {realm}", (output, token) =>
                _discovery!.DiscoverAsync(realm, Transport, TimeSpan.FromMilliseconds(TimeoutMilliseconds), output, token));
        }
        catch (KdcNotFoundException e)
        {
            _allHealthy = false;
            WriteError(EngineError(e, realm, KdcHaErrors.KdcNotFound));
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: the pipeline is stopping and reports that itself.
        }

        return Array.Empty<DiscoveredKdc>();
    }

    private void Emit(IEnumerable<KdcHealthResult> results)
    {
        foreach (var result in results)
        {
            _allHealthy &= result.IsHealthy;
            _answered++;
            ShowProgress($"{result.Kdc}: {result.Status}");
            WriteVerbose($"{result.Kdc}: {result.Status} in {result.RoundTripMilliseconds} ms. {result.Message}");
            if (!Quiet)
            {
                WriteObject(result);
            }
        }
    }

    // One update per percent at most: a thousand KDCs must not cost a thousand host redraws (the host rate-limits them).
    private void ShowProgress(string? currentOperation)
    {
        if (_probing == 0)
        {
            return;
        }

        var percent = _answered * 100 / _probing;
        if (percent != _shownPercent)
        {
            _shownPercent = percent;
            _progress!.Report($"{_answered} of {_probing} KDCs answered", currentOperation, percent);
        }
    }
}
