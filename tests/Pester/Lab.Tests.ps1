#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Tests of the KdcHa test lab itself (tests/Lab). Needs root; brings up real krb5kdc and keepalived.

BeforeAll {
    Import-Module "$PSScriptRoot/../Lab/KdcHaLab.psd1" -Force

    function Get-LinkNames { (ip -o link show) -replace '^\d+: ([^:@]+).*$', '$1' }
    function Get-ProcessArgLines { Get-ChildItem /proc -Directory | Where-Object Name -Match '^\d+$' | ForEach-Object { try { [IO.File]::ReadAllText("$($_.FullName)/cmdline") -replace "`0", ' ' } catch { } } }

    $sw = [Diagnostics.Stopwatch]::StartNew()
    $script:lab = New-KdcHaLab -KdcCount 2 -ClientCount 1
    $script:bringUpSeconds = $sw.Elapsed.TotalSeconds
    Write-Host ("Lab {0}: 2 KDCs + 1 client up in {1:n2} s (subnet {2}, VIP {3})" -f $lab.Id, $bringUpSeconds, $lab.Subnet, $lab.Vip)
}

AfterAll {
    # Idempotent: the teardown test may already have removed it; this covers failures before that.
    Remove-KdcHaLab -Lab $script:lab
}

Describe 'Lab bring-up' -Tag Lab {
    It 'refuses with a clear error when a required program is missing' {
        Mock -ModuleName KdcHaLab Get-Command -ParameterFilter { $Name -eq 'keepalived' } { $null }
        { New-KdcHaLab } | Should -Throw '*missing: keepalived*apt-get install -y keepalived*'
    }

    It 'comes up in under 15 s' {
        $bringUpSeconds | Should -BeLessThan 15
    }

    It 'gives every node its own namespace and address, reachable from the root namespace' {
        $names = @($lab.Kdcs + $lab.Clients).Namespace
        $names | Select-Object -Unique | Should -HaveCount 3
        $netns = (ip netns list) -replace ' .*$'
        foreach ($n in @($lab.Kdcs + $lab.Clients)) {
            $netns | Should -Contain $n.Namespace
            (ip -n $n.Namespace -o -4 addr show dev $n.Interface) | Should -Match ([regex]::Escape("inet $($n.Address)/24"))
        }
        # Root namespace -> node through the bridge address: a real AS exchange with kdc2.
        (Invoke-KdcHaLabKinit -Lab $lab -Node kdc2 -FromRootNamespace).Succeeded | Should -BeTrue
    }

    It 'kinit through <Node>''s own KDC (node krb5.conf) succeeds' -ForEach @(@{ Node = 'kdc1' }, @{ Node = 'kdc2' }) {
        $conf = ($lab.Kdcs | Where-Object Name -EQ $Node).Krb5Conf
        Get-Content -Raw $conf | Should -Match ([regex]::Escape("kdc = $(($lab.Kdcs | Where-Object Name -EQ $Node).Address):88"))
        $r = Invoke-KdcHaLabKinit -Lab $lab -Node $Node
        $r.Output | Should -Not -Match 'error|cannot'
        $r.Succeeded | Should -BeTrue
    }

    It 'rejects a wrong password (the success above is not a tautology)' {
        $r = Invoke-KdcHaLabKinit -Lab $lab -Node kdc1 -Password 'not-the-password'
        $r.Succeeded | Should -BeFalse
        $r.Output | Should -Match 'Password incorrect|Preauthentication failed'
    }

    It 'flags alice +requires_preauth and exports a working health keytab per node' {
        Invoke-KdcHaLabKadmin -Lab $lab -Query 'getprinc alice' | Should -Match 'REQUIRES_PRE_AUTH'
        foreach ($n in $lab.Kdcs) {
            (Invoke-KdcHaLabKinit -Lab $lab -Node $n -Principal "$($n.HealthPrincipal)@$($lab.Realm)" -Keytab $n.HealthKeytab).Succeeded | Should -BeTrue
        }
    }
}

