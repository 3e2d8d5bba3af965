#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Get-KdcHaStatus from the monitors' status files: the documents are written here as a monitor writes status.json,
# so each cluster state (healthy, a KDC down, a killed monitor, split brain, maintenance, a node with no file) is
# set up exactly and the view, the table and list formats, the JSON and -Quiet are checked against it.
BeforeAll {
    Import-Module (Resolve-Path -LiteralPath $env:KDCHA_MODULE_PATH).Path -Force

    # A status.json as the monitor of $Node writes it; $Vrrp holds 'Master' or 'Backup' (or any VRRP state) for VI_KDC.
    function New-StatusDirectory([string] $Node, [string] $Vrrp = 'Backup', [string] $PeerKdc = 'Up', [datetime] $Updated = [datetime]::UtcNow,
        [string] $State = 'Running', [bool] $Fault = $false, [object[]] $SplitBrains = @(), [string] $Reason = 'every KDC is up') {
        $directory = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $directory | Out-Null
        $now = [datetime]::UtcNow.ToString('o')
        $kdc = { param($name, $local, $state) [ordered]@{
                Kdc = $name; IsLocal = $local; State = $state; StateSince = $now
                LastProbeStatus = if ($state -eq 'Up') { 'Ok' } else { 'Timeout' }
                LastRoundTripMilliseconds = if ($state -eq 'Up') { 0.8 } else { 1000 }
                LastProbe = $now; LastAuthenticated = $now; ConsecutiveFailures = if ($state -eq 'Up') { 0 } else { 3 }
                LastMessage = if ($state -eq 'Up') { '' } else { 'no answer within 1000 ms' }
            } }
        [ordered]@{
            Node = $Node; ProcessId = 4242; State = $State; Started = [datetime]::UtcNow.AddHours(-1).ToString('o'); Updated = $Updated.ToString('o')
            IntervalMilliseconds = 1000; Fault = $Fault; FaultSince = if ($Fault) { $now } else { $null }; AllKdcsDown = $false; Reason = $Reason; Rounds = 3600
            Kdcs = @(& $kdc "$Node.lab:88" $true 'Up'; & $kdc 'peer.lab:88' $false $PeerKdc)
            Vrrp = @([ordered]@{ Kind = 'INSTANCE'; Instance = 'VI_KDC'; State = $Vrrp; Priority = if ($Vrrp -eq 'Master') { 150 } else { 100 }; StateSince = $now })
            SplitBrains = $SplitBrains; IsStale = $false; Path = ''
        } | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath (Join-Path $directory 'status.json')
        $directory
    }
}

