#Requires -Version 7.4
<#
.SYNOPSIS
Failover under stress: the monitored pair (Start-KdcHaMonitor on both nodes, keepalived configured by
New-KdcHaKeepalivedConfig) through login storms, CPU starvation, packet loss, a throttled KDC, KDC restarts, a
killed keepalived, restarted monitors and a hang during a storm, with client kinit at 5/s against the VIP; the seed
vrrp_script design through the storms and the starvation in the same run. Writes one markdown section to the
pipeline; progress goes to the host. Needs root.
#>
param(
    [Parameter(Mandatory)][string]$ModulePath,
    [ValidateRange(5, 600)][int]$ScenarioSeconds = 60,
    # Only these scenarios (names as in the table's first column), for trying the bench out.
    [string[]]$Scenario
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module "$PSScriptRoot/../Lab/KdcHaLab.psd1" -Force
Import-Module "$PSScriptRoot/BenchStatistics.psm1" -Force
Import-Module "$PSScriptRoot/SeedDesign.psm1" -Force
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).Path
# The engine's message types build the storm's AS-REQ template.
Import-Module $ModulePath -Force

$ClientRate = 5
$StormWindow = 1024
# Two senders: one perl process cannot send as fast as one krb5kdc answers, and a storm must queue up at the KDC.
$StormSenders = 2
$ThrottlePercent = 3
# The kernel's smallest quota is 1 ms: 0.5 % of a core takes a 200 ms period, which also makes the KDC wait up to
# 200 ms for its turn, twice the probe deadline.
$StallPercent = 0.5
$RestartCount = 5
$KeepalivedDownSeconds = 40
# Monitor events at most this long before a VIP move count as its cause; a move without one was a VRRP election.
$CauseWindowMs = 3000

function Get-StormTemplate {
    # An AS-REQ whose nonce sits at a known offset: alice without pre-authentication (the KDC answers
    # PREAUTH_REQUIRED), or kdc1's health principal with a valid PA-ENC-TIMESTAMP (the KDC answers an AS-REP).
    param($Lab, [switch]$PreAuthenticated)
    $marker = [uint32]0x5A5A5A5A
    $preAuthentication = @()
    if ($PreAuthenticated) {
        $node = $Lab.Kdcs[0]
        $key = [KdcHa.Kerberos.Keytab.Keytab]::Load($node.HealthKeytab).Entries | Where-Object EncryptionType -EQ 18 | Select-Object -First 1
        $now = [DateTime]::UtcNow
        $plaintext = [KdcHa.Kerberos.Messages.PaEncTimestamp]::Encode($now, 0)
        $cipher = [KdcHa.Kerberos.Crypto.KerberosEncryption]::Get([KdcHa.Kerberos.Crypto.EncryptionType]18).Encrypt($key.Key, 1, $plaintext)
        $encrypted = [KdcHa.Kerberos.Messages.EncryptedData]::new(18, $null, $cipher).Encode()
        $preAuthentication = @([KdcHa.Kerberos.Messages.PaData]::new(2, $encrypted))
        $client = $node.HealthPrincipal
    } else {
        $client = $Lab.AlicePrincipal -replace '@.*$'
    }
    $request = [KdcHa.Kerberos.Messages.AsRequest]@{
        Client = [KdcHa.Kerberos.Messages.PrincipalName]::Parse($client); Realm = $Lab.Realm; Nonce = $marker
        EncryptionTypes = [int[]]@(18); PreAuthentication = [KdcHa.Kerberos.Messages.PaData[]]$preAuthentication
        Till = [DateTime]::UnixEpoch
    }
    $bytes = $request.Encode()
    $hex = [Convert]::ToHexString($bytes)
    # INTEGER, length 4, the marker: the nonce is the only such run in the request.
    $offset = $hex.IndexOf('02045A5A5A5A') / 2 + 2
    if ($offset -lt 2) { throw 'The storm template has no nonce marker.' }
    [pscustomobject]@{ Hex = $hex; NonceOffset = $offset }
}

function Start-Storm {
    param($Lab, $Template, [double]$Seconds)
    $client = $Lab.Clients[-1]
    $senders = foreach ($i in 1..$StormSenders) {
        $out = Join-Path $Lab.Directory "load/storm-$([guid]::NewGuid().ToString('n').Substring(0, 6)).json"
        $process = Start-Process -FilePath ip -PassThru -ArgumentList @('netns', 'exec', $client.Namespace, 'perl', "$PSScriptRoot/../Lab/as-req-storm.pl",
            $Lab.Vip, '88', $Template.Hex, "$($Template.NonceOffset)", "$StormWindow", "$Seconds", $out)
        [pscustomobject]@{ Process = $process; Out = $out }
    }
    [pscustomobject]@{ Senders = @($senders); Ends = [DateTime]::UtcNow.AddSeconds($Seconds) }
}