Describe 'KDC faults' -Tag Lab {
    It 'SIGSTOP makes the KDC time out and SIGCONT restores it' {
        $null = Suspend-KdcHaLabKdc -Lab $lab -Node kdc1
        try {
            (Get-KdcHaLabProcess -Lab $lab | Where-Object Key -EQ 'kdc1.krb5kdc.88').Stopped | Should -BeTrue
            $hung = Invoke-KdcHaLabKinit -Lab $lab -Node kdc1 -TimeoutSec 4
            $hung.Succeeded | Should -BeFalse
            $hung.TimedOut | Should -BeTrue
            (Invoke-KdcHaLabKinit -Lab $lab -Node kdc2).Succeeded | Should -BeTrue
        } finally { $null = Resume-KdcHaLabKdc -Lab $lab -Node kdc1 }
        (Invoke-KdcHaLabKinit -Lab $lab -Node kdc1 -TimeoutSec 10).Succeeded | Should -BeTrue
    }

    It 'a killed KDC is refused at once and Start-KdcHaLabKdc brings it back' {
        $evt = Stop-KdcHaLabKdc -Lab $lab -Node kdc2
        $evt.Pids | Should -Not -BeNullOrEmpty
        Test-Path "/proc/$($evt.Pids[0])" | Should -BeFalse
        $dead = Invoke-KdcHaLabKinit -Lab $lab -Node kdc2 -TimeoutSec 30
        $dead.Succeeded | Should -BeFalse
        $dead.TimedOut | Should -BeFalse   # ICMP port unreachable: no waiting
        $null = Start-KdcHaLabKdc -Lab $lab -Node kdc2
        (Invoke-KdcHaLabKinit -Lab $lab -Node kdc2).Succeeded | Should -BeTrue
    }

    It 'runs 8 krb5kdc processes in one node on their own ports against the same database' {
        $ports = 10081..10087
        foreach ($p in $ports) { $null = Start-KdcHaLabKdc -Lab $lab -Node kdc2 -Port $p }
        try {
            foreach ($p in $ports) {
                $conf = New-KdcHaLabKrb5Conf -Lab $lab -Kdc "$($lab.Kdcs[1].Address):$p"
                (Invoke-KdcHaLabKinit -Lab $lab -Krb5Conf $conf).Succeeded | Should -BeTrue
            }
            @(Get-KdcHaLabProcess -Lab $lab | Where-Object { $_.Key -like 'kdc2.krb5kdc.*' -and $_.Alive }) | Should -HaveCount 8
        } finally { foreach ($p in $ports) { $null = Stop-KdcHaLabKdc -Lab $lab -Node kdc2 -Port $p } }
        $conf = New-KdcHaLabKrb5Conf -Lab $lab -Kdc "$($lab.Kdcs[1].Address):10081"
        (Invoke-KdcHaLabKinit -Lab $lab -Krb5Conf $conf).Succeeded | Should -BeFalse
    }
}

Describe 'A KDC on its own copy of the database' -Tag Lab {
    It 'serves the realm as it was when copied, and not what changes afterwards' {
        $port = 10090
        Invoke-KdcHaLabKadmin -Lab $lab -Query 'addprinc +requires_preauth -pw Carol-Pw-1 carol' | Out-Null
        $null = Start-KdcHaLabKdc -Lab $lab -Node kdc2 -Port $port -OwnDatabase
        try {
            $conf = New-KdcHaLabKrb5Conf -Lab $lab -Kdc "$($lab.Kdcs[1].Address):$port"
            (Invoke-KdcHaLabKinit -Lab $lab -Krb5Conf $conf -Principal "carol@$($lab.Realm)" -Password 'Carol-Pw-1').Succeeded | Should -BeTrue
            Invoke-KdcHaLabKadmin -Lab $lab -Query 'cpw -pw Carol-Pw-2 carol' | Out-Null
            (Invoke-KdcHaLabKinit -Lab $lab -Krb5Conf $conf -Principal "carol@$($lab.Realm)" -Password 'Carol-Pw-1').Succeeded | Should -BeTrue -Because 'the copy still holds the old key'
            (Invoke-KdcHaLabKinit -Lab $lab -Node kdc2 -Principal "carol@$($lab.Realm)" -Password 'Carol-Pw-2').Succeeded | Should -BeTrue -Because 'the shared database has the new one'
        } finally { $null = Stop-KdcHaLabKdc -Lab $lab -Node kdc2 -Port $port }
    }
}

