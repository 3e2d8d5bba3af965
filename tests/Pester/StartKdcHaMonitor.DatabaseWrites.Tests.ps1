#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Every successful pre-authenticated AS exchange makes MIT krb5kdc write the principal's last-success time (with db2
# an fsync under the database lock, with LDAP a modify replicated to every directory). A PREAUTH_REQUIRED answer
# writes nothing. The monitor proves the keys with an Authenticated probe once per -AuthenticatedIntervalMilliseconds
# and probes at Reachable with the same principal in between. The KDC's own log tells the two apart: ISSUE lines
# are the writes, NEEDED_PREAUTH lines the Reachable probes. Real MIT krb5kdc with last-success written, one monitor.

BeforeAll {
    Import-Module "$PSScriptRoot/../Lab/KdcHaLab.psd1" -Force
    Import-Module $env:KDCHA_MODULE_PATH -Force
    $script:module = (Resolve-Path -LiteralPath $env:KDCHA_MODULE_PATH).Path
    $script:lab = New-KdcHaLab -KdcCount 2 -ClientCount 0 -LastSuccess Written

    # Runs kdc1's monitor for -Seconds of probing and counts, in kdc1's KDC log, what its probes caused there.
    function Measure-ProbeWrites([int]$AuthenticatedIntervalMilliseconds, [int]$Seconds = 12) {
        $node = $lab.Kdcs | Where-Object Name -EQ 'kdc1'
        $log = Join-Path $node.Directory 'krb5kdc-88.log'
        $principal = [regex]::Escape("$($node.HealthPrincipal)@$($lab.Realm)")
        $before = @(Get-Content -LiteralPath $log).Count
        $null = Start-KdcHaLabMonitor -Lab $lab -Node kdc1 -ModulePath $module -Parameter @{ AuthenticatedIntervalMilliseconds = $AuthenticatedIntervalMilliseconds }
        $window = [Diagnostics.Stopwatch]::StartNew()
        try {
            $status = Wait-KdcHaLabMonitor -Lab $lab -Node kdc1
            Start-Sleep -Seconds $Seconds
        } finally {
            $null = Stop-KdcHaLabMonitor -Lab $lab -Node kdc1
        }
        $lines = @(Get-Content -LiteralPath $log | Select-Object -Skip $before)
        [pscustomobject]@{
            Seconds       = $window.Elapsed.TotalSeconds
            Writes        = @($lines -match "ISSUE: .* $principal for krbtgt/").Count
            Reachable     = @($lines -match "NEEDED_PREAUTH: $principal for krbtgt/").Count
            Authenticated = ($status.Kdcs | Where-Object IsLocal).LastAuthenticated
        }
    }
}

AfterAll {
    Remove-KdcHaLab -Lab $script:lab
}

Describe 'Start-KdcHaMonitor and the KDC database' -Tag Lab {
    It 'WritesTheDatabaseAtMostOncePerAuthenticatedIntervalAndEveryRoundWhenTheIntervalIsZero' {
        $sparing = Measure-ProbeWrites -AuthenticatedIntervalMilliseconds 10000
        $everyRound = Measure-ProbeWrites -AuthenticatedIntervalMilliseconds 0
        Write-Host ("kdc1's KDC, {0:0.0} s of its monitor: {1} writes and {2} Reachable probes at the 10 s interval; {3} writes in {4:0.0} s at interval 0" -f
            $sparing.Seconds, $sparing.Writes, $sparing.Reachable, $everyRound.Writes, $everyRound.Seconds)
        $sparing.Authenticated | Should -Not -BeNullOrEmpty -Because 'the keys are proven at start'
        $sparing.Writes | Should -BeGreaterOrEqual 1
        $sparing.Writes | Should -BeLessOrEqual (1 + [math]::Ceiling($sparing.Seconds / 10)) -Because 'at most one Authenticated probe per 10 s, plus the first'
        $sparing.Reachable | Should -BeGreaterThan 30 -Because 'the rounds in between still probe the KDC, from its database'
        $everyRound.Writes | Should -BeGreaterThan 30 -Because 'interval 0 authenticates on every 200 ms round, as before'
    }
}
