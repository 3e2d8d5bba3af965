<#
.SYNOPSIS
A scripted KDC failover loop built only from the public KdcHa cmdlets (no Start-KdcHaMonitor).

.DESCRIPTION
Run this on the node that holds the keepalived VIP. Every -IntervalMilliseconds it runs a full Kerberos
exchange against the local KDC with a keytab (Test-KdcHealth -Keytab). After -Fall consecutive failures, and
only while at least one peer KDC answers, it hands the VIP over with Move-KdcVip and reports the switchover
with Send-KdcHaNotification. A failing local KDC with no healthy peer is reported but the VIP stays: moving it
would not help any client.

After a successful move this node stays demoted (Move-KdcVip's maintenance file) until an operator runs
`Move-KdcVip -Instance <name> -Restore`; the loop keeps probing and reports the recovery, but never moves the VIP
back by itself, so a flapping KDC cannot bounce the VIP.

keepalived must track the maintenance file of the instance (track_file kdcha_maint_<Instance>), which is what
New-KdcHaKeepalivedConfig writes. That configuration also tracks the monitor's heartbeat (-MonitorWeight, default
150): without Start-KdcHaMonitor every node loses that weight alike, so give the nodes priorities that keep their
order after it (for example 250 and 200), or run the loop on every node of the pair. The loop stops after -MaxIterations probes or -Duration, whichever comes first,
or on Ctrl+C; a stop never leaves a half-done switchover behind (Move-KdcVip rolls back on Ctrl+C itself).

Start-KdcHaMonitor does the same job faster (sub-second, with the keepalived fault file) and is what production
should use; this script shows how the cmdlets compose, and is a starting point for site-specific policies.

.PARAMETER LocalKdc
The KDC on this node, host or host:port (for example 127.0.0.1 or 10.0.0.11:88).

.PARAMETER PeerKdc
The other KDCs behind the VIP. A failover only happens while at least one of them is healthy.

.PARAMETER Keytab
A keytab with the key of -Principal, used for a full pre-authenticated AS exchange (what kinit -k does).

.PARAMETER Principal
The principal in -Keytab, for example 'kdcha-health/kdc1.example.com@EXAMPLE.COM'.

.PARAMETER Instance
The keepalived vrrp_instance that carries the VIP.

.PARAMETER KeepalivedConfigPath
keepalived's configuration, which Move-KdcVip reads to find the maintenance track_file.

.PARAMETER Realm
The realm, for Move-KdcVip's Kerberos probe of the VIP after the move. Default: the realm of -Principal.

.PARAMETER IntervalMilliseconds
Time between the start of two probe rounds.

.PARAMETER TimeoutMilliseconds
Deadline of one probe; a hung KDC counts as failed after this long.

.PARAMETER Fall
Consecutive failed probes of the local KDC before a failover.

.PARAMETER MoveTimeoutSeconds
How long Move-KdcVip waits for a peer to take over before it rolls back.

.PARAMETER NotificationConfigurationPath
The notification configuration (channels) for Send-KdcHaNotification. Default: $env:KDCHA_NOTIFICATION_CONFIG, else
/etc/kdcha/notification.json.

.PARAMETER NotificationChannel
Only these channels (wildcards allowed). Default: every channel of the configuration.

.PARAMETER MaxIterations
Stop after this many probe rounds. 0 (the default) means no limit.

.PARAMETER Duration
Stop after this long. Default: no limit.

.EXAMPLE
./failover-loop.ps1 -LocalKdc 127.0.0.1 -PeerKdc 10.0.0.12 -Keytab /etc/kdcha/health.keytab `
    -Principal 'kdcha-health/kdc1.example.com@EXAMPLE.COM' -Instance KDC_VIP -Verbose

Probes every second; after 3 failures in a row with kdc2 healthy, moves KDC_VIP to kdc2 and notifies every channel
in /etc/kdcha/notification.json.

.EXAMPLE
./failover-loop.ps1 -LocalKdc 10.0.0.11 -PeerKdc 10.0.0.12 -Keytab ./health.keytab -Principal 'kdcha-health/kdc1@EXAMPLE.COM' `
    -Instance KDC_VIP -IntervalMilliseconds 200 -Fall 2 -Duration 00:05:00 | ConvertTo-Json -Compress