Describe 'Get-KdcHaStatus from local status files' {
    It 'ShowsAHealthyPairServedByItsMaster' {
        $cluster = Get-KdcHaStatus -StateDirectory (New-StatusDirectory kdc1 -Vrrp Master), (New-StatusDirectory kdc2)

        $cluster.Healthy | Should -BeTrue
        $cluster.Problems | Should -BeNullOrEmpty
        $cluster.Serving | Should -Be 'kdc1'
        $cluster.Vips.Instance | Should -Be 'VI_KDC'
        $cluster.Nodes.Node | Should -Be 'kdc1', 'kdc2'
        $cluster.Nodes[0].MonitorAlive | Should -BeTrue
        $cluster.Nodes[0].Vrrp[0].Priority | Should -Be 150
        $cluster.Nodes[0].Kdcs[0].LastRoundTripMilliseconds | Should -Be 0.8
        $cluster.LastFailover.Node | Should -Be 'kdc1'
        Get-KdcHaStatus -StateDirectory (New-StatusDirectory kdc1 -Vrrp Master), (New-StatusDirectory kdc2) -Quiet | Should -BeTrue
    }

    It 'ReportsADownKdcWithItsLastFailureAndIsNotHealthy' {
        $cluster = Get-KdcHaStatus -StateDirectory (New-StatusDirectory kdc1 -Vrrp Master -PeerKdc Down), (New-StatusDirectory kdc2)

        $cluster.Healthy | Should -BeFalse
        ($cluster.Problems -join "`n") | Should -Match '(?m)^kdc1: KDC peer\.lab:88 is down since .*\(Timeout: no answer within 1000 ms\)'
        $down = $cluster.Nodes[0].Kdcs | Where-Object Kdc -EQ 'peer.lab:88'
        $down.State | Should -Be 'Down'
        $down.ConsecutiveFailures | Should -Be 3
    }

    It 'ShowsAKilledMonitorAsStaleAndItsVipAsHeldByTheSurvivor' {
        # A killed monitor's file still says Running and MASTER; only the live monitor's view counts.
        $dead = New-StatusDirectory kdc1 -Vrrp Master -Updated ([datetime]::UtcNow.AddMinutes(-5))
        $cluster = Get-KdcHaStatus -StateDirectory $dead, (New-StatusDirectory kdc2 -Vrrp Master)

        $cluster.Nodes[0].Monitor | Should -Be 'Stale'
        $cluster.Nodes[0].MonitorAlive | Should -BeFalse
        $cluster.Serving | Should -Be 'kdc2'
        $cluster.SplitBrain | Should -BeFalse
        ($cluster.Problems -join "`n") | Should -Match '(?m)^kdc1: the monitor has not updated its status since'
        $cluster.LastFailover.Reason | Should -Match 'kdc1''s monitor is stale'
    }

    It 'ShowsSplitBrainWhenTwoLiveMonitorsAreMaster' {
        $heard = @([ordered]@{ VirtualRouterId = 51; Masters = @('kdc1', 'kdc2'); Since = [datetime]::UtcNow.ToString('o') })
        $cluster = Get-KdcHaStatus -StateDirectory (New-StatusDirectory kdc1 -Vrrp Master -SplitBrains $heard), (New-StatusDirectory kdc2 -Vrrp Master)

        $cluster.SplitBrain | Should -BeTrue
        $cluster.Healthy | Should -BeFalse
        $cluster.Problems | Should -Contain 'VIP VI_KDC: held by kdc1 and kdc2 at once (split brain)'
        ($cluster.Problems -join "`n") | Should -Match '(?m)^kdc1: split brain on virtual router 51'
    }

    It 'ShowsAFaultTheMonitorAssertsWithItsReason' {
        $faulted = New-StatusDirectory kdc1 -Vrrp Fault -Fault $true -Reason 'local KDC down, peer up'
        $cluster = Get-KdcHaStatus -StateDirectory $faulted, (New-StatusDirectory kdc2 -Vrrp Master)

        $cluster.Serving | Should -Be 'kdc2'
        ($cluster.Problems -join "`n") | Should -Match '(?m)^kdc1: the monitor holds VRRP in FAULT since .*: local KDC down, peer up'
        $cluster.LastFailover.Reason | Should -Be 'kdc1 handed it over: local KDC down, peer up'
    }

    It 'ShowsMaintenanceFromTheMoveKdcVipFlagBesideTheStatusFile' {
        $drained = New-StatusDirectory kdc1
        Set-Content -LiteralPath (Join-Path $drained 'maintenance-VI_KDC') -Value '1'
        $cluster = Get-KdcHaStatus -StateDirectory $drained, (New-StatusDirectory kdc2 -Vrrp Master)

        $cluster.Nodes[0].Maintenance | Should -Be 'VI_KDC'
        $cluster.Healthy | Should -BeFalse
        ($cluster.Problems -join "`n") | Should -Match '(?m)^kdc1: in maintenance \(VI_KDC\)'
    }

    It 'ShowsANodeWithoutAStatusFileAsAnUnreachableRowAndGoesOn' {
        $missing = Join-Path $TestDrive 'never-ran'
        $cluster = Get-KdcHaStatus -StateDirectory $missing, (New-StatusDirectory kdc2 -Vrrp Master) -ErrorAction Stop

        $cluster.Nodes.Count | Should -Be 2
        $cluster.Nodes[0].Reachability | Should -Be 'Unreachable'
        $cluster.Nodes[0].Error | Should -Match 'no status file'
        $cluster.Nodes[1].Reachability | Should -Be 'Reachable'
        $cluster.NodesReachable | Should -Be 1
        Get-KdcHaStatus -StateDirectory $missing, (New-StatusDirectory kdc2 -Vrrp Master) -Quiet | Should -BeFalse
    }

    It 'ShowsAFileThatIsNotAStatusAsAnInvalidRow' {
        $directory = Join-Path $TestDrive 'garbage'
        New-Item -ItemType Directory -Path $directory | Out-Null
        Set-Content -LiteralPath (Join-Path $directory 'status.json') -Value "{`"Node`": 5, `"State`": `"`e[31mRed`"}"
        $node = (Get-KdcHaStatus -StateDirectory $directory).Nodes[0]

        $node.Reachability | Should -Be 'Invalid'
        $node.Error | Should -Not -Match "`e"
    }

    It 'ConvertsToJsonWithStatesAsNames' {
        $json = Get-KdcHaStatus -StateDirectory (New-StatusDirectory kdc1 -Vrrp Master), (New-StatusDirectory kdc2) | ConvertTo-Json -Depth 6 | ConvertFrom-Json

        $json.Healthy | Should -BeTrue
        $json.Serving | Should -Be 'kdc1'
        $json.Nodes[0].Reachability | Should -Be 'Reachable'
        $json.Nodes[0].Kdcs[0].State | Should -Be 'Up'
        $json.Nodes[0].Vrrp[0].State | Should -Be 'Master'
        $json.Nodes[0].PSObject.Properties.Name | Should -Not -Contain 'Reach'
    }

    It 'FormatsASummaryListAndANodeTable' {
        $cluster = Get-KdcHaStatus -StateDirectory (New-StatusDirectory kdc1 -Vrrp Master), (New-StatusDirectory kdc2)
        $summary = $cluster | Out-String -Width 200
        $table = $cluster.Nodes | Format-Table | Out-String -Width 200
        $list = $cluster.Nodes | Format-List | Out-String -Width 200

        $summary | Should -Match 'Healthy\s*:\s*True'
        $summary | Should -Match 'Serving\s*:\s*kdc1'
        $table | Should -Match 'kdc1\s+Reachable\s+Running'
        $list | Should -Match 'Node\s*:\s*kdc2'
    }
}