function Stop-Storm {
    # The senders' counts summed; they end by themselves, and one still running 10 s after the end is stuck.
    param($Storm)
    $counts = foreach ($sender in $Storm.Senders) {
        $wait = [Math]::Max(0, ($Storm.Ends - [DateTime]::UtcNow).TotalMilliseconds) + 10000
        if (-not $sender.Process.WaitForExit([int]$wait)) { $sender.Process.Kill($true) }
        if (Test-Path -LiteralPath $sender.Out) { Get-Content -Raw -LiteralPath $sender.Out | ConvertFrom-Json }
    }
    if (-not $counts) { return }
    [pscustomobject]@{
        Sent     = ($counts | Measure-Object Sent -Sum).Sum
        Answered = ($counts | Measure-Object Answered -Sum).Sum
        Seconds  = ($counts | Measure-Object Seconds -Maximum).Maximum
    }
}

function Get-KdcPid($Lab, $Node) { (Get-KdcHaLabProcess -Lab $Lab | Where-Object { $_.Key -eq "$Node.krb5kdc.88" -and $_.Alive }).Pid }

function Get-MonitorPid($Lab, $Node) { (Get-KdcHaLabProcess -Lab $Lab | Where-Object { $_.Key -eq "$Node.monitor" -and $_.Alive }).Pid }

function Restart-Monitors {
    # Both monitors again with -Parameter, settled (every KDC up) before the scenario goes on.
    param($Lab, [hashtable]$Parameter = @{})
    foreach ($n in 'kdc1', 'kdc2') { $null = Stop-KdcHaLabMonitor -Lab $Lab -Node $n -Signal TERM }
    foreach ($n in 'kdc1', 'kdc2') { $null = Start-KdcHaLabMonitor -Lab $Lab -Node $n -ModulePath $ModulePath -Parameter $Parameter }
    foreach ($n in 'kdc1', 'kdc2') { $null = Wait-KdcHaLabMonitor -Lab $Lab -Node $n }
}

function Get-MoveCause {
    # The monitor events behind each VIP move since -SinceMonoMs: the latest fault-related event on any node in
    # the window before the move, or 'VRRP election' when the monitors said nothing.
    param($Lab, [object[]]$Moves, [bool]$Monitored)
    if (-not $Monitored) { return @($Moves | ForEach-Object { 'vrrp_script' }) }
    $events = @(foreach ($n in 'kdc1', 'kdc2') {
            Get-KdcHaLabMonitorEvent -Lab $Lab -Node $n | Where-Object { $_.EventType -in 'FaultChanged', 'AllKdcsDown', 'OrphanedVip', 'SplitBrainSuspected' } |
                ForEach-Object { [pscustomobject]@{ Node = $n; Type = $_.EventType; Utc = [DateTime]$_.Timestamp } }
        })
    foreach ($move in $Moves) {
        $cause = $events | Where-Object { $_.Utc -le $move.Utc.AddMilliseconds(50) -and $_.Utc -ge $move.Utc.AddMilliseconds(-$CauseWindowMs) } | Sort-Object Utc | Select-Object -Last 1
        if ($cause) { "$($cause.Type) ($($cause.Node))" } else { 'VRRP election' }
    }
}

