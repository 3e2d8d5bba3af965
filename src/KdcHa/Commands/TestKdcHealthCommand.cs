using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using KdcHa.Common;
using KdcHa.Kerberos.Health;
using KdcHa.Kerberos.Keytab;
using KdcHa.Kerberos.Messages;
using KdcHa.Kerberos.Transport;
using KeytabFile = KdcHa.Kerberos.Keytab.Keytab;

namespace KdcHa.Commands;

[Cmdlet(VerbsDiagnostic.Test, "KdcHealth", DefaultParameterSetName = ReachableSet)]
[OutputType(typeof(KdcHealthResult))]
[OutputType(typeof(bool))]
public sealed class TestKdcHealthCommand : KdcHaCmdlet
{
    private const string ReachableSet = "Reachable";
    private const string KeytabSet = "Keytab";
    private const string CredentialSet = "Credential";

    // Stands in for the client when none is named: "principal unknown" from the KDC then proves a database lookup.
    private const string ProbeClientName = "kdcha-probe";

    private readonly Dictionary<string, IClientKeySource> _keySources = new(StringComparer.Ordinal);
    private KeytabFile? _keytab;
    private KdcProbeScheduler? _scheduler;
    private bool _allHealthy = true;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ComputerName")]
    [ValidateNotNullOrEmpty]
    public string[] Kdc { get; set; } = Array.Empty<string>();

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Realm { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("UserName")]
    [ValidateNotNullOrEmpty]
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

        if (Keytab is not null)
        {
            _keytab = LoadKeytab(Keytab);
        }

        _scheduler = new KdcProbeScheduler(new KdcHealthProbe(new SocketKdcTransport(), PreAuthenticationHints.Shared), ThrottleLimit, CancellationToken);
    }

    protected override void ProcessRecord()
    {
        var principal = ResolvePrincipal();
        var realm = Realm ?? RealmOf(principal);
        var requests = new List<KdcProbeRequest>(Kdc.Length);
        foreach (var kdc in Kdc)
        {
            if (!KdcEndpoint.TryParse(kdc, out var endpoint) || endpoint is null)
            {
                _allHealthy = false;
                WriteError(NewError(
                    new ArgumentException($"'{kdc}' is not a KDC address: use host, host:port or [IPv6-address]:port."),
                    KdcHaErrors.InvalidKdcAddress, kdc));
                continue;
            }

            if (realm is null)
            {
                _allHealthy = false;
                WriteError(NewError(
                    new ArgumentException($"No realm for {kdc}: give -Realm, or a -Principal of the form name@REALM."),
                    KdcHaErrors.RealmRequired, kdc));
                continue;
            }

            var request = NewRequest(endpoint, realm, principal);
            WriteVerbose($"Probing {endpoint} ({Level}, {Transport}, {TimeoutMilliseconds} ms) as {request.ClientPrincipal}.");
            requests.Add(request);
        }

        _scheduler!.Enqueue(requests);
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

    private void Emit(IEnumerable<KdcHealthResult> results)
    {
        foreach (var result in results)
        {
            _allHealthy &= result.IsHealthy;
            WriteVerbose($"{result.Kdc}: {result.Status} in {result.RoundTripMilliseconds} ms. {result.Message}");
            if (!Quiet)
            {
                WriteObject(result);
            }
        }
    }

    private KdcProbeRequest NewRequest(KdcEndpoint endpoint, string realm, string? principal)
    {
        var client = PrincipalName.Parse(principal is null ? ProbeClientName : NameOf(principal));
        return new KdcProbeRequest(endpoint, realm, client, clientIsExpectedToExist: principal is not null)
        {
            Level = Level,
            KeySource = HasKeySource ? KeySourceFor($"{client}@{realm}") : null,
            Transport = Transport,
            Timeout = TimeSpan.FromMilliseconds(TimeoutMilliseconds),
        };
    }

    private string? ResolvePrincipal() =>
        Principal ?? (Credential?.UserName is { Length: > 0 } user ? user : null) ?? _keytab?.Principals.FirstOrDefault();

    private IClientKeySource KeySourceFor(string principal)
    {
        if (_keySources.TryGetValue(principal, out var known))
        {
            return known;
        }

        IClientKeySource source;
        if (_keytab is not null)
        {
            var keytabSource = new KeytabKeySource(_keytab, principal);
            if (keytabSource.EncryptionTypes.Count == 0)
            {
                ThrowTerminatingError(NewError(
                    new ArgumentException($"The keytab {Keytab} holds no usable key for {principal}. It holds: {string.Join(", ", _keytab.Principals)}."),
                    KdcHaErrors.PrincipalNotInKeytab, principal));
            }

            source = keytabSource;
        }
        else
        {
            source = new PasswordKeySource(Credential!.Password.Copy());
        }

        _keySources.Add(principal, source);
        return source;
    }
}