Describe 'KDCs sharing the database file' -Tag Lab {
    BeforeAll {
        Import-Module $env:KDCHA_MODULE_PATH -Force
        # Stops kdc1 at random moments while it serves a probe load and counts the stops during which kdc2, on the
        # same file, did not answer within a second.
        function Measure-PeerStall([string]$LastSuccess, [int]$Rounds = 30) {
            $port = 10095
            foreach ($n in 'kdc1', 'kdc2') { $null = Start-KdcHaLabKdc -Lab $lab -Node $n -Port $port -LastSuccess $LastSuccess }
            $load = Start-ThreadJob -ArgumentList "$($lab.Kdcs[0].Address):$port", $lab.Kdcs[0].HealthKeytab, $env:KDCHA_MODULE_PATH {
                param($kdc, $keytab, $module)
                Import-Module $module
                while ($true) { $null = Test-KdcHealth -Kdc $kdc -Keytab $keytab -TimeoutMilliseconds 300 }
            }
            try {
                Start-Sleep -Seconds 1
                $stopped = (Get-KdcHaLabProcess -Lab $lab | Where-Object Key -EQ "kdc1.krb5kdc.$port").Pid
                $stalls = 0
                for ($i = 0; $i -lt $Rounds; $i++) {
                    Start-Sleep -Milliseconds (Get-Random -Minimum 20 -Maximum 120)
                    $null = Invoke-KdcHaLabCommand -Lab $lab -FilePath /bin/kill -ArgumentList '-s', 'STOP', "$stopped"
                    try {
                        $peer = Test-KdcHealth -Kdc "$($lab.Kdcs[1].Address):$port" -Keytab $lab.Kdcs[1].HealthKeytab -TimeoutMilliseconds 1000
                        if ($peer.Status -ne 'Healthy') { $stalls++ }
                    } finally { $null = Invoke-KdcHaLabCommand -Lab $lab -FilePath /bin/kill -ArgumentList '-s', 'CONT', "$stopped" }
                }
                $stalls
            } finally {
                $load | Remove-Job -Force
                foreach ($n in 'kdc1', 'kdc2') { $null = Stop-KdcHaLabKdc -Lab $lab -Node $n -Port $port }
            }
        }
    }

    It 'does not let a stopped KDC stall its peer by default, as it does when last-success is written' {
        $written = Measure-PeerStall -LastSuccess Written
        $notWritten = Measure-PeerStall -LastSuccess NotWritten
        Write-Host "kdc1 stopped 30 times under load: kdc2 stalled $written times with last-success written, $notWritten times without"
        $written | Should -BeGreaterThan 0 -Because 'a write holds the file''s exclusive lock (measured: 21 of 60 stops)'
        $notWritten | Should -Be 0
    }
}

Describe 'Realm administration' -Tag Lab {
    It 'passes kadmin queries through: a new principal works until its key is randomised' {
        Invoke-KdcHaLabKadmin -Lab $lab -Query 'addprinc +requires_preauth -pw Bob-Pw-1 bob' | Out-Null
        (Invoke-KdcHaLabKinit -Lab $lab -Node kdc1 -Principal "bob@$($lab.Realm)" -Password 'Bob-Pw-1').Succeeded | Should -BeTrue
        Invoke-KdcHaLabKadmin -Lab $lab -Query 'cpw -randkey bob' | Out-Null
        (Invoke-KdcHaLabKinit -Lab $lab -Node kdc2 -Principal "bob@$($lab.Realm)" -Password 'Bob-Pw-1').Succeeded | Should -BeFalse
    }

    It 'reports a failing kadmin query as an error' {
        { Invoke-KdcHaLabKadmin -Lab $lab -Query 'cpw -randkey nobody-here' } | Should -Throw '*kadmin.local reported*'
    }
}

Describe 'Network faults' -Tag Lab {
    It 'loss 100% on a node makes its KDC unreachable; clearing restores it' {
        $null = Set-KdcHaLabNetem -Lab $lab -Node kdc1 -LossPercent 100
        try { (Invoke-KdcHaLabKinit -Lab $lab -Node kdc1 -TimeoutSec 3).Succeeded | Should -BeFalse }
        finally { Clear-KdcHaLabNetem -Lab $lab -Node kdc1 }
        (Invoke-KdcHaLabKinit -Lab $lab -Node kdc1 -TimeoutSec 10).Succeeded | Should -BeTrue
    }

    It 'delay slows every exchange (needs sch_netem)' {
        if (-not (Test-KdcHaLabNetemSupport -Lab $lab)) {
            { Set-KdcHaLabNetem -Lab $lab -Node kdc1 -DelayMs 300 } | Should -Throw '*no sch_netem*'
            Set-ItResult -Skipped -Because 'this kernel has no sch_netem'
            return
        }
        $null = Set-KdcHaLabNetem -Lab $lab -Node kdc1 -DelayMs 300
        try { (Invoke-KdcHaLabKinit -Lab $lab -Node kdc1 -TimeoutSec 10).DurationMs | Should -BeGreaterThan 550 }
        finally { Clear-KdcHaLabNetem -Lab $lab -Node kdc1 }
    }

    It 'a partition blocks only the chosen pair, one way or both; clearing heals it' {
        $null = Set-KdcHaLabPartition -Lab $lab -From client1 -To kdc1 -Protocol All
        try {
            (Invoke-KdcHaLabKinit -Lab $lab -Node kdc1 -TimeoutSec 3).Succeeded | Should -BeFalse
            (Invoke-KdcHaLabKinit -Lab $lab -Node kdc2).Succeeded | Should -BeTrue
            (Invoke-KdcHaLabKinit -Lab $lab -Node kdc1 -FromRootNamespace).Succeeded | Should -BeTrue
        } finally { $null = Clear-KdcHaLabPartition -Lab $lab }
        # One way, kdc1 -> client1 only: requests arrive but replies are dropped.
        $null = Set-KdcHaLabPartition -Lab $lab -From kdc1 -To client1 -Protocol All -OneWay
        try { (Invoke-KdcHaLabKinit -Lab $lab -Node kdc1 -TimeoutSec 3).Succeeded | Should -BeFalse }
        finally { $null = Clear-KdcHaLabPartition -Lab $lab }
        (Invoke-KdcHaLabKinit -Lab $lab -Node kdc1).Succeeded | Should -BeTrue
    }
}