Bounded run (5 minutes) that writes one JSON line per failover.

.OUTPUTS
One object per failover attempt: Time, LocalKdc, LocalStatus, HealthyPeer, Moved, To, DurationMilliseconds,
Error and NotificationStatus.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][ValidateNotNullOrEmpty()][string] $LocalKdc,
    [Parameter(Mandatory)][ValidateNotNullOrEmpty()][string[]] $PeerKdc,
    [Parameter(Mandatory)][ValidateScript({ Test-Path -LiteralPath $_ -PathType Leaf })][string] $Keytab,
    [Parameter(Mandatory)][ValidatePattern('^[^@\s]+@[^@\s]+$')][string] $Principal,
    [Parameter(Mandatory)][ValidatePattern('^[A-Za-z0-9_.-]+$')][string] $Instance,
    [ValidateNotNullOrEmpty()][string] $KeepalivedConfigPath = '/etc/keepalived/keepalived.conf',
    [ValidatePattern('^[^@\s]+$')][string] $Realm,
    [ValidateRange(50, 3600000)][int] $IntervalMilliseconds = 1000,
    [ValidateRange(50, 60000)][int] $TimeoutMilliseconds = 1000,
    [ValidateRange(1, 100)][int] $Fall = 3,
    [ValidateRange(1, 300)][int] $MoveTimeoutSeconds = 10,
    [ValidateNotNullOrEmpty()][string] $NotificationConfigurationPath,
    [ValidateNotNullOrEmpty()][string[]] $NotificationChannel,
    [ValidateRange(0, [int]::MaxValue)][int] $MaxIterations = 0,
    [ValidateScript({ $_ -gt [TimeSpan]::Zero })][TimeSpan] $Duration = [TimeSpan]::MaxValue
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
# Already imported (for example by path, in a test) is fine; otherwise load it from the module path.
if (-not (Get-Module -Name KdcHa)) { Import-Module -Name KdcHa }

if (-not $Realm) { $Realm = $Principal.Split('@')[1] }
$probe = @{ Keytab = $Keytab; Principal = $Principal; TimeoutMilliseconds = $TimeoutMilliseconds }
$notify = @{ Instance = $Instance; ComputerName = [Environment]::MachineName }
# Left out, the notification engine's own default applies ($env:KDCHA_NOTIFICATION_CONFIG, /etc/kdcha/notification.json).
if ($NotificationConfigurationPath) { $notify.ConfigurationPath = $NotificationConfigurationPath }
if ($NotificationChannel) { $notify.Channel = $NotificationChannel }

function Send-LoopNotification {
    # A failed delivery must not end the loop: the notification engine spools it, and we report its status.
    param([string] $Message, [string] $Severity, [string] $Kind, [hashtable] $Details)
    try {
        $results = @(Send-KdcHaNotification @notify -Message $Message -Severity $Severity -Kind $Kind -Details $Details -Confirm:$false)
        ($results | ForEach-Object { "$($_.Channel)=$($_.Status)" }) -join ','
    } catch {
        Write-Warning "Notification failed: $($_.Exception.Message)"
        'Failed'
    }
}