function Measure-Stress {
    # One scenario: client load through the VIP for $ScenarioSeconds while -Inject runs (it gets the lab and the
    # start time, and returns a note for the table); then the moves, the kinit outcomes and the causes.
    # -TcpClients: the clients' krb5.conf sets udp_preference_limit = 1, so every kinit goes over TCP.
    param($Lab, [string]$Name, [scriptblock]$Inject, [scriptblock]$Cleanup, [bool]$Monitored = $true, [switch]$TcpClients)
    $since = Get-KdcHaLabMonotonicMs
    $clients = if ($TcpClients) { @{ Krb5Conf = (New-KdcHaLabKrb5Conf -Lab $Lab -Kdc "$($Lab.Vip):88" -UdpPreferenceLimit 1) } } else { @{} }
    $null = Start-KdcHaLabClientLoad -Lab $Lab -RatePerSecond $ClientRate @clients
    $note = ''
    try {
        $note = & $Inject $Lab $since
        $left = $ScenarioSeconds * 1000 - ((Get-KdcHaLabMonotonicMs) - $since)
        if ($left -gt 0) { Start-Sleep -Milliseconds ([int]$left) }
    } finally {
        $attempts = @(Stop-KdcHaLabClientLoad -Lab $Lab)
        $until = Get-KdcHaLabMonotonicMs
        if ($Cleanup) { & $Cleanup $Lab }
    }
    $transitions = @(Get-KdcHaLabVipTransition -Lab $Lab | Where-Object { $_.MonoMs -ge $since -and $_.MonoMs -lt $until })
    $moves = @($transitions | Where-Object Event -EQ 'Added')
    $failed = @($attempts | Where-Object ExitCode -NE 0).Count
    $result = [pscustomobject]@{
        Scenario    = $Name
        Design      = if ($Monitored) { 'KdcHa' } else { 'seed' }
        Moves       = $moves.Count
        Failed      = $failed
        Attempts    = $attempts.Count
        SlowestSec  = if ($attempts) { ($attempts | Measure-Object DurationMs -Maximum).Maximum / 1000 } else { [double]::NaN }
        Causes      = @(Get-MoveCause -Lab $Lab -Moves $moves -Monitored $Monitored)
        Note        = "$note"
        Transitions = $transitions
    }
    Write-Host ("  {0} {1}: {2} VIP moves, {3}/{4} kinit failed, slowest {5:n2} s{6}" -f $result.Design, $Name, $result.Moves, $failed, $attempts.Count, $result.SlowestSec, $(if ($note) { "; $note" }))
    $result
}

function Format-Storm($Storm, $KdcCpuSeconds, [double]$Seconds) {
    if (-not $Storm) { return 'storm: no result' }
    'storm answered {0:n0}/s of {1:n0}/s sent; holder KDC CPU {2:n0} %' -f ($Storm.Answered / $Storm.Seconds), ($Storm.Sent / $Storm.Seconds), (100 * $KdcCpuSeconds / $Seconds)
}