Describe 'keepalived, VIP and observation' -Tag Lab {
    BeforeAll {
        $null = Start-KdcHaLabVipWatcher -Lab $lab
        $script:kaConfig = @{
            kdc1 = New-KdcHaLabKeepalivedConfig -Lab $lab -Node kdc1 -Priority 90 -State MASTER
            kdc2 = New-KdcHaLabKeepalivedConfig -Lab $lab -Node kdc2 -Priority 80
        }
        foreach ($n in 'kdc1', 'kdc2') { $null = Start-KdcHaLabKeepalived -Lab $lab -Node $n -ConfigText $kaConfig[$n] }
        $null = Wait-KdcHaLabVip -Lab $lab -Node kdc1 -TimeoutSec 15
    }

    It 'serves kinit on the VIP from the client (client krb5.conf names only the VIP)' {
        Get-Content -Raw $lab.ClientKrb5Conf | Should -Match ([regex]::Escape("kdc = $($lab.Vip):88"))
        (Invoke-KdcHaLabKinit -Lab $lab).Succeeded | Should -BeTrue
    }

    It 'a VRRP-only partition gives a split brain (both hold the VIP); clearing heals it' {
        $null = Set-KdcHaLabPartition -Lab $lab -From kdc1 -To kdc2 -Protocol Vrrp
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            do { $holders = @(Get-KdcHaLabVipHolder -Lab $lab); Start-Sleep -Milliseconds 100 } until ($holders.Count -eq 2 -or [DateTime]::UtcNow -gt $deadline)
            $holders | Sort-Object | Should -Be @('kdc1', 'kdc2')
        } finally { $null = Clear-KdcHaLabPartition -Lab $lab }
        Wait-KdcHaLabVip -Lab $lab -Node kdc1 -TimeoutSec 10 | Should -Be 'kdc1'
    }

    It 'killing keepalived on the VIP holder moves the VIP to the other node' {
        $holder = Wait-KdcHaLabVip -Lab $lab -TimeoutSec 5
        $other = @('kdc1', 'kdc2') | Where-Object { $_ -ne $holder }
        $load = Start-KdcHaLabClientLoad -Lab $lab -RatePerSecond 5
        Start-Sleep -Milliseconds 1000
        $fault = Stop-KdcHaLabKeepalived -Lab $lab -Node $holder
        Wait-KdcHaLabVip -Lab $lab -Node $other -TimeoutSec 10 | Should -Be $other
        @(Get-KdcHaLabVipHolder -Lab $lab) | Should -Be @($other)
        Start-Sleep -Milliseconds 1500
        $attempts = @(Stop-KdcHaLabClientLoad -Lab $lab)

        # The watcher saw it: the other node gained the VIP after the fault, within seconds.
        $gained = Get-KdcHaLabVipTransition -Lab $lab | Where-Object { $_.Event -eq 'Added' -and $_.Node -eq $other -and $_.MonoMs -gt $fault.MonoMs } | Select-Object -First 1
        $gained | Should -Not -BeNullOrEmpty
        ($gained.MonoMs - $fault.MonoMs) | Should -BeLessThan 5000
        $gained.Holders | Should -Be @($other)

        # The load loop ran at about 5/s and kept working through a clean (priority-0) failover.
        $attempts.Count | Should -BeGreaterOrEqual 10
        $attempts.Count | Should -BeLessOrEqual 20
        @($attempts | Where-Object ExitCode -NE 0) | Should -HaveCount 0
        $null = Start-KdcHaLabKeepalived -Lab $lab -Node $holder -ConfigText $kaConfig[$holder]
    }

    It 'SIGKILL of keepalived leaves its VIP behind while the other node takes it too' {
        $null = Wait-KdcHaLabVip -Lab $lab -Node kdc1 -TimeoutSec 10   # priority 90 preempts back
        $null = Stop-KdcHaLabKeepalived -Lab $lab -Node kdc1 -Signal KILL
        (Get-KdcHaLabProcess -Lab $lab | Where-Object Key -EQ 'kdc1.keepalived') | Should -BeNullOrEmpty
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        do { $holders = @(Get-KdcHaLabVipHolder -Lab $lab); Start-Sleep -Milliseconds 100 } until ($holders -contains 'kdc2' -or [DateTime]::UtcNow -gt $deadline)
        $holders | Sort-Object | Should -Be @('kdc1', 'kdc2')
    }

    It 'records transitions with monotonic ms and UTC in order' {
        $t = @(Stop-KdcHaLabVipWatcher -Lab $lab)
        $t[0].Event | Should -Be 'Snapshot'
        $t.Count | Should -BeGreaterThan 4
        for ($i = 1; $i -lt $t.Count; $i++) { $t[$i].MonoMs | Should -BeGreaterOrEqual $t[$i - 1].MonoMs }
        ([DateTime]::UtcNow - $t[-1].Utc).TotalMinutes | Should -BeLessThan 5
    }
}

