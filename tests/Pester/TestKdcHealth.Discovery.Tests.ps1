#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Test-KdcHealth without -Kdc, as an operator runs it on a client host whose krb5.conf names no KDC: the realm's KDCs
# come from DNS SRV records served by a real dnsmasq, the namespace's only resolver, and each is probed. Real MIT
# krb5kdc in the lab: one answering, one node whose KDC is stopped (a dead host), one reached through a CNAME, and a
# record whose target has no address.

BeforeAll {
    Import-Module "$PSScriptRoot/../Lab/KdcHaLab.psd1" -Force
    $script:module = (Resolve-Path -LiteralPath $env:KDCHA_MODULE_PATH).Path
    $script:lab = New-KdcHaLab -KdcCount 2 -ClientCount 1
    $script:client = $lab.Clients[0]
    $script:domain = $lab.Realm.ToLowerInvariant()
    Stop-KdcHaLabKdc -Lab $lab -Node kdc2 | Out-Null
    $null = Start-KdcHaLabDns -Lab $lab -Node $client -Domain $domain -Option @(
        "--host-record=kdc1.$domain,$($lab.Kdcs[0].Address)"
        "--host-record=kdc2.$domain,$($lab.Kdcs[1].Address)"
        "--cname=alias.$domain,kdc1.$domain"
        "--srv-host=_kerberos._udp.$domain,kdc1.$domain,88,10,0"
        "--srv-host=_kerberos._udp.$domain,alias.$domain,88,20,0"
        "--srv-host=_kerberos._udp.$domain,kdc2.$domain,88,30,0"
        "--srv-host=_kerberos._udp.$domain,gone.$domain,88,40,0")
    # What a client host that relies on DNS has: a realm, and no kdc line for it.
    $script:krb5Conf = Join-Path $lab.Directory 'dns-client-krb5.conf'
    Set-Content -LiteralPath $krb5Conf -Value "[libdefaults]`n  default_realm = $($lab.Realm)`n  dns_lookup_kdc = true`n"

    function Invoke-DiscoveringProbe([int] $TimeoutMilliseconds = 1000) {
        $command = "`$env:KRB5_CONFIG = '$krb5Conf'; Import-Module '$module'; " +
            "`$clock = [Diagnostics.Stopwatch]::StartNew(); " +
            "`$results = @(Test-KdcHealth -Realm $($lab.Realm) -TimeoutMilliseconds $TimeoutMilliseconds -ErrorAction SilentlyContinue -ErrorVariable failures); " +
            "[pscustomobject]@{ ElapsedMs = `$clock.ElapsedMilliseconds; Results = `$results | Select-Object Kdc, KdcSource, Status, Message; " +
            "Errors = @(`$failures | ForEach-Object { [pscustomobject]@{ Id = `$_.FullyQualifiedErrorId; Category = [string]`$_.CategoryInfo.Category; Message = `$_.Exception.Message } }) } | ConvertTo-Json -Depth 4"
        $run = Invoke-KdcHaLabPwsh -Lab $lab -Node $client -Command $command
        if ($run.ExitCode -ne 0) { throw "pwsh in $($client.Namespace) failed: $($run.StdErr)" }
        $run.StdOut | ConvertFrom-Json
    }
}

AfterAll {
    Remove-KdcHaLab -Lab $script:lab
}

Describe 'Test-KdcHealth discovering the realm through a real DNS server' -Tag Lab {
    It 'ProbesEverySrvTargetAndSaysEachCameFromDns' {
        $run = Invoke-DiscoveringProbe
        $run.Results | ForEach-Object { Write-Host ("{0,-22} {1,-7} {2,-12} {3}" -f $_.Kdc, $_.KdcSource, $_.Status, $_.Message) }
        # Results come as each probe ends (they run at once); the discovery order itself is xunit's DnsClientSrvLookupTests.
        @($run.Results.Kdc | Sort-Object) | Should -Be @("alias.$($domain):88", "gone.$($domain):88", "kdc1.$($domain):88", "kdc2.$($domain):88")
        @($run.Results | Where-Object KdcSource -NE 'DnsSrv') | Should -BeNullOrEmpty
        ($run.Results | Where-Object Kdc -Like 'kdc1.*').Status | Should -Be 'Healthy'
        ($run.Results | Where-Object Kdc -Like 'alias.*').Status | Should -Be 'Healthy' -Because 'a CNAME target is followed, as MIT does'
        ($run.Results | Where-Object Kdc -Like 'kdc2.*').Status | Should -Be 'Refused' -Because 'that host runs no KDC'
        ($run.Results | Where-Object Kdc -Like 'gone.*').Status | Should -Be 'Unreachable' -Because 'that name has no address'
    }

    It 'KeepsItsDeadlineWhenTheDnsServerHangsAndSaysTheKdcsWereNotFound' {
        Suspend-KdcHaLabDns -Lab $lab -Node $client
        try {
            $run = Invoke-DiscoveringProbe -TimeoutMilliseconds 800
        } finally {
            Suspend-KdcHaLabDns -Lab $lab -Node $client -Resume
        }
        Write-Host ("hung DNS server: {0} ms, {1}" -f $run.ElapsedMs, ($run.Errors | ForEach-Object Message))
        @($run.Results) | Should -BeNullOrEmpty
        $run.Errors.Count | Should -Be 1
        $run.Errors[0].Id | Should -BeLike 'KdcNotFound,*'
        $run.Errors[0].Category | Should -Be 'ObjectNotFound'
        $run.ElapsedMs | Should -BeLessThan 2000 -Because 'the 800 ms deadline bounds the DNS wait too'
    }
}