# Each scenario: name, preparation before the load starts, injection (returns a note), clean-up after it stops. They run on a pair restored to kdc1 holding the VIP.
$storm = {
    param($Lab, $Template)
    $kdc = Get-KdcPid $Lab kdc1
    $cpu = Get-ProcessCpuMilliseconds $kdc
    $run = Start-Storm -Lab $Lab -Template $Template -Seconds ($ScenarioSeconds - 2)
    $result = Stop-Storm $run
    Format-Storm $result (((Get-ProcessCpuMilliseconds $kdc) - $cpu) / 1000) $result.Seconds
}
$starve = {
    param($Lab)
    $null = Invoke-KdcHaLabCommand -Lab $Lab -Node kdc1 -FilePath stress-ng -ArgumentList '--cpu', "$([Environment]::ProcessorCount)", '--timeout', "$($ScenarioSeconds - 2)s", '--quiet' -TimeoutSec ($ScenarioSeconds + 10)
    "stress-ng --cpu $([Environment]::ProcessorCount)"
}
$restarts = {
    param($Lab, $Since)
    foreach ($i in 1..$RestartCount) {
        $at = $Since + 5000 + ($i - 1) * 10000
        $wait = $at - (Get-KdcHaLabMonotonicMs)
        if ($wait -gt 0) { Start-Sleep -Milliseconds ([int]$wait) }
        $null = Restart-KdcHaLabKdc -Lab $Lab -Node kdc1
    }
    "$RestartCount restarts 10 s apart"
}
$scenarios = [ordered]@{
    'quiet'                       = @{ Inject = { '' } }
    'storm, no pre-authentication' = @{ Inject = { param($Lab) & $storm $Lab $script:plainTemplate }; Seed = $true }
    'storm, pre-authenticated'    = @{ Inject = { param($Lab) & $storm $Lab $script:preauthTemplate }; Seed = $true }
    # The same storm with the busy check off: what the check is worth, in the same run.
    'storm, no pre-authentication, -BusyTimeoutMilliseconds 0' = @{
        Prepare = { param($Lab) Restart-Monitors -Lab $Lab -Parameter @{ BusyTimeoutMilliseconds = 0 } }
        Inject  = { param($Lab) & $storm $Lab $script:plainTemplate }
        Cleanup = { param($Lab) Restart-Monitors -Lab $Lab }
    }
    'CPU starvation'              = @{ Inject = $starve; Seed = $true }
    'CPU starvation, monitor nice 19' = @{
        Inject  = { param($Lab) foreach ($n in 'kdc1', 'kdc2') { $null = Invoke-KdcHaLabCommand -Lab $Lab -FilePath renice -ArgumentList '-n', '19', '-p', "$(Get-MonitorPid $Lab $n)" }; & $starve $Lab }
        Cleanup = { param($Lab) foreach ($n in 'kdc1', 'kdc2') { $null = Invoke-KdcHaLabCommand -Lab $Lab -FilePath renice -ArgumentList '-n', '0', '-p', "$(Get-MonitorPid $Lab $n)" } }
    }
    '10 % loss on the holder'     = @{ Inject = { param($Lab) $null = Set-KdcHaLabNetem -Lab $Lab -Node kdc1 -LossPercent 10 }; Cleanup = { param($Lab) Clear-KdcHaLabNetem -Lab $Lab -Node kdc1 } }
    '30 % loss on the holder'     = @{ Inject = { param($Lab) $null = Set-KdcHaLabNetem -Lab $Lab -Node kdc1 -LossPercent 30 }; Cleanup = { param($Lab) Clear-KdcHaLabNetem -Lab $Lab -Node kdc1 } }
    "holder's KDC throttled to $ThrottlePercent % of a core" = @{
        Inject  = { param($Lab) Set-KdcHaLabCpuQuota -Lab $Lab -Node kdc1 -Percent $ThrottlePercent; 'cgroup v1 cfs quota' }
        Cleanup = { param($Lab) Set-KdcHaLabCpuQuota -Lab $Lab -Node kdc1 -Percent 0 }
    }
    "holder's KDC throttled to $StallPercent % of a core" = @{
        Inject  = { param($Lab) Set-KdcHaLabCpuQuota -Lab $Lab -Node kdc1 -Percent $StallPercent; 'answers after up to 200 ms' }
        Cleanup = { param($Lab) Set-KdcHaLabCpuQuota -Lab $Lab -Node kdc1 -Percent 0 }
    }
    "holder's KDC throttled to $StallPercent % of a core, -BusyTimeoutMilliseconds 0" = @{
        Prepare = { param($Lab) Restart-Monitors -Lab $Lab -Parameter @{ BusyTimeoutMilliseconds = 0 } }
        Inject  = { param($Lab) Set-KdcHaLabCpuQuota -Lab $Lab -Node kdc1 -Percent $StallPercent; 'answers after up to 200 ms' }
        Cleanup = { param($Lab) Set-KdcHaLabCpuQuota -Lab $Lab -Node kdc1 -Percent 0; Restart-Monitors -Lab $Lab }
    }
    "KDC restart (TERM, start at once) x$RestartCount" = @{ Inject = $restarts }
    "KDC restart (TERM, start at once) x$RestartCount, TCP clients" = @{ Inject = $restarts; TcpClients = $true }
    'keepalived SIGKILLed on the holder' = @{
        Inject = {
            param($Lab, $Since)
            Start-Sleep -Seconds 5
            $kill = Stop-KdcHaLabKeepalived -Lab $Lab -Node kdc1 -Signal KILL
            Start-Sleep -Seconds $KeepalivedDownSeconds
            $null = Start-KdcHaLabKeepalived -Lab $Lab -Node kdc1 -ConfigText (Get-Content -Raw -LiteralPath $Lab.Kdcs[0].KeepalivedConfig)
            $after = @(Get-KdcHaLabVipTransition -Lab $Lab | Where-Object MonoMs -GE $kill.MonoMs)
            $both = $after | Where-Object { $_.Holders.Count -gt 1 } | Select-Object -First 1
            $single = if ($both) { $after | Where-Object { $_.MonoMs -gt $both.MonoMs -and $_.Holders.Count -eq 1 } | Select-Object -First 1 }
            if (-not $both) { 'never two holders' }
            elseif ($single) { 'one holder again {0:n0} ms after the kill (two for {1:n0} ms)' -f ($single.MonoMs - $kill.MonoMs), ($single.MonoMs - $both.MonoMs) }
            else { "two holders until keepalived came back ($KeepalivedDownSeconds s)" }
        }
    }
    'both monitors restarted at once' = @{
        Inject = {
            param($Lab)
            Start-Sleep -Seconds 5
            Restart-Monitors -Lab $Lab
        }
    }
    'hang during the pre-authenticated storm' = @{
        Inject = {
            param($Lab)
            $run = Start-Storm -Lab $Lab -Template $script:preauthTemplate -Seconds ($ScenarioSeconds - 2)
            Start-Sleep -Seconds 10
            $fault = Suspend-KdcHaLabKdc -Lab $Lab -Node kdc1
            $moved = Wait-KdcHaLabVipMove -Lab $Lab -Node kdc2 -SinceMonoMs $fault.MonoMs -TimeoutSec 10 -AllowTimeout
            $failover = if ($moved) { ($moved.MonoMs - $fault.MonoMs) / 1000 } else { [double]::NaN }
            $result = Stop-Storm $run
            'failover {0:n3} s; storm answered {1:n0}/s' -f $failover, ($result.Answered / $result.Seconds)
        }
    }
}
$selected = @($scenarios.Keys | Where-Object { -not $Scenario -or $_ -in $Scenario })

