# HAProxy in front of the KDCs, in the lab: kinit over TCP through HAProxy (New-KdcHaHaproxyConfig) against kinit
# over TCP straight to one KDC (same run, interleaved), and how long HAProxy takes to mark a hung KDC (SIGSTOP) down:
# one haproxy with the monitors' agent check, one without it (HAProxy's own Kerberos tcp-check only), both watching
# the same KDCs through the same hangs.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Runs = 40,
    [int] $HungRuns = 5
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
Import-Module (Join-Path $PSScriptRoot '../Lab/KdcHaLab.psd1')
Import-Module (Join-Path $PSScriptRoot 'BenchStatistics.psm1')

$port = 88
$agentPort = 8788
$checkInterval = 200
$agentInterval = 100
$lab = New-KdcHaLab -KdcCount 3 -ClientCount 3
try {
    # client1 runs kinit; client2 runs haproxy with the agent check, client3 the same configuration without it.
    $withAgent, $withoutAgent = $lab.Clients[1], $lab.Clients[2]
    foreach ($proxy in $withAgent, $withoutAgent) {
        $config = New-KdcHaHaproxyConfig -Kdc @($lab.Kdcs | ForEach-Object Address) -VirtualAddress $proxy.Address -Port $port -Realm $lab.Realm `
            -AgentPort $agentPort -AgentIntervalMilliseconds $agentInterval -CheckIntervalMilliseconds $checkInterval -StatsSocket (Join-Path $proxy.Directory 'haproxy.sock')
        if ($proxy -eq $withoutAgent) { $config = $config -replace ' agent-check agent-port \d+ agent-inter \d+', '' }
        $null = Start-KdcHaLabHaproxy -Lab $lab -Node $proxy -ConfigText $config
    }
    foreach ($n in $lab.Kdcs) {
        $null = Start-KdcHaLabMonitor -Lab $lab -Node $n -ModulePath $ModulePath -Parameter @{ AgentCheckAddress = "$($n.Address):$agentPort"; IntervalMilliseconds = 100; TimeoutMilliseconds = 100 }
    }
    foreach ($n in $lab.Kdcs) { $null = Wait-KdcHaLabMonitor -Lab $lab -Node $n }
    foreach ($proxy in $withAgent, $withoutAgent) { foreach ($k in $lab.Kdcs) { $null = Wait-KdcHaLabHaproxyServer -Lab $lab -Node $proxy -Server $k.Address -Status UP } }

    $throughHaproxy = New-KdcHaLabKrb5Conf -Lab $lab -Kdc "$($withAgent.Address):$port" -UdpPreferenceLimit 1
    $direct = New-KdcHaLabKrb5Conf -Lab $lab -Kdc $lab.Kdcs[0].Address -UdpPreferenceLimit 1
    $viaProxy = [Collections.Generic.List[double]]::new()
    $straight = [Collections.Generic.List[double]]::new()
    foreach ($run in 0..$Runs) {
        foreach ($case in @(@{ Conf = $throughHaproxy; Into = $viaProxy }, @{ Conf = $direct; Into = $straight })) {
            $kinit = Invoke-KdcHaLabKinit -Lab $lab -Krb5Conf $case.Conf
            if (-not $kinit.Succeeded) { throw "kinit failed: $($kinit.Output)" }
            # The first pair warms the page cache and the KDCs' database handles.
            if ($run -gt 0) { $case.Into.Add($kinit.DurationMs) }
        }
    }

    $hung = $lab.Kdcs[2]
    $agentDown = [Collections.Generic.List[double]]::new()
    $checkDown = [Collections.Generic.List[double]]::new()
    foreach ($run in 1..$HungRuns) {
        $fault = Suspend-KdcHaLabKdc -Lab $lab -Node $hung
        try {
            $down = Wait-KdcHaLabHaproxyServer -Lab $lab -Node $withAgent -Server $hung.Address -Status DOWN -TimeoutMs 10000
            $agentDown.Add($down.MonoMs - $fault.MonoMs)
            $down = Wait-KdcHaLabHaproxyServer -Lab $lab -Node $withoutAgent -Server $hung.Address -Status DOWN -TimeoutMs 10000
            $checkDown.Add($down.MonoMs - $fault.MonoMs)
        } finally { $null = Resume-KdcHaLabKdc -Lab $lab -Node $hung }
        foreach ($proxy in $withAgent, $withoutAgent) { $null = Wait-KdcHaLabHaproxyServer -Lab $lab -Node $proxy -Server $hung.Address -Status UP -TimeoutMs 15000 }
        Start-Sleep -Milliseconds 500
    }
} finally { Remove-KdcHaLab -Lab $lab }

$proxyMedian = Get-Median $viaProxy
$directMedian = Get-Median $straight
$agentMedian = Get-Median $agentDown
$checkMedian = Get-Median $checkDown
@"
## HAProxy in front of the KDCs

Three lab KDC nodes (real MIT krb5kdc 1.20), haproxy $((haproxy -v | Select-Object -First 1) -replace '^HAProxy version (\S+).*$', '$1') with the configuration of ``New-KdcHaHaproxyConfig`` (``mode tcp``, leastconn, a Kerberos tcp-check every $checkInterval ms, ``fall 2``, ``timeout check 1s``), each KDC's monitor answering the agent check every $agentInterval ms (``Start-KdcHaMonitor -AgentCheckAddress -IntervalMilliseconds 100 -TimeoutMilliseconds 100``).

kinit (alice, password, pre-authentication: two AS exchanges, each its own TCP connection) from a client node with ``udp_preference_limit = 1``, alternating between a krb5.conf naming the HAProxy frontend and one naming the first KDC directly, $Runs of each after one warm-up pair. The time is the whole kinit process, started in the client's namespace, so both include the same process start.

| kinit over TCP | Median | Runs |
|---|---|---|
| Through HAProxy | $(Format-Milliseconds $proxyMedian) | $Runs |
| Direct to a KDC (baseline) | $(Format-Milliseconds $directMedian) | $Runs |

Through HAProxy minus direct: $(Format-Milliseconds ($proxyMedian - $directMedian)) per kinit, $('{0:N2}' -f ($proxyMedian / $directMedian))× the direct median.

A KDC hung with SIGSTOP (its kernel still completes TCP handshakes), $HungRuns hangs; the time from the SIGSTOP until each haproxy's runtime API (``show stat``, polled every 10 ms) shows the server DOWN. Both haproxy processes watch the same KDC through the same hangs.

| haproxy.cfg | Median time to DOWN | Runs |
|---|---|---|
| With the monitors' agent check (``down #Timeout``) | $(Format-Milliseconds $agentMedian) | $HungRuns |
| Without it: the Kerberos tcp-check alone (baseline) | $(Format-Milliseconds $checkMedian) | $HungRuns |

Each: $(($agentDown | ForEach-Object { '{0:N0}' -f $_ }) -join ', ') ms with the agent; $(($checkDown | ForEach-Object { '{0:N0}' -f $_ }) -join ', ') ms without.
"@