Describe 'Enctype-restricted realm' -Tag Lab {
    It 'builds a realm whose only enctype is aes256-cts-hmac-sha384-192' {
        $sha2 = $null
        try {
            $sha2 = New-KdcHaLab -KdcCount 1 -ClientCount 1 -SupportedEnctypes 'aes256-cts-hmac-sha384-192'
            $princ = Invoke-KdcHaLabKadmin -Lab $sha2 -Query 'getprinc alice'
            $princ | Should -Match 'Key: vno 1, aes256-cts-hmac-sha384-192'
            $princ | Should -Not -Match 'aes256-cts-hmac-sha1-96'
            $cc = Join-Path $sha2.Directory 'alice.ccache'
            (Invoke-KdcHaLabKinit -Lab $sha2 -Node kdc1 -CCache $cc).Succeeded | Should -BeTrue
            (Invoke-KdcHaLabCommand -Lab $sha2 -FilePath klist -ArgumentList '-e', $cc).StdOut | Should -Match 'Etype \(skey, tkt\): aes256-cts-hmac-sha384-192, aes256-cts-hmac-sha384-192'
        } finally { Remove-KdcHaLab -Lab $sha2 }
    }
}

Describe 'Teardown' -Tag Lab {
    It 'Remove-KdcHaLab leaves no namespace, link, directory or process behind' {
        $pids = @(Get-KdcHaLabProcess -Lab $lab | ForEach-Object Pid)
        $pids.Count | Should -BeGreaterOrEqual 3   # two krb5kdc + keepalived on kdc2 at least
        Remove-KdcHaLab -Lab $lab
        (ip netns list) -match "kdchalab-$($lab.Id)-" | Should -BeNullOrEmpty
        Get-LinkNames | Where-Object { $_ -match $lab.Id } | Should -BeNullOrEmpty
        Test-Path $lab.Directory | Should -BeFalse
        foreach ($p in $pids) { Test-Path "/proc/$p" | Should -BeFalse -Because "pid $p was recorded by the lab" }
        Get-ProcessArgLines | Where-Object { $_ -match "kdchalab-$($lab.Id)" } | Should -BeNullOrEmpty
    }

    It 'Remove-KdcHaLab -All cleans up after a crashed run' {
        $crashed = New-KdcHaLab -KdcCount 1 -ClientCount 0
        try {
            # Pretend the owner died: a pid that does not exist.
            Set-Content -Path (Join-Path $crashed.Directory 'owner') -Value '2147483 1' -NoNewline
            $kdcPid = (Get-KdcHaLabProcess -Lab $crashed).Pid
            Remove-KdcHaLab -All
            (ip netns list) -match "kdchalab-$($crashed.Id)-" | Should -BeNullOrEmpty
            Get-LinkNames | Where-Object { $_ -match $crashed.Id } | Should -BeNullOrEmpty
            Test-Path $crashed.Directory | Should -BeFalse
            Test-Path "/proc/$kdcPid" | Should -BeFalse
        } finally { Remove-KdcHaLab -Lab $crashed }
    }
}
