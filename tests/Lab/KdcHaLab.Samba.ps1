# KdcHa test lab, Active Directory KDCs (dot-sourced by KdcHaLab.psm1): a Samba AD DC provisioned from scratch in a
# lab node's namespace (issue 16). Everything lives in <node dir>/samba: samba-tool provisions with an empty base
# smb.conf (so /etc/samba/smb.conf is never merged) and --targetdir, and the DC runs only its KDC service, bound to
# the namespace address alone. --dns-backend NONE and an empty dns forwarder: the DC serves and forwards no DNS, so
# it never sends anything outside the lab. Its pid is a lab record, so Remove-KdcHaLab stops it and deletes its
# directory with the lab's.

$script:SambaDomain = 'KDCHA'

function Assert-LabSambaPrerequisites {
    $missing = @('samba', 'samba-tool' | Where-Object { -not (Get-Command $_ -CommandType Application -ErrorAction SilentlyContinue) })
    if (-not (Test-Path '/usr/share/samba/setup/provision.ldif')) { $missing += 'samba-ad-provision' }
    if ($missing) { throw "The KdcHa Samba lab is missing: $($missing -join ', '). Install with: apt-get install -y samba-ad-dc samba-ad-provision" }
}

function Get-LabSambaKey { param($Node) "$($Node.Name).samba" }

function Start-KdcHaLabSambaDc {
    <#
    .SYNOPSIS
    Provisions a Samba AD DC (a new domain, -Realm) in a lab node's namespace and starts it (samba -i -M single, the
    KDC service only, bound to the node's address). Returns the DC: Realm, Address, SmbConf, Krb5Conf, LogPath (samba's
    output, with a JSON line per authentication it audits) and AdministratorCredential. A DC that fails to come up is
    stopped and its directory removed before the error is thrown; otherwise Remove-KdcHaLab (or Stop-KdcHaLabSambaDc)
    removes it.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node, [ValidatePattern('^[A-Z0-9.-]+$')][string]$Realm = 'AD.KDCHA.TEST',
        # The KDC on the wildcard address of the node's namespace, as a Windows DC listens, so it also answers a VIP
        # keepalived adds later (samba binds only addresses present at its start otherwise). The namespace holds lab
        # addresses alone.
        [switch]$AnyAddress)
    Assert-LabSambaPrerequisites
    $n = Resolve-LabNode -Lab $Lab -Node $Node -Role Kdc
    $dir = Join-Path $n.Directory 'samba'
    if (Test-Path -LiteralPath $dir) { Remove-Item -LiteralPath $dir -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $dir
    $password = 'Adm1n-' + [guid]::NewGuid().ToString('n').Substring(0, 16)
    $dc = [pscustomobject]@{
        PSTypeName              = 'KdcHa.LabSambaDc'
        Name                    = $n.Name
        Namespace               = $n.Namespace
        Address                 = $n.Address
        Realm                   = $Realm
        Directory               = $dir
        Key                     = Get-LabSambaKey $n
        SmbConf                 = Join-Path $dir 'etc/smb.conf'
        Krb5Conf                = Join-Path $dir 'krb5.conf'
        LogPath                 = Join-Path $dir 'samba.out'
        AdministratorCredential = [pscredential]::new("Administrator@$Realm", (ConvertTo-SecureString $password -AsPlainText -Force))
        ProvisionSeconds        = $null
    }
    $sw = [Diagnostics.Stopwatch]::StartNew()
    try {
        Write-LabFile -Path (Join-Path $dir 'base.conf') -Text ''
        $options = @(
            "interfaces = $($n.Address)", "bind interfaces only = $(if ($AnyAddress) { 'no' } else { 'yes' })", 'server services = kdc', 'dns forwarder =',
            # Not /run/samba: DCs of parallel labs (or a host's own) would refuse to start beside each other.
            "pid directory = $dir/run",
            # auth_json_audit:3: one JSON line per authentication (Windows event ids 4624/4625), on samba -i's output.
            "log file = $dir/log.%m", 'log level = 1 auth_json_audit:3'
        )
        $arguments = @('domain', 'provision', '-s', (Join-Path $dir 'base.conf'), '--targetdir', $dir, '--realm', $Realm,
            '--domain', $script:SambaDomain, '--server-role', 'dc', '--dns-backend', 'NONE', '--host-name', $n.Name,
            '--host-ip', $n.Address, '--adminpass', $password) + @($options | ForEach-Object { "--option=$_" })
        $null = Invoke-LabCommand -Namespace $n.Namespace -FilePath samba-tool -ArgumentList $arguments -TimeoutSec 120
        $dc.ProvisionSeconds = $sw.Elapsed.TotalSeconds
        Write-LabFile -Path $dc.Krb5Conf -Text "[libdefaults]`n default_realm = $Realm`n dns_lookup_kdc = false`n dns_lookup_realm = false`n[realms]`n $Realm = {`n  kdc = $($n.Address)`n }`n"
        $processId = Start-LabProcess -Lab $Lab -Key $dc.Key -Namespace $n.Namespace -FilePath samba -ArgumentList '-s', $dc.SmbConf, '-i', '-M', 'single' -LogPath $dc.LogPath
        foreach ($protocol in 'Tcp', 'Udp') { Wait-LabListener -Lab $Lab -Node $n -Port 88 -Key $dc.Key -LogPath $dc.LogPath -Protocol $protocol -TimeoutMs 30000 }
    } catch {
        Stop-LabProcess -Directory $Lab.Directory -Key $dc.Key -Signal KILL
        Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue
        throw
    }
    $null = New-LabEvent -Action 'StartSambaDc' -Node $n.Name -Detail @{ Pid = $processId; Address = $n.Address; Seconds = $sw.Elapsed.TotalSeconds }
    $dc
}