$lab = $null
$results = [Collections.Generic.List[object]]::new()
try {
    $lab = New-KdcHaLabMonitoredPair -ModulePath $ModulePath -ClientCount 2
    $script:plainTemplate = Get-StormTemplate -Lab $lab
    $script:preauthTemplate = Get-StormTemplate -Lab $lab -PreAuthenticated
    foreach ($name in $selected) {
        Restore-KdcHaLabMonitoredPair -Lab $lab -ModulePath $ModulePath
        $s = $scenarios[$name]
        if ($s['Prepare']) { & $s.Prepare $lab }
        $results.Add((Measure-Stress -Lab $lab -Name $name -Inject $s.Inject -Cleanup $s['Cleanup'] -TcpClients:([bool]$s['TcpClients'])))
    }
    $seedNames = @($selected | Where-Object { $scenarios[$_]['Seed'] })
    if ($seedNames) {
        Write-Host 'The seed design through the same storms and starvation'
        foreach ($n in 'kdc1', 'kdc2') { $null = Stop-KdcHaLabMonitor -Lab $lab -Node $n -Signal TERM; $null = Stop-KdcHaLabKeepalived -Lab $lab -Node $n }
        foreach ($name in $seedNames) {
            Reset-SeedPair -Lab $lab
            Start-SeedKeepalived -Lab $lab
            # The templates' timestamps stay within MIT's 300 s clock skew: renew them for the seed runs.
            $script:preauthTemplate = Get-StormTemplate -Lab $lab -PreAuthenticated
            $results.Add((Measure-Stress -Lab $lab -Name $name -Inject $scenarios[$name].Inject -Cleanup $scenarios[$name]['Cleanup'] -Monitored $false))
        }
    }
} finally {
    if ($lab) { Set-KdcHaLabCpuQuota -Lab $lab -Node kdc1 -Percent 0 }
    Remove-KdcHaLab -Lab $lab
}

$lines = @(
    '## Failover under stress'
    ''
    "| Scenario | Design | VIP moves | Failed / total kinit | Slowest kinit (s) | Behind each move | Notes |"
    '|---|---|---|---|---|---|---|'
)
foreach ($r in $results) {
    $causes = if ($r.Causes) { ($r.Causes | Group-Object | ForEach-Object { if ($_.Count -gt 1) { "$($_.Name) ×$($_.Count)" } else { $_.Name } }) -join ', ' } else { '—' }
    $lines += '| {0} | {1} | {2} | {3} / {4} | {5:n2} | {6} | {7} |' -f $r.Scenario, $r.Design, $r.Moves, $r.Failed, $r.Attempts, $r.SlowestSec, $causes, $r.Note
}
$lines += ''
$lines += ("Measured by tests/Bench/Stress.Bench.ps1 in the KdcHa namespace lab: the monitored pair (kdc1 priority 200 holding the VIP, kdc2 100), " +
    "real ``kinit`` by password at {0}/s from a client namespace against the VIP for {1} s per scenario, a VIP watcher on netlink counting holder changes. " +
    "Storms come from a second client namespace: {4} senders of UDP AS-REQs at the VIP with a fresh nonce each (so MIT's lookaside cache absorbs none) and at most {2} outstanding each, " +
    "either alice without pre-authentication (PREAUTH_REQUIRED answers) or kdc1's health principal with a valid PA-ENC-TIMESTAMP (AS-REP answers). " +
    "Starvation is stress-ng with one CPU worker per core; loss is the lab's nftables random drop on everything the holder sends; the throttled KDC is a cgroup v1 CPU quota. " +
    "'Behind each move' names the monitor event in the {3} s before each move (any node), or 'VRRP election' when the monitors said nothing; the seed design moves by its vrrp_script.") -f $ClientRate, $ScenarioSeconds, $StormWindow, ($CauseWindowMs / 1000), $StormSenders
$lines -join "`n"
