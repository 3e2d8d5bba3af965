<#
.SYNOPSIS
Probes every KDC of a realm and sends one alert that summarises the failures. Exit code 0 when all are healthy,
1 otherwise.

.DESCRIPTION
Meant for a systemd timer (kdcha-health-report.timer) or cron. The KDCs come from -Kdc, or from the kdc lines of
the realm in krb5.conf's [realms] section. All of them are probed concurrently by one Test-KdcHealth call, so a
hung KDC costs one -TimeoutMilliseconds, not one per KDC.

When any KDC fails, one Send-KdcHaNotification (Kind KdcUnhealthy, Severity Critical) names every failing KDC
with its status, so a realm-wide outage pages once instead of once per KDC. Nothing is sent when all are
healthy; the notification engine's duplicate window keeps a run every few minutes from repeating an identical
alert within one run only, so pick a timer interval you are happy to be paged at.

The result objects go to the output (ConvertTo-Json friendly), and the exit code tells systemd or cron whether
the run found a problem: 0 all healthy, 1 at least one KDC failed or the check itself failed.

.PARAMETER Kdc
The KDCs to probe, host or host:port. Without it the kdc lines of -Realm in -Krb5Conf are used.

.PARAMETER Realm
The realm. With -Kdc it is the realm the probes ask for; with -Krb5Conf it selects the [realms] entry
(default: default_realm from [libdefaults]).

.PARAMETER Krb5Conf
The krb5.conf to read the KDC list from. Default: $env:KRB5_CONFIG, else /etc/krb5.conf.

.PARAMETER Keytab
Optional: a keytab for a full pre-authenticated exchange (Level Keytab) instead of an unauthenticated AS request.

.PARAMETER Principal
The principal in -Keytab, or the client principal of the unauthenticated probe.

.PARAMETER TimeoutMilliseconds
Deadline of each probe.

.PARAMETER NotificationConfigurationPath
The notification configuration (channels). Default: $env:KDCHA_NOTIFICATION_CONFIG, else /etc/kdcha/notification.json.

.PARAMETER NotificationChannel
Only these channels (wildcards allowed). Default: every channel of the configuration.

.EXAMPLE
./kdc-health-report.ps1 -Realm EXAMPLE.COM

Reads the KDCs of EXAMPLE.COM from /etc/krb5.conf, probes them, alerts on failures, exits 0 or 1.

.EXAMPLE
./kdc-health-report.ps1 -Kdc kdc1.example.com, kdc2.example.com:88 -Realm EXAMPLE.COM -NotificationChannel ops-* | Format-Table

.OUTPUTS
KdcHa.Kerberos.Health.KdcHealthResult, one per KDC.
#>
[CmdletBinding(DefaultParameterSetName = 'Krb5Conf')]
param(
    [Parameter(Mandatory, ParameterSetName = 'List')][ValidateNotNullOrEmpty()][string[]] $Kdc,
    [ValidatePattern('^[^@\s]+$')][string] $Realm,
    [Parameter(ParameterSetName = 'Krb5Conf')][ValidateNotNullOrEmpty()][string] $Krb5Conf = $(if ($env:KRB5_CONFIG) { $env:KRB5_CONFIG } else { '/etc/krb5.conf' }),
    [ValidateScript({ Test-Path -LiteralPath $_ -PathType Leaf })][string] $Keytab,
    [ValidateNotNullOrEmpty()][string] $Principal,
    [ValidateRange(50, 60000)][int] $TimeoutMilliseconds = 2000,
    [ValidateNotNullOrEmpty()][string] $NotificationConfigurationPath,
    [ValidateNotNullOrEmpty()][string[]] $NotificationChannel
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

function Get-Krb5ConfKdc {
    <# Returns @{ Realm; Kdc } from krb5.conf: the kdc lines of one [realms] entry (MIT profile syntax). #>
    param([string] $Path, [string] $Realm)
    $section = $null
    $defaultRealm = $null
    $current = $null
    $kdcs = @{}
    foreach ($raw in Get-Content -LiteralPath $Path) {
        $line = ($raw -replace '[#;].*$', '').Trim()
        if (-not $line) { continue }
        if ($line -match '^\[(.+)\]$') { $section = $Matches[1].Trim(); $current = $null; continue }
        if ($section -eq 'libdefaults' -and $line -match '^default_realm\s*=\s*(\S+)') { $defaultRealm = $Matches[1] }
        if ($section -ne 'realms') { continue }
        if ($line -match '^(\S+)\s*=\s*\{$') { $current = $Matches[1]; $kdcs[$current] = [Collections.Generic.List[string]]::new(); continue }
        if ($line -eq '}') { $current = $null; continue }
        if ($current -and $line -match '^kdc\s*=\s*(\S+)$') { $kdcs[$current].Add($Matches[1]) }
    }
    if (-not $Realm) { $Realm = $defaultRealm }
    if (-not $Realm) { throw "No -Realm given and no default_realm in $Path." }
    if (-not $kdcs.ContainsKey($Realm) -or $kdcs[$Realm].Count -eq 0) { throw "No kdc lines for realm $Realm in $Path." }
    @{ Realm = $Realm; Kdc = [string[]]$kdcs[$Realm] }
}

try {
    if (-not (Get-Module -Name KdcHa)) { Import-Module -Name KdcHa }
    if ($PSCmdlet.ParameterSetName -eq 'Krb5Conf') {
        $fromConf = Get-Krb5ConfKdc -Path $Krb5Conf -Realm $Realm
        $Kdc = $fromConf.Kdc
        $Realm = $fromConf.Realm
    }
    $probe = @{ Kdc = $Kdc; TimeoutMilliseconds = $TimeoutMilliseconds }
    if ($Realm) { $probe.Realm = $Realm }
    if ($Keytab) { $probe.Keytab = $Keytab }
    if ($Principal) { $probe.Principal = $Principal }
    $results = @(Test-KdcHealth @probe)
    $results
    $failed = @($results | Where-Object { -not $_.IsHealthy })
    if ($failed.Count -gt 0) {
        $summary = ($failed | ForEach-Object { "$($_.Kdc) ($($_.Status))" }) -join ', '
        $notify = @{
            Kind = 'KdcUnhealthy'; Severity = 'Critical'; ComputerName = [Environment]::MachineName
            Title = "$($failed.Count) of $($results.Count) KDCs failing in $($results[0].Realm)"
            Message = "$($failed.Count) of $($results.Count) KDCs of $($results[0].Realm) failed the health check: $summary"
            Details = @{ failing = ($failed | ForEach-Object Kdc) -join ','; healthy = ($results | Where-Object IsHealthy | ForEach-Object Kdc) -join ',' }
        }
        if ($NotificationConfigurationPath) { $notify.ConfigurationPath = $NotificationConfigurationPath }
        if ($NotificationChannel) { $notify.Channel = $NotificationChannel }
        # Delivery problems are reported but do not change the verdict: the KDCs failing is what exit 1 says.
        foreach ($delivery in Send-KdcHaNotification @notify -Confirm:$false) {
            if ($delivery.Status -ne 'Delivered') { Write-Warning "Alert to channel $($delivery.Channel): $($delivery.Status)" }
        }
        exit 1
    }
    exit 0
} catch {
    # A broken check (unreadable krb5.conf, missing keytab) must not look like a healthy realm to the timer.
    Write-Error -ErrorRecord $_ -ErrorAction Continue
    exit 1
}
