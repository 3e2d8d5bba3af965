# The field's seed design (keepalived vrrp_script running kinit -kt every 5 s) on a KdcHa lab pair, for the benches
# that measure KdcHa against it in the same run (Baseline.Bench.ps1, Stress.Bench.ps1).

# The seed design as found in the field.
$Seed = @{ Interval = 5; Timeout = 4; Fall = 2; Rise = 5; Weight = -50; Priorities = @{ kdc1 = 90; kdc2 = 80 }; AdvertInt = 1 }

function Start-SeedKeepalived {
    param($Lab)
    foreach ($node in 'kdc1', 'kdc2') {
        $check = @{
            Name = 'chk_kdc'; Script = (Get-KdcHaLabHealthCommand -Lab $Lab -Node $node)
            Interval = $Seed.Interval; Timeout = $Seed.Timeout; Fall = $Seed.Fall; Rise = $Seed.Rise; Weight = $Seed.Weight
        }
        $state = if ($node -eq 'kdc1') { 'MASTER' } else { 'BACKUP' }
        $config = New-KdcHaLabKeepalivedConfig -Lab $Lab -Node $node -Priority $Seed.Priorities[$node] -State $state -AdvertInt $Seed.AdvertInt -VrrpVersion 2 -TrackScript $check
        $null = Start-KdcHaLabKeepalived -Lab $Lab -Node $node -ConfigText $config
    }
    $null = Wait-KdcHaLabVip -Lab $Lab -Node kdc1 -TimeoutSec 15
    # Let the first health checks run on both nodes so the fault hits a settled, healthy pair.
    Start-Sleep -Seconds ($Seed.Interval + 1)
    $null = Wait-KdcHaLabVip -Lab $Lab -Node kdc1 -TimeoutSec 1
}

function Reset-SeedPair {
    param($Lab)
    foreach ($node in 'kdc1', 'kdc2') {
        if (Get-KdcHaLabProcess -Lab $Lab | Where-Object { $_.Key -eq "$node.keepalived" -and $_.Alive }) { $null = Stop-KdcHaLabKeepalived -Lab $Lab -Node $node }
        $kdc = Get-KdcHaLabProcess -Lab $Lab | Where-Object { $_.Key -eq "$node.krb5kdc.88" -and $_.Alive }
        if (-not $kdc) { $null = Start-KdcHaLabKdc -Lab $Lab -Node $node }
        elseif ($kdc.Stopped) { $null = Resume-KdcHaLabKdc -Lab $Lab -Node $node }
    }
}

Export-ModuleMember -Function Start-SeedKeepalived, Reset-SeedPair -Variable Seed