function Stop-KdcHaLabSambaDc {
    <# .SYNOPSIS Stops a lab Samba DC and removes its directory (Remove-KdcHaLab does the same for every DC). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Dc)
    Stop-LabProcess -Directory $Lab.Directory -Key $Dc.Key -Signal TERM
    Remove-Item -LiteralPath $Dc.Directory -Recurse -Force -ErrorAction SilentlyContinue
}

function Send-LabSambaSignal {
    param($Lab, $Dc, [string]$Signal, [string]$Action)
    $record = Get-LabPidRecord -Directory $Lab.Directory -Key $Dc.Key | Where-Object Alive
    if (-not $record) { throw "No running Samba DC on $($Dc.Name)." }
    $evt = New-LabEvent -Action $Action -Node $Dc.Name -Detail @{ Pid = $record.Pid }
    # The whole process group: samba's helpers (its KDC child among them) hang with it.
    Send-LabSignal -ProcessId $record.Pid -Signal $Signal -Group
    $evt
}

function Suspend-KdcHaLabSambaDc {
    <# .SYNOPSIS SIGSTOP to the DC's process group: it hangs with its sockets open. Returns the fault event with MonoMs. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Dc)
    Send-LabSambaSignal -Lab $Lab -Dc $Dc -Signal STOP -Action 'SuspendSambaDc'
}

function Resume-KdcHaLabSambaDc {
    <# .SYNOPSIS SIGCONT for a suspended Samba DC. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Dc)
    Send-LabSambaSignal -Lab $Lab -Dc $Dc -Signal CONT -Action 'ResumeSambaDc'
}

function Invoke-KdcHaLabSambaTool {
    <# .SYNOPSIS Runs samba-tool against a lab DC's database (e.g. 'user', 'add', ...). Returns StdOut, StdErr, ExitCode. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Dc, [Parameter(Mandatory)][string[]]$ArgumentList, [double]$TimeoutSec = 60)
    Invoke-LabCommand -Namespace $Dc.Namespace -FilePath samba-tool -ArgumentList ($ArgumentList + @('-s', $Dc.SmbConf)) -TimeoutSec $TimeoutSec
}

function Get-KdcHaLabSambaAuthEvent {
    <#
    .SYNOPSIS
    The authentications a lab DC audited (auth_json_audit), oldest first: EventId (4624 logon, 4625 failed logon),
    Status, Account, Description (e.g. 'ENC-TS Pre-authentication'), Remote. -Account filters on the client account.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Dc, [string]$Account)
    if (-not (Test-Path -LiteralPath $Dc.LogPath)) { return }
    foreach ($line in Get-Content -LiteralPath $Dc.LogPath) {
        if (-not $line.StartsWith('{"timestamp"')) { continue }
        $record = $line | ConvertFrom-Json
        if ($record.type -ne 'Authentication') { continue }
        $a = $record.Authentication
        if ($Account -and $a.clientAccount -ne $Account) { continue }
        [pscustomobject]@{
            PSTypeName  = 'KdcHa.LabSambaAuthEvent'
            EventId     = $a.eventId
            Status      = $a.status
            Account     = $a.clientAccount
            Description = $a.authDescription
            Remote      = $a.remoteAddress
        }
    }
}