$clock = [Diagnostics.Stopwatch]::StartNew()
$failures = 0
# After a move this node is demoted; another move would only fail with NotVipHolder.
$demoted = $false
$iteration = 0
Write-Verbose "Failover loop started: probing $LocalKdc every $IntervalMilliseconds ms, fall $Fall, peers $($PeerKdc -join ', ')."
try {
    while (($MaxIterations -eq 0 -or $iteration -lt $MaxIterations) -and $clock.Elapsed -lt $Duration) {
        $iteration++
        $roundStart = $clock.ElapsedMilliseconds
        $local = Test-KdcHealth -Kdc $LocalKdc @probe
        if ($local.IsHealthy) {
            if ($failures -ge $Fall) {
                Write-Verbose "Local KDC $LocalKdc answers again after $failures failed probes."
                if ($demoted) {
                    $null = Send-LoopNotification -Severity Info -Kind KdcRecovered -Details @{ kdc = $LocalKdc } `
                        -Message "KDC $LocalKdc answers again; this node stays demoted until: Move-KdcVip -Instance $Instance -Restore"
                }
            }
            $failures = 0
        } else {
            $failures++
            Write-Verbose "Local KDC $LocalKdc failed ($($local.Status)), $failures of $Fall."
        }

        if ($failures -eq $Fall -and -not $demoted) {
            # Probe the peers only now: a healthy node costs one probe per round, not one per KDC.
            $healthyPeer = @(Test-KdcHealth -Kdc $PeerKdc @probe | Where-Object IsHealthy | Select-Object -First 1)
            if (-not $healthyPeer) {
                Write-Warning "Local KDC $LocalKdc is down ($($local.Status)) but no peer KDC is healthy; keeping the VIP."
                $status = Send-LoopNotification -Severity Critical -Kind KdcUnhealthy -Details @{ kdc = $LocalKdc; status = "$($local.Status)" } `
                    -Message "KDC $LocalKdc is down ($($local.Status)) and no peer answers; the VIP stays on this node."
                [pscustomobject]@{ Time = [DateTime]::UtcNow; LocalKdc = $LocalKdc; LocalStatus = "$($local.Status)"; HealthyPeer = $null
                    Moved = $false; To = $null; DurationMilliseconds = $null; Error = 'NoHealthyPeer'; NotificationStatus = $status }
            } else {
                $peer = $healthyPeer[0]
                $move = $null
                $moveError = $null
                try {
                    $move = Move-KdcVip -Instance $Instance -ConfigPath $KeepalivedConfigPath -Realm $Realm -TimeoutSeconds $MoveTimeoutSeconds -Confirm:$false
                    $demoted = $true
                } catch {
                    # SwitchoverTimeout has already rolled back; NotVipHolder means someone else serves the VIP.
                    $moveError = $_.FullyQualifiedErrorId.Split(',')[0]
                    Write-Warning "Move-KdcVip failed: $($_.Exception.Message)"
                }
                $message = if ($move) {
                    "KDC $LocalKdc is down ($($local.Status)); VIP instance $Instance moved to $($move.To) in $($move.DurationMilliseconds) ms."
                } else {
                    "KDC $LocalKdc is down ($($local.Status)); moving VIP instance $Instance failed: $moveError."
                }
                $status = Send-LoopNotification -Message $message -Severity Critical -Kind SwitchoverCompleted `
                    -Details @{ kdc = $LocalKdc; status = "$($local.Status)"; healthyPeer = $peer.Kdc; moved = [bool]$move }
                [pscustomobject]@{
                    Time = [DateTime]::UtcNow; LocalKdc = $LocalKdc; LocalStatus = "$($local.Status)"; HealthyPeer = $peer.Kdc
                    Moved = [bool]$move; To = $(if ($move) { $move.To }); DurationMilliseconds = $(if ($move) { $move.DurationMilliseconds })
                    Error = $moveError; NotificationStatus = $status
                }
            }
        }

        $sleep = $IntervalMilliseconds - ($clock.ElapsedMilliseconds - $roundStart)
        if ($sleep -gt 0) { Start-Sleep -Milliseconds $sleep }
    }
} finally {
    # Runs on Ctrl+C too (PowerShell stops the pipeline and runs finally blocks), so the stop is always logged.
    Write-Verbose "Failover loop stopped after $iteration probe rounds ($([int]$clock.Elapsed.TotalSeconds) s); demoted: $demoted."
}
