#Requires -Version 7.4
# KdcHa test lab: real MIT KDCs and real keepalived on "hosts" made of Linux network namespaces.
# Every lab has a random id that appears in each name it creates (netns, links, temp dir), so
# parallel or crashed runs never collide and Remove-KdcHaLab -All can find leftovers.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$script:Prefix = 'kdchalab'                   # netns "kdchalab-<id>-<node>", dir "/tmp/kdchalab-<id>"
$script:BridgePrefix = 'khb'                  # "khb<id>"; link names are limited to 15 characters
$script:VethPrefix = 'khv'                    # "khv<id><k1|c1>": host side of a node's veth
$script:TempRoot = '/tmp'
$script:NodeInterface = 'eth0'                # the same inside every namespace, so configs can name it
$script:VipOctet = 100
$script:NetemSupported = $null                # probed once per process (kernel feature)

. (Join-Path $PSScriptRoot 'KdcHaLab.Ldap.ps1')
. (Join-Path $PSScriptRoot 'KdcHaLab.Samba.ps1')
. (Join-Path $PSScriptRoot 'KdcHaLabHost.ps1')

# --------------------------------------------------------------------------------------------
# Internal: running programs
# --------------------------------------------------------------------------------------------

function Get-LabArgv {
    param([string]$Namespace, [string]$FilePath, [string[]]$ArgumentList)
    # `ip netns exec` execs the target, so the pid we get is the program's own pid.
    $argv = [Collections.Generic.List[string]]::new()
    if ($Namespace) { $argv.AddRange([string[]]@('/usr/sbin/ip', 'netns', 'exec', $Namespace)) }
    $argv.Add($FilePath)
    foreach ($a in $ArgumentList) { if ($null -ne $a) { $argv.Add([string]$a) } }
    , $argv.ToArray()
}

function New-LabStartInfo {
    param([string[]]$Argv, [hashtable]$Environment)
    $psi = [System.Diagnostics.ProcessStartInfo]::new($Argv[0])
    foreach ($a in ($Argv | Select-Object -Skip 1)) { $psi.ArgumentList.Add([string]$a) }
    $psi.UseShellExecute = $false
    # ip netns exec keeps the environment, so per-node KRB5_CONFIG etc. travel this way.
    if ($Environment) { foreach ($k in $Environment.Keys) { $psi.Environment[$k] = [string]$Environment[$k] } }
    $psi
}

function Invoke-LabCommand {
    # The one way the lab runs a program to completion: optionally inside a namespace, with
    # environment, stdin and a hard deadline.
    param(
        [string]$Namespace,
        [Parameter(Mandatory)][string]$FilePath,
        [string[]]$ArgumentList = @(),
        [hashtable]$Environment,
        [string]$InputText,
        [double]$TimeoutSec = 60,
        [switch]$AllowFailure
    )
    $argv = Get-LabArgv -Namespace $Namespace -FilePath $FilePath -ArgumentList $ArgumentList
    $psi = New-LabStartInfo -Argv $argv -Environment $Environment
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.RedirectStandardInput = $true
    $sw = [System.Diagnostics.Stopwatch]::StartNew()
    $p = [System.Diagnostics.Process]::Start($psi)
    try {
        $out = $p.StandardOutput.ReadToEndAsync()
        $err = $p.StandardError.ReadToEndAsync()
        try { if ($InputText) { $p.StandardInput.Write($InputText) }; $p.StandardInput.Close() } catch [System.IO.IOException] { }
        $timedOut = -not $p.WaitForExit([int]($TimeoutSec * 1000))
        if ($timedOut) { $p.Kill($true) }
        $p.WaitForExit()
        $result = [pscustomobject]@{
            Command    = $argv -join ' '
            ExitCode   = if ($timedOut) { -1 } else { $p.ExitCode }
            TimedOut   = $timedOut
            DurationMs = [math]::Round($sw.Elapsed.TotalMilliseconds, 1)
            StdOut     = $out.GetAwaiter().GetResult()
            StdErr     = $err.GetAwaiter().GetResult()
        }
    } finally { $p.Dispose() }
    if (-not $AllowFailure -and ($result.TimedOut -or $result.ExitCode -ne 0)) {
        throw "Lab command failed (exit $($result.ExitCode), timed out: $($result.TimedOut)): $($result.Command)`n$($result.StdErr)$($result.StdOut)"
    }
    $result
}

# --------------------------------------------------------------------------------------------
# Internal: background processes and pid tracking
# --------------------------------------------------------------------------------------------

function Get-ProcStat {
    # State and start time from /proc: the start time tells a recorded pid from a recycled one.
    param([int]$ProcessId)
    try { $text = [IO.File]::ReadAllText("/proc/$ProcessId/stat") } catch { return $null }
    $fields = $text.Substring($text.LastIndexOf(')') + 2).Split(' ')
    [pscustomobject]@{ State = $fields[0]; ProcessGroup = [int]$fields[2]; StartTime = [long]$fields[19] }
}

function Get-LabPidRecord {
    # The lab's pid tracking: <lab dir>/pids/<key>.pid holds "pid starttime".
    param([Parameter(Mandatory)][string]$Directory, [string]$Key = '*')
    $dir = Join-Path $Directory 'pids'
    if (-not (Test-Path $dir)) { return }
    foreach ($f in Get-ChildItem -Path $dir -Filter "$Key.pid" -File) {
        $parts = (Get-Content -Raw $f.FullName).Trim().Split(' ')
        $processId = [int]$parts[0]
        $stat = Get-ProcStat $processId
        [pscustomobject]@{
            PSTypeName = 'KdcHa.LabProcess'
            Key        = $f.BaseName
            Pid        = $processId
            Alive      = ($null -ne $stat -and $stat.StartTime -eq [long]$parts[1] -and $stat.State -ne 'Z')
            Stopped    = ($null -ne $stat -and $stat.State -eq 'T')
            PidFile    = $f.FullName
        }
    }
}

function Start-LabProcess {
    # Long-running programs stay children of this pwsh on purpose: PID 1 in the lab VM does not
    # reap orphans, while .NET reaps every child it started. setsid gives each its own process
    # group so a whole tree can be signalled and keyboard signals to pwsh do not reach it.
    param(
        [Parameter(Mandatory)]$Lab,
        [Parameter(Mandatory)][string]$Key,
        [string]$Namespace,
        [Parameter(Mandatory)][string]$FilePath,
        [string[]]$ArgumentList = @(),
        [hashtable]$Environment,
        [Parameter(Mandatory)][string]$LogPath
    )
    $existing = Get-LabPidRecord -Directory $Lab.Directory -Key $Key
    if ($existing -and $existing.Alive) { throw "Lab process '$Key' is already running (pid $($existing.Pid))." }
    $inner = Get-LabArgv -Namespace $Namespace -FilePath $FilePath -ArgumentList $ArgumentList
    $argv = [string[]]@('/usr/bin/setsid', '/bin/sh', '-c', 'log=$0; exec "$@" >>"$log" 2>&1 </dev/null', $LogPath) + $inner
    $psi = New-LabStartInfo -Argv $argv -Environment $Environment
    $p = [System.Diagnostics.Process]::Start($psi)
    $processId = $p.Id
    $p.Dispose()
    $stat = Get-ProcStat $processId
    $startTime = if ($stat) { $stat.StartTime } else { 0 }
    Set-Content -Path (Join-Path $Lab.Directory "pids/$Key.pid") -Value "$processId $startTime" -NoNewline
    $processId
}

function Send-LabSignal {
    param([int[]]$ProcessId, [ValidateSet('TERM', 'KILL', 'STOP', 'CONT', 'HUP', 'INT')][string]$Signal, [switch]$Group)
    if (-not $ProcessId) { return }
    $targets = if ($Group) { $ProcessId | ForEach-Object { "-$_" } } else { $ProcessId | ForEach-Object { "$_" } }
    Invoke-LabCommand -FilePath '/bin/kill' -ArgumentList (@('-s', $Signal, '--') + $targets) -AllowFailure | Out-Null
}

function Wait-LabProcessExit {
    param([Parameter(Mandatory)][string]$Directory, [string[]]$Key, [int]$TimeoutMs = 5000)
    $deadline = [DateTime]::UtcNow.AddMilliseconds($TimeoutMs)
    do {
        $alive = @(Get-LabPidRecord -Directory $Directory | Where-Object { $_.Key -in $Key -and $_.Alive })
        if (-not $alive) { return $true }
        Start-Sleep -Milliseconds 20
    } while ([DateTime]::UtcNow -lt $deadline)
    $false
}

function Stop-LabProcess {
    # Graceful first (keepalived removes its VIP and reaps its children; perl helpers reap
    # theirs), then KILL of the whole process group for anything that did not go.
    param([Parameter(Mandatory)][string]$Directory, [string]$Key = '*', [ValidateSet('TERM', 'KILL')][string]$Signal = 'TERM', [int]$TimeoutMs = 5000)
    $records = @(Get-LabPidRecord -Directory $Directory -Key $Key)
    $alive = @($records | Where-Object Alive)
    if ($alive) {
        Send-LabSignal -ProcessId $alive.Pid -Signal $Signal
        # A stopped process only acts on TERM once continued.
        Send-LabSignal -ProcessId @($alive | Where-Object Stopped | ForEach-Object Pid) -Signal CONT
        if (-not (Wait-LabProcessExit -Directory $Directory -Key $alive.Key -TimeoutMs $TimeoutMs)) {
            $left = @(Get-LabPidRecord -Directory $Directory | Where-Object { $_.Key -in $alive.Key -and $_.Alive })
            if ($left) {
                Send-LabSignal -ProcessId ($left | ForEach-Object Pid) -Signal KILL -Group
                [void](Wait-LabProcessExit -Directory $Directory -Key ($left | ForEach-Object Key) -TimeoutMs 2000)
            }
        }
    }
    $records | ForEach-Object { Remove-Item -LiteralPath $_.PidFile -Force -ErrorAction SilentlyContinue }
}

# --------------------------------------------------------------------------------------------
# Internal: lab structure
# --------------------------------------------------------------------------------------------

function Get-LabMonotonicMs {
    # Stopwatch is CLOCK_MONOTONIC on Linux, the clock the watcher and the load loop stamp with.
    [System.Diagnostics.Stopwatch]::GetTimestamp() * 1000.0 / [System.Diagnostics.Stopwatch]::Frequency
}

function New-LabEvent {
    param([string]$Action, [string]$Node, [hashtable]$Detail)
    $o = [ordered]@{ PSTypeName = 'KdcHa.LabEvent'; Action = $Action; Node = $Node; MonoMs = [math]::Round((Get-LabMonotonicMs), 3); Utc = [DateTime]::UtcNow }
    if ($Detail) { foreach ($k in $Detail.Keys) { $o[$k] = $Detail[$k] } }
    [pscustomobject]$o
}

function Resolve-LabNode {
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node, [ValidateSet('Any', 'Kdc', 'Client')][string]$Role = 'Any')
    $name = if ($Node -is [string]) { $Node } else { $Node.Name }
    $found = @($Lab.Kdcs) + @($Lab.Clients) | Where-Object { $_.Name -eq $name }
    if (-not $found) { throw "Lab $($Lab.Id) has no node '$name' (nodes: $((@($Lab.Kdcs) + @($Lab.Clients)).Name -join ', '))." }
    if ($Role -ne 'Any' -and $found.Role -ne $Role) { throw "Node '$name' is a $($found.Role) node; a $Role node is needed here." }
    $found
}

function Assert-LabPrerequisites {
    if (-not [Environment]::IsPrivilegedProcess) { throw 'The KdcHa lab needs root (network namespaces, bridges, krb5kdc on port 88).' }
    $needed = [ordered]@{
        ip = 'iproute2'; tc = 'iproute2'; ss = 'iproute2'; nft = 'nftables'; krb5kdc = 'krb5-kdc'; kdb5_util = 'krb5-kdc'
        'kadmin.local' = 'krb5-admin-server'; kinit = 'krb5-user'; klist = 'krb5-user'; keepalived = 'keepalived'
        perl = 'perl-base'; setsid = 'util-linux'
    }
    $missing = @($needed.Keys | Where-Object { -not (Get-Command $_ -CommandType Application -ErrorAction SilentlyContinue) })
    if ($missing) {
        $pkgs = ($missing | ForEach-Object { $needed[$_] } | Select-Object -Unique) -join ' '
        throw "The KdcHa lab is missing: $($missing -join ', '). Install with: apt-get install -y $pkgs"
    }
}

function Use-LabLock {
    # Subnet choice and bridge creation must be atomic across parallel lab runs.
    param([scriptblock]$Script)
    $path = Join-Path $script:TempRoot "$($script:Prefix).lock"
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while ($true) {
        try { $lock = [IO.File]::Open($path, 'OpenOrCreate', 'ReadWrite', 'None'); break }
        catch [System.IO.IOException] { if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out waiting for $path" }; Start-Sleep -Milliseconds 50 }
    }
    try { & $Script } finally { $lock.Dispose() }
}

function Select-LabSubnet {
    # 198.18.0.0/15 (RFC 2544 benchmarking range): 512 /24s; skip any with an address in use.
    $used = (Invoke-LabCommand -FilePath ip -ArgumentList '-4', '-o', 'addr', 'show').StdOut +
            (Invoke-LabCommand -FilePath ip -ArgumentList '-4', 'route', 'show', 'table', 'all').StdOut
    foreach ($i in (0..511 | Get-Random -Count 512)) {
        $base = '198.{0}.{1}' -f (18 + [math]::Floor($i / 256)), ($i % 256)
        if ($used -notmatch [regex]::Escape("$base.")) { return $base }
    }
    throw 'No free /24 left in 198.18.0.0/15 for a lab.'
}

function New-LabNode {
    param([string]$Id, [string]$Dir, [string]$Name, [string]$Role, [string]$Address, [string]$Short)
    $nodeDir = Join-Path $Dir "nodes/$Name"
    $node = [ordered]@{
        PSTypeName    = 'KdcHa.LabNode'
        Name          = $Name
        Role          = $Role
        Namespace     = "$($script:Prefix)-$Id-$Name"
        Interface     = $script:NodeInterface
        HostInterface = "$($script:VethPrefix)$Id$Short"
        Address       = $Address
        Directory     = $nodeDir
    }
    if ($Role -eq 'Kdc') {
        $node.Krb5Conf = Join-Path $nodeDir 'krb5.conf'
        $node.HealthPrincipal = "kdcha-health/$Name"
        $node.HealthKeytab = Join-Path $nodeDir 'health.keytab'
        $node.KeepalivedConfig = Join-Path $nodeDir 'keepalived.conf'
        $node.KeepalivedPidFile = Join-Path $nodeDir 'keepalived.pid'
        $node.VrrpPidFile = Join-Path $nodeDir 'keepalived-vrrp.pid'
        $node.NotifyFifo = Join-Path $nodeDir 'notify.fifo'
        $node.KeepalivedLog = Join-Path $nodeDir 'keepalived.log'
    }
    [pscustomobject]$node
}

function New-LabObject {
    param([string]$Id, [int]$KdcCount, [int]$ClientCount, [string]$Realm, [string[]]$SupportedEnctypes, [string]$AlicePassword, [string]$Database)
    $dir = Join-Path $script:TempRoot "$($script:Prefix)-$Id"
    [pscustomobject]@{
        PSTypeName        = 'KdcHa.Lab'
        Id                = $Id
        Directory         = $dir
        Realm             = $Realm
        SupportedEnctypes = $SupportedEnctypes
        Subnet            = $null
        PrefixLength      = 24
        BridgeName        = "$($script:BridgePrefix)$Id"
        BridgeAddress     = $null
        Vip               = $null
        # Active-active labs: one VIP per KDC node (the first is Vip).
        Vips              = @()
        Interface         = $script:NodeInterface
        Kdcs              = @()
        Clients           = @()
        AlicePrincipal    = "alice@$Realm"
        AlicePassword     = $AlicePassword
        ClientKrb5Conf    = Join-Path $dir 'client/krb5.conf'
        AdminKrb5Conf     = Join-Path $dir 'realm/krb5.conf'
        AdminKdcConf      = Join-Path $dir 'realm/kdc.conf'
        DatabasePath      = Join-Path $dir 'realm/principal'
        Database          = $Database
        DirectoryNodes    = @()
        DirectoryServers  = @()
        LdapPasswordFile  = Join-Path $dir 'ldap/service.keyfile'
        KdcCount          = $KdcCount
        ClientCount       = $ClientCount
    }
}

function Initialize-LabNetwork {
    param($Lab)
    Use-LabLock {
        $base = Select-LabSubnet
        $Lab.Subnet = "$base.0/24"
        $Lab.BridgeAddress = "$base.1"
        $Lab.Vip = "$base.$($script:VipOctet)"
        $Lab.Vips = @(0..($Lab.KdcCount - 1) | ForEach-Object { "$base.$($script:VipOctet + $_)" })
        $Lab.Kdcs = @(1..$Lab.KdcCount | ForEach-Object { New-LabNode -Id $Lab.Id -Dir $Lab.Directory -Name "kdc$_" -Role Kdc -Address "$base.$(10 + $_)" -Short "k$_" })
        $Lab.Clients = @(@(if ($Lab.ClientCount -gt 0) { 1..$Lab.ClientCount }) | ForEach-Object { New-LabNode -Id $Lab.Id -Dir $Lab.Directory -Name "client$_" -Role Client -Address "$base.$(50 + $_)" -Short "c$_" })
        $Lab.DirectoryNodes = @(New-LabDirectoryNode -Lab $Lab -Base $base)
        # The bridge holds an address in the lab subnet so the root namespace (Pester, the module
        # under test) reaches every node directly. Multicast snooping off: VRRP adverts must flood.
        $batch = [Collections.Generic.List[string]]::new()
        $batch.Add("link add $($Lab.BridgeName) type bridge forward_delay 0 mcast_snooping 0")
        $batch.Add("link set $($Lab.BridgeName) up")
        $batch.Add("addr add $($Lab.BridgeAddress)/$($Lab.PrefixLength) dev $($Lab.BridgeName)")
        foreach ($n in @($Lab.Kdcs) + @($Lab.Clients) + @($Lab.DirectoryNodes)) {
            $batch.Add("netns add $($n.Namespace)")
            $batch.Add("link add $($n.HostInterface) type veth peer name $($n.Interface) netns $($n.Namespace)")
            $batch.Add("link set $($n.HostInterface) master $($Lab.BridgeName) up")
        }
        Invoke-LabCommand -FilePath ip -ArgumentList '-batch', '-' -InputText (($batch -join "`n") + "`n") | Out-Null
    }
    foreach ($n in @($Lab.Kdcs) + @($Lab.Clients) + @($Lab.DirectoryNodes)) {
        [void](New-Item -ItemType Directory -Force -Path $n.Directory)
        $inside = "link set lo up`naddr add $($n.Address)/$($Lab.PrefixLength) dev $($n.Interface)`nlink set $($n.Interface) up`n"
        Invoke-LabCommand -FilePath ip -ArgumentList '-n', $n.Namespace, '-batch', '-' -InputText $inside | Out-Null
    }
}

# --------------------------------------------------------------------------------------------
# Internal: Kerberos configuration
# --------------------------------------------------------------------------------------------

function Get-LabEnctypeList {
    # kdc.conf and addprinc -e want "enctype:salt"; accept bare enctype names too.
    param($Lab)
    if (-not $Lab.SupportedEnctypes) { return $null }
    ($Lab.SupportedEnctypes | ForEach-Object { if ($_ -match ':') { $_ } else { "$($_):normal" } }) -join ' '
}

function Write-LabFile {
    param([string]$Path, [string]$Text)
    [void](New-Item -ItemType Directory -Force -Path (Split-Path $Path))
    [IO.File]::WriteAllText($Path, $Text)
}

function New-KdcHaLabKrb5Conf {
    <#
    .SYNOPSIS
    Writes a client krb5.conf for the lab realm listing exactly the given KDCs ("addr" or "addr:port"),
    with MIT's default timeouts so client behaviour is realistic. Returns the path.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]$Lab, [Parameter(Mandatory)][string[]]$Kdc, [string]$Path,
        # 1 makes the client send every request over TCP first, as clients behind HAProxy must.
        [int]$UdpPreferenceLimit
    )
    if (-not $Path) { $Path = Join-Path $Lab.Directory ("conf/krb5-{0}.conf" -f [guid]::NewGuid().ToString('n').Substring(0, 8)) }
    $kdcLines = ($Kdc | ForEach-Object { "    kdc = $_" }) -join "`n"
    # A restricted realm restricts clients and the KDC too (session keys), as a real one would.
    $enc = if ($Lab.SupportedEnctypes) { ($Lab.SupportedEnctypes | ForEach-Object { $_ -replace ':.*$' }) -join ' ' }
    $encLines = if ($enc) { "    permitted_enctypes = $enc`n    default_tkt_enctypes = $enc`n    default_tgs_enctypes = $enc`n" } else { '' }
    $udpLine = if ($UdpPreferenceLimit) { "    udp_preference_limit = $UdpPreferenceLimit`n" } else { '' }
    Write-LabFile -Path $Path -Text @"
[libdefaults]
$encLines$udpLine    default_realm = $($Lab.Realm)
    dns_lookup_kdc = false
    dns_lookup_realm = false
    rdns = false
    dns_canonicalize_hostname = false

[realms]
    $($Lab.Realm) = {
$kdcLines
    }

"@
    $Path
}

function Get-LabKdcConfText {
    param($Lab, [int]$Port, [string]$LogPath, [string]$DatabasePath, [string[]]$LdapServers, [switch]$DisableLastSuccessAndLockout)
    $realmDir = Join-Path $Lab.Directory 'realm'
    # MIT's settings for KDCs that share or replicate a database: no last-success or lockout write on the AS path.
    # The realm's database module is named after the realm unless database_module says otherwise.
    $database = if ($LdapServers) { 'database_module = ldapdb' } else { "database_name = $DatabasePath" }
    $dbModules = if ($LdapServers) {
        Get-LabLdapDbModuleText -Lab $Lab -LdapServers $LdapServers -DisableLastSuccessAndLockout:$DisableLastSuccessAndLockout
    } elseif ($DisableLastSuccessAndLockout) {
        "[dbmodules]`n    $($Lab.Realm) = {`n        database_name = $DatabasePath`n        disable_last_success = true`n        disable_lockout = true`n    }`n`n"
    } else { '' }
    $enc = Get-LabEnctypeList $Lab
    $encLines = if ($enc) {
        "        supported_enctypes = $enc`n        master_key_type = $(($enc -split ' ')[0] -replace ':.*$')`n"
    } else { '' }
    @"
[kdcdefaults]
    kdc_ports = $Port
    kdc_tcp_ports = $Port

[realms]
    $($Lab.Realm) = {
        $database
        key_stash_file = $realmDir/stash
        acl_file = $realmDir/kadm5.acl
        kdc_ports = $Port
        kdc_tcp_ports = $Port
$encLines    }

$dbModules[logging]
    kdc = FILE:$LogPath
    admin_server = FILE:$realmDir/kadmin.log
    default = FILE:$realmDir/krb5lib.log

"@
}

function Get-LabAdminEnvironment {
    param($Lab)
    @{ KRB5_CONFIG = $Lab.AdminKrb5Conf; KRB5_KDC_PROFILE = $Lab.AdminKdcConf }
}

function Initialize-LabRealm {
    param($Lab)
    $realmDir = Join-Path $Lab.Directory 'realm'
    # The directories run before the admin kdc.conf can name them.
    if (Test-LabLdap $Lab) { Initialize-LabDirectory $Lab }
    $ldapServers = if (Test-LabLdap $Lab) { Get-LabLdapServerOrder -Lab $Lab }
    Write-LabFile -Path $Lab.AdminKdcConf -Text (Get-LabKdcConfText -Lab $Lab -Port 88 -LogPath "$realmDir/kdc-admin.log" -DatabasePath $Lab.DatabasePath -LdapServers $ldapServers)
    Write-LabFile -Path "$realmDir/kadm5.acl" -Text "*/admin@$($Lab.Realm) *`n"
    [void](New-KdcHaLabKrb5Conf -Lab $Lab -Kdc $Lab.BridgeAddress -Path $Lab.AdminKrb5Conf)
    if (Test-LabLdap $Lab) {
        New-LabLdapRealm $Lab
    } else {
        $masterPassword = [guid]::NewGuid().ToString('n')
        Invoke-LabCommand -FilePath kdb5_util -ArgumentList '-r', $Lab.Realm, 'create', '-s', '-P', $masterPassword -Environment (Get-LabAdminEnvironment $Lab) | Out-Null
    }

    # MIT only answers PREAUTH_REQUIRED (error 25) for principals flagged +requires_preauth.
    $enc = Get-LabEnctypeList $Lab
    $e = if ($enc) { " -e `"$enc`"" } else { '' }
    $queries = @("addprinc +requires_preauth$e -pw `"$($Lab.AlicePassword)`" alice")
    foreach ($n in $Lab.Kdcs) {
        $queries += "addprinc +requires_preauth$e -randkey $($n.HealthPrincipal)"
        $queries += "ktadd -k $($n.HealthKeytab)$e $($n.HealthPrincipal)"
    }
    # One kadmin.local for the whole batch: it reads commands from stdin, saving a DB open per query.
    $r = Invoke-LabCommand -FilePath kadmin.local -ArgumentList '-r', $Lab.Realm -Environment (Get-LabAdminEnvironment $Lab) -InputText (($queries -join "`n") + "`nquit`n")
    Assert-KadminOutput -Result $r
    # A KDC starts only once its own directory holds the realm: wait for the last principal made above.
    if (Test-LabLdap $Lab) { $null = Wait-KdcHaLabDirectoryEntry -Lab $Lab -Principal $Lab.Kdcs[-1].HealthPrincipal }
}

function Assert-KadminOutput {
    # kadmin.local exits 0 even when a query fails; its errors are "<command>: <message>" on stderr.
    param($Result)
    $errors = @($Result.StdErr -split "`n" | Where-Object { $_ -match '^\s*\w+: ' -and $_ -notmatch '^(WARNING|Authenticating)' })
    if ($errors) { throw "kadmin.local reported: $($errors -join '; ')" }
}

# --------------------------------------------------------------------------------------------
# Public: lifecycle
# --------------------------------------------------------------------------------------------

function New-KdcHaLab {
    <#
    .SYNOPSIS
    Brings up a lab: KDC and client namespaces on one bridge, an MIT realm, and a krb5kdc per KDC node.
    Always pair with Remove-KdcHaLab in a finally block.
    #>
    [CmdletBinding()]
    param(
        [ValidateRange(1, 8)][int]$KdcCount = 2,
        [ValidateRange(0, 8)][int]$ClientCount = 1,
        [ValidatePattern('^[A-Z0-9.-]+$')][string]$Realm = 'KDCHA.TEST',
        [string[]]$SupportedEnctypes,
        [string]$AlicePassword = ('Alice-' + [guid]::NewGuid().ToString('n').Substring(0, 12)),
        # Leave krb5kdc stopped (a test that wants to start KDCs itself, e.g. on other ports).
        [switch]$NoKdc,
        # Passed to Start-KdcHaLabKdc for every KDC (default there: NotWritten, as they share one file).
        [ValidateSet('Written', 'NotWritten')][string]$LastSuccess = 'NotWritten',
        # Where the realm's database lives: a db2 file shared by every KDC, one slapd shared by every KDC (Ldap), or
        # one replicating slapd per KDC node (LdapPerNode); see KdcHaLab.Ldap.ps1.
        [ValidateSet('File', 'Ldap', 'LdapPerNode')][string]$Database = 'File'
    )
    Assert-LabPrerequisites
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $id = [guid]::NewGuid().ToString('n').Substring(0, 6)
    $lab = New-LabObject -Id $id -KdcCount $KdcCount -ClientCount $ClientCount -Realm $Realm -SupportedEnctypes $SupportedEnctypes -AlicePassword $AlicePassword -Database $Database
    try {
        foreach ($d in 'pids', 'realm', 'client', 'conf', 'load', 'ldap') { [void](New-Item -ItemType Directory -Force -Path (Join-Path $lab.Directory $d)) }
        # Lets Remove-KdcHaLab -All tell a crashed run's leftovers from a live parallel run.
        Set-Content -Path (Join-Path $lab.Directory 'owner') -Value "$PID $((Get-ProcStat $PID).StartTime)" -NoNewline
        Initialize-LabNetwork $lab
        Initialize-LabRealm $lab
        foreach ($n in $lab.Kdcs) { [void](New-KdcHaLabKrb5Conf -Lab $lab -Kdc "$($n.Address):88" -Path $n.Krb5Conf) }
        [void](New-KdcHaLabKrb5Conf -Lab $lab -Kdc "$($lab.Vip):88" -Path $lab.ClientKrb5Conf)
        if (-not $NoKdc) { foreach ($n in $lab.Kdcs) { [void](Start-KdcHaLabKdc -Lab $lab -Node $n -LastSuccess $LastSuccess) } }
        $lab | ConvertTo-Json -Depth 4 | Set-Content -Path (Join-Path $lab.Directory 'lab.json')
        Write-Verbose ("Lab {0} up in {1:n2} s: subnet {2}, VIP {3}" -f $id, $sw.Elapsed.TotalSeconds, $lab.Subnet, $lab.Vip)
        $lab
    } catch {
        Remove-LabById -Id $id
        throw
    }
}

function Get-LabIdsOnHost {
    # Every id that left any trace: temp dir, namespace or link.
    $ids = [Collections.Generic.HashSet[string]]::new()
    Get-ChildItem -Path $script:TempRoot -Directory -Filter "$($script:Prefix)-*" -ErrorAction SilentlyContinue |
        ForEach-Object { if ($_.Name -match "^$($script:Prefix)-([0-9a-f]{6})$") { [void]$ids.Add($Matches[1]) } }
    (Invoke-LabCommand -FilePath ip -ArgumentList 'netns', 'list' -AllowFailure).StdOut -split "`n" |
        ForEach-Object { if ($_ -match "^$($script:Prefix)-([0-9a-f]{6})-") { [void]$ids.Add($Matches[1]) } }
    (Invoke-LabCommand -FilePath ip -ArgumentList '-o', 'link', 'show' -AllowFailure).StdOut -split "`n" |
        ForEach-Object { if ($_ -match "^\d+: ($($script:BridgePrefix)|$($script:VethPrefix))([0-9a-f]{6})") { [void]$ids.Add($Matches[2]) } }
    $ids
}

function Test-LabOwnerAlive {
    param([string]$Id)
    $file = Join-Path $script:TempRoot "$($script:Prefix)-$Id/owner"
    if (-not (Test-Path $file)) { return $false }
    $parts = (Get-Content -Raw $file).Trim().Split(' ')
    if ([int]$parts[0] -eq $PID) { return $false }     # our own labs are ours to remove
    $stat = Get-ProcStat ([int]$parts[0])
    $null -ne $stat -and $stat.StartTime -eq [long]$parts[1]
}

function Remove-LabById {
    param([Parameter(Mandatory)][string]$Id)
    $dir = Join-Path $script:TempRoot "$($script:Prefix)-$Id"
    if (Test-Path $dir) { Stop-LabProcess -Directory $dir -Key '*' -Signal TERM -TimeoutMs 5000 }
    $namespaces = @((Invoke-LabCommand -FilePath ip -ArgumentList 'netns', 'list' -AllowFailure).StdOut -split "`n" |
        ForEach-Object { ($_ -split ' ')[0] } | Where-Object { $_ -like "$($script:Prefix)-$Id-*" })
    foreach ($ns in $namespaces) {
        # Whatever still runs inside (a crashed run's children, a process started by hand).
        $pids = @((Invoke-LabCommand -FilePath ip -ArgumentList 'netns', 'pids', $ns -AllowFailure).StdOut -split "`n" | Where-Object { $_ -match '^\d+$' })
        if ($pids) { Send-LabSignal -ProcessId $pids -Signal KILL }
    }
    foreach ($ns in $namespaces) { Remove-Item -LiteralPath "/etc/netns/$ns" -Recurse -Force -ErrorAction Ignore }
    $batch = @($namespaces | ForEach-Object { "netns delete $_" })
    $links = @((Invoke-LabCommand -FilePath ip -ArgumentList '-o', 'link', 'show' -AllowFailure).StdOut -split "`n" |
        ForEach-Object { if ($_ -match "^\d+: (($($script:BridgePrefix)|$($script:VethPrefix))$Id\w*)[@:]") { $Matches[1] } })
    $batch += @($links | Select-Object -Unique | ForEach-Object { "link delete $_" })
    # -force: carry on past a link that vanished with its namespace's veth peer.
    if ($batch) { Invoke-LabCommand -FilePath ip -ArgumentList '-force', '-batch', '-' -InputText (($batch -join "`n") + "`n") -AllowFailure | Out-Null }
    Remove-LabHostMount -Directory $dir
    Remove-LabCpuGroup -Id $Id
    if (Test-Path $dir) { Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue }
}

function Remove-KdcHaLab {
    <#
    .SYNOPSIS
    Tears a lab down: stops every recorded process, kills anything left in its namespaces, deletes
    namespaces, links and the temp dir. -All does that for every lab on the host whose owning
    process is gone (crashed runs); -Force includes labs of live parallel runs.
    #>
    [CmdletBinding(DefaultParameterSetName = 'Lab')]
    param(
        [Parameter(ParameterSetName = 'Lab', Mandatory, ValueFromPipeline)][AllowNull()]$Lab,
        [Parameter(ParameterSetName = 'All', Mandatory)][switch]$All,
        [Parameter(ParameterSetName = 'All')][switch]$Force
    )
    process {
        if ($PSCmdlet.ParameterSetName -eq 'Lab') {
            if ($Lab) { Remove-LabById -Id $Lab.Id }
            return
        }
        foreach ($id in Get-LabIdsOnHost) {
            if (-not $Force -and (Test-LabOwnerAlive $id)) { Write-Verbose "Skipping lab ${id}: its owner process is alive."; continue }
            Write-Verbose "Removing lab $id"
            Remove-LabById -Id $id
        }
    }
}

function Get-KdcHaLabProcess {
    <# .SYNOPSIS Recorded lab processes (krb5kdc, keepalived, watcher, load) with pid and liveness. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab)
    Get-LabPidRecord -Directory $Lab.Directory
}

function Invoke-KdcHaLabCommand {
    <# .SYNOPSIS Runs a program to completion inside a node's namespace (or the root one with -Node omitted). #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]$Lab,
        $Node,
        [Parameter(Mandatory)][string]$FilePath,
        [string[]]$ArgumentList = @(),
        [hashtable]$Environment,
        [string]$InputText,
        [double]$TimeoutSec = 60,
        [switch]$AllowFailure
    )
    $ns = if ($Node) { (Resolve-LabNode -Lab $Lab -Node $Node).Namespace } else { $null }
    Invoke-LabCommand -Namespace $ns -FilePath $FilePath -ArgumentList $ArgumentList -Environment $Environment -InputText $InputText -TimeoutSec $TimeoutSec -AllowFailure:$AllowFailure
}

function Invoke-KdcHaLabKadmin {
    <# .SYNOPSIS kadmin.local passthrough on the lab database, e.g. -Query 'cpw -randkey alice'. Returns stdout. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)][string[]]$Query)
    $r = Invoke-LabCommand -FilePath kadmin.local -ArgumentList '-r', $Lab.Realm -Environment (Get-LabAdminEnvironment $Lab) -InputText (($Query -join "`n") + "`nquit`n")
    Assert-KadminOutput -Result $r
    $r.StdOut
}

function Invoke-KdcHaLabKinit {
    <#
    .SYNOPSIS
    Runs a real kinit from a client namespace. Default: alice with her password, against the VIP
    (client krb5.conf); -Node uses that KDC node's own krb5.conf; -Krb5Conf any file.
    Returns ExitCode, Succeeded, TimedOut, DurationMs, Output.
    #>
    [CmdletBinding(DefaultParameterSetName = 'Vip')]
    param(
        [Parameter(Mandatory)]$Lab,
        [Parameter(ParameterSetName = 'Node', Mandatory)]$Node,
        [Parameter(ParameterSetName = 'Conf', Mandatory)][string]$Krb5Conf,
        # A client node to run in (default: the first client); -FromRootNamespace runs beside pwsh.
        $From,
        [switch]$FromRootNamespace,
        [string]$Principal,
        [string]$Password,
        [string]$Keytab,
        # Kept when given so the caller can inspect the ticket (klist -e).
        [string]$CCache,
        [double]$TimeoutSec = 30
    )
    $conf = switch ($PSCmdlet.ParameterSetName) {
        'Node' { (Resolve-LabNode -Lab $Lab -Node $Node -Role Kdc).Krb5Conf }
        'Conf' { $Krb5Conf }
        default { $Lab.ClientKrb5Conf }
    }
    $fromNode = if ($FromRootNamespace) { $null } elseif ($From) { Resolve-LabNode -Lab $Lab -Node $From } elseif ($Lab.Clients) { $Lab.Clients[0] } else { $null }
    if (-not $Principal) { $Principal = $Lab.AlicePrincipal }
    if (-not $Password -and -not $Keytab) { $Password = $Lab.AlicePassword }
    $kinitArgs = if ($Keytab) { @('-k', '-t', $Keytab, $Principal) } else { @($Principal) }
    $env = @{ KRB5_CONFIG = $conf; KRB5CCNAME = $(if ($CCache) { "FILE:$CCache" } else { 'MEMORY:kdchalab' }) }
    $ns = if ($fromNode) { $fromNode.Namespace } else { $null }
    $r = Invoke-LabCommand -Namespace $ns -FilePath kinit -ArgumentList $kinitArgs -Environment $env -InputText $(if ($Keytab) { '' } else { "$Password`n" }) -TimeoutSec $TimeoutSec -AllowFailure
    [pscustomobject]@{
        PSTypeName = 'KdcHa.LabKinit'
        Principal  = $Principal
        Krb5Conf   = $conf
        ExitCode   = $r.ExitCode
        Succeeded  = ($r.ExitCode -eq 0)
        TimedOut   = $r.TimedOut
        DurationMs = $r.DurationMs
        Output     = ($r.StdErr + $r.StdOut).Trim()
    }
}

# --------------------------------------------------------------------------------------------
# Public: KDC processes and faults
# --------------------------------------------------------------------------------------------

function Get-LabKdcKey { param($Node, [int]$Port) "$($Node.Name).krb5kdc.$Port" }

function Get-LabKdcRecord {
    param($Lab, $Node, [int]$Port)
    $key = if ($Port) { Get-LabKdcKey $Node $Port } else { "$($Node.Name).krb5kdc.*" }
    @(Get-LabPidRecord -Directory $Lab.Directory -Key $key)
}

function Wait-LabListener {
    # -Node: anything with Name and Namespace (a KDC node, a lab directory server).
    param($Lab, $Node, [int]$Port, [string]$Key, [string]$LogPath, [ValidateSet('Udp', 'Tcp')][string]$Protocol = 'Udp', [int]$TimeoutMs = 10000)
    $deadline = [DateTime]::UtcNow.AddMilliseconds($TimeoutMs)
    $listening = if ($Protocol -eq 'Udp') { '-Hlnu' } else { '-Hlnt' }
    while ([DateTime]::UtcNow -lt $deadline) {
        $ss = Invoke-LabCommand -Namespace $Node.Namespace -FilePath ss -ArgumentList $listening, "sport = :$Port" -AllowFailure
        if ($ss.StdOut -match ":$Port\s") { return }
        if (-not (Get-LabPidRecord -Directory $Lab.Directory -Key $Key).Alive) { break }
        Start-Sleep -Milliseconds 20
    }
    $tail = if (Test-Path $LogPath) { (Get-Content $LogPath -Tail 5) -join "`n" } else { '' }
    throw "$Key on $($Node.Name):$Port did not start listening.`n$tail"
}

function Start-KdcHaLabKdc {
    <#
    .SYNOPSIS
    Starts (or restarts after Stop-KdcHaLabKdc) a krb5kdc in a KDC node on -Port (default 88).
    Several ports per node are allowed; every process serves the realm's database through its own kdc.conf.
    -OwnDatabase gives the process its own copy of the database, made the way kprop feeds a replica (kdb5_util dump,
    then load): same principals and keys, but its own file and lock, as a KDC on its own host has.
    -LastSuccess says whether a successful AS exchange writes the principal's last-success time (MIT's default;
    with db2 an fsync under the database's exclusive lock) or nothing (MIT's disable_last_success and
    disable_lockout). The default is NotWritten on the shared file, Written on an own copy: KDC processes that
    share one file also share its lock, so a KDC stopped or starved mid-write would stall every other KDC of the
    lab, which KDCs on their own hosts never do (a hung kdc1 once took kdc2 down with it in CI).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node, [ValidateRange(1, 65535)][int]$Port = 88, [switch]$OwnDatabase, [ValidateSet('Written', 'NotWritten')][string]$LastSuccess = $(if ($OwnDatabase) { 'Written' } else { 'NotWritten' }))
    $n = Resolve-LabNode -Lab $Lab -Node $Node -Role Kdc
    $key = Get-LabKdcKey $n $Port
    $conf = Join-Path $n.Directory "kdc-$Port.conf"
    $log = Join-Path $n.Directory "krb5kdc-$Port.log"
    if ($OwnDatabase -and (Test-LabLdap $Lab)) { throw "-OwnDatabase copies a db2 file; this lab's database is in LDAP ($($Lab.Database))." }
    $database = if ($OwnDatabase) { Copy-LabDatabase -Lab $Lab -Directory (Join-Path $n.Directory "db-$Port") } else { $Lab.DatabasePath }
    $ldapServers = if (Test-LabLdap $Lab) { Get-LabLdapServerOrder -Lab $Lab -Node $n }
    Write-LabFile -Path $conf -Text (Get-LabKdcConfText -Lab $Lab -Port $Port -LogPath $log -DatabasePath $database -LdapServers $ldapServers -DisableLastSuccessAndLockout:($LastSuccess -eq 'NotWritten'))
    $env = @{ KRB5_CONFIG = $n.Krb5Conf; KRB5_KDC_PROFILE = $conf }
    $processId = Start-LabProcess -Lab $Lab -Key $key -Namespace $n.Namespace -FilePath krb5kdc -ArgumentList '-n', '-r', $Lab.Realm -Environment $env -LogPath (Join-Path $n.Directory "krb5kdc-$Port.out")
    Wait-LabListener -Lab $Lab -Node $n -Port $Port -Key $key -LogPath $log
    New-LabEvent -Action 'StartKdc' -Node $n.Name -Detail @{ Port = $Port; Pid = $processId; Address = $n.Address }
}

function Copy-LabDatabase {
    # A replica of the realm's database in -Directory (replaced if present); returns its database_name.
    param($Lab, [string]$Directory)
    if (Test-Path -LiteralPath $Directory) { Remove-Item -LiteralPath $Directory -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $Directory
    $dump = Join-Path $Directory 'realm.dump'
    $database = Join-Path $Directory 'principal'
    $env = Get-LabAdminEnvironment $Lab
    Invoke-LabCommand -FilePath kdb5_util -ArgumentList '-r', $Lab.Realm, 'dump', $dump -Environment $env | Out-Null
    Invoke-LabCommand -FilePath kdb5_util -ArgumentList '-r', $Lab.Realm, '-d', $database, 'load', $dump -Environment $env | Out-Null
    Remove-Item -LiteralPath $dump
    $database
}

function Send-LabKdcSignal {
    param($Lab, $Node, [int]$Port, [string]$Signal, [string]$Action)
    $n = Resolve-LabNode -Lab $Lab -Node $Node -Role Kdc
    $records = @(Get-LabKdcRecord -Lab $Lab -Node $n -Port $Port | Where-Object Alive)
    if (-not $records) { throw "No running krb5kdc on $($n.Name)$(if ($Port) { ":$Port" })." }
    $evt = New-LabEvent -Action $Action -Node $n.Name -Detail @{ Pids = $records.Pid }
    Send-LabSignal -ProcessId $records.Pid -Signal $Signal
    $evt
}

function Suspend-KdcHaLabKdc {
    <# .SYNOPSIS SIGSTOP: the KDC hangs (sockets stay open, nothing answers). Returns the fault event with MonoMs. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node, [int]$Port)
    Send-LabKdcSignal -Lab $Lab -Node $Node -Port $Port -Signal STOP -Action 'SuspendKdc'
}

function Resume-KdcHaLabKdc {
    <# .SYNOPSIS SIGCONT for a suspended KDC. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node, [int]$Port)
    Send-LabKdcSignal -Lab $Lab -Node $Node -Port $Port -Signal CONT -Action 'ResumeKdc'
}

function Stop-KdcHaLabKdc {
    <# .SYNOPSIS Kills a node's krb5kdc (all ports, or -Port). Default SIGKILL (a crash); -Signal TERM for a clean stop. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node, [int]$Port, [ValidateSet('KILL', 'TERM')][string]$Signal = 'KILL')
    $n = Resolve-LabNode -Lab $Lab -Node $Node -Role Kdc
    $records = @(Get-LabKdcRecord -Lab $Lab -Node $n -Port $Port | Where-Object Alive)
    if (-not $records) { throw "No running krb5kdc on $($n.Name)$(if ($Port) { ":$Port" })." }
    $evt = New-LabEvent -Action 'StopKdc' -Node $n.Name -Detail @{ Pids = $records.Pid; Signal = $Signal }
    foreach ($r in $records) { Stop-LabProcess -Directory $Lab.Directory -Key $r.Key -Signal $Signal }
    $evt
}

function Restart-KdcHaLabKdc {
    <#
    .SYNOPSIS
    Restarts a node's krb5kdc as systemd does: TERM, and the new process as soon as the old one has exited (a shell
    that waits for it, so the port is closed only while the old one shuts down and the new one starts). Returns the
    event with MonoMs, taken just before the TERM.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node, [ValidateRange(1, 65535)][int]$Port = 88)
    $n = Resolve-LabNode -Lab $Lab -Node $Node -Role Kdc
    $key = Get-LabKdcKey $n $Port
    $old = Get-LabPidRecord -Directory $Lab.Directory -Key $key | Where-Object Alive
    if (-not $old) { throw "No running krb5kdc on $($n.Name):$Port." }
    Remove-Item -LiteralPath $old.PidFile
    $evt = New-LabEvent -Action 'RestartKdc' -Node $n.Name -Detail @{ Pid = $old.Pid; Port = $Port }
    $env = @{ KRB5_CONFIG = $n.Krb5Conf; KRB5_KDC_PROFILE = (Join-Path $n.Directory "kdc-$Port.conf") }
    $restart = 'kill -TERM $0; while kill -0 $0 2>/dev/null; do sleep 0.001; done; exec krb5kdc -n -r "$1"'
    $null = Start-LabProcess -Lab $Lab -Key $key -Namespace $n.Namespace -FilePath /bin/sh -ArgumentList '-c', $restart, $old.Pid, $Lab.Realm -Environment $env -LogPath (Join-Path $n.Directory "krb5kdc-$Port.out")
    Wait-LabListener -Lab $Lab -Node $n -Port $Port -Key $key -LogPath (Join-Path $n.Directory "krb5kdc-$Port.log")
    $evt
}

function Get-LabCpuGroup { param([Parameter(Mandatory)][string]$Id) "/sys/fs/cgroup/cpu/$($script:Prefix)-$Id" }

function Remove-LabCpuGroup {
    param([Parameter(Mandatory)][string]$Id)
    $group = Get-LabCpuGroup -Id $Id
    if (-not (Test-Path -LiteralPath $group)) { return }
    foreach ($task in Get-Content -LiteralPath "$group/tasks") {
        try { Set-Content -LiteralPath /sys/fs/cgroup/cpu/tasks -Value $task } catch [System.IO.IOException] { <# it exited meanwhile #> }
    }
    # A cgroup directory is removed with rmdir(2) alone, its control files and all.
    [IO.Directory]::Delete($group)
}

function Set-KdcHaLabCpuQuota {
    <#
    .SYNOPSIS
    Holds a node's krb5kdc (every port) to -Percent of one core with a cgroup v1 CFS quota in -PeriodMilliseconds
    periods: it still answers, slowly (a request that finds the quota spent waits for the next period), as a KDC
    starved by its neighbours on a shared host does. -Percent 0 lifts the quota. The group is the lab's own and goes
    with Remove-KdcHaLab.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node, [Parameter(Mandatory)][ValidateRange(0, 100)][double]$Percent,
        [ValidateRange(1, 1000)][int]$PeriodMilliseconds = 200)
    if ($Percent -eq 0) { Remove-LabCpuGroup -Id $Lab.Id; return }
    $n = Resolve-LabNode -Lab $Lab -Node $Node -Role Kdc
    $records = @(Get-LabKdcRecord -Lab $Lab -Node $n | Where-Object Alive)
    if (-not $records) { throw "No running krb5kdc on $($n.Name)." }
    $group = Get-LabCpuGroup -Id $Lab.Id
    $null = New-Item -ItemType Directory -Force -Path $group
    Set-Content -LiteralPath "$group/cpu.cfs_period_us" -Value (1000 * $PeriodMilliseconds)
    # The kernel's smallest quota is 1 ms.
    Set-Content -LiteralPath "$group/cpu.cfs_quota_us" -Value ([Math]::Max(1000, [int](10 * $PeriodMilliseconds * $Percent)))
    foreach ($r in $records) { Set-Content -LiteralPath "$group/tasks" -Value $r.Pid }
}

# --------------------------------------------------------------------------------------------
# Public: network faults
# --------------------------------------------------------------------------------------------

function Invoke-LabNft {
    param([string]$Namespace, [string]$Script, [switch]$AllowFailure)
    Invoke-LabCommand -Namespace $Namespace -FilePath nft -ArgumentList '-f', '-' -InputText $Script -AllowFailure:$AllowFailure
}

function Test-KdcHaLabNetemSupport {
    <# .SYNOPSIS Whether this kernel has sch_netem (some VM kernels do not); probed once in a lab namespace. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab)
    if ($null -eq $script:NetemSupported) {
        $ns = $Lab.Kdcs[0].Namespace
        $r = Invoke-LabCommand -Namespace $ns -FilePath tc -ArgumentList 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms' -AllowFailure
        $script:NetemSupported = ($r.ExitCode -eq 0)
        if ($script:NetemSupported) { Invoke-LabCommand -Namespace $ns -FilePath tc -ArgumentList 'qdisc', 'del', 'dev', 'lo', 'root' -AllowFailure | Out-Null }
    }
    $script:NetemSupported
}

function Set-KdcHaLabNetem {
    <#
    .SYNOPSIS
    Degrades everything a node sends (egress of its interface): tc netem delay/jitter/loss.
    Without sch_netem in the kernel, loss falls back to an nftables random drop and delay is refused.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node,
        [ValidateRange(0, 60000)][int]$DelayMs = 0, [ValidateRange(0, 60000)][int]$JitterMs = 0,
        [ValidateRange(0, 100)][int]$LossPercent = 0
    )
    $n = Resolve-LabNode -Lab $Lab -Node $Node
    Clear-KdcHaLabNetem -Lab $Lab -Node $n
    if (Test-KdcHaLabNetemSupport -Lab $Lab) {
        $tcArgs = @('qdisc', 'replace', 'dev', $n.Interface, 'root', 'netem')
        if ($DelayMs) { $tcArgs += @('delay', "$($DelayMs)ms") }
        if ($DelayMs -and $JitterMs) { $tcArgs += "$($JitterMs)ms" }
        if ($LossPercent) { $tcArgs += @('loss', "$LossPercent%") }
        Invoke-LabCommand -Namespace $n.Namespace -FilePath tc -ArgumentList $tcArgs | Out-Null
    } else {
        if ($DelayMs -or $JitterMs) { throw 'This kernel has no sch_netem: delay cannot be injected here (loss can; it uses nftables).' }
        # numgen's range is 0-99, so 100% is a plain drop.
        $drop = if ($LossPercent -ge 100) { 'drop' } else { "numgen random mod 100 < $LossPercent drop" }
        Invoke-LabNft -Namespace $n.Namespace -Script @"
table inet kdchalab_netem {
    chain egress {
        type filter hook output priority 0; policy accept;
        oifname "$($n.Interface)" $drop
    }
}
"@ | Out-Null
    }
    New-LabEvent -Action 'SetNetem' -Node $n.Name -Detail @{ DelayMs = $DelayMs; JitterMs = $JitterMs; LossPercent = $LossPercent }
}

function Clear-KdcHaLabNetem {
    <# .SYNOPSIS Removes delay/loss from a node (both the netem qdisc and the nftables fallback). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node)
    $n = Resolve-LabNode -Lab $Lab -Node $Node
    Invoke-LabCommand -Namespace $n.Namespace -FilePath tc -ArgumentList 'qdisc', 'del', 'dev', $n.Interface, 'root' -AllowFailure | Out-Null
    Invoke-LabNft -Namespace $n.Namespace -Script "delete table inet kdchalab_netem`n" -AllowFailure | Out-Null
}

function Set-KdcHaLabPartition {
    <#
    .SYNOPSIS
    Drops traffic between node sets: -Protocol Vrrp (IP proto 112 only) or All; both directions
    unless -OneWay (then only From -> To). Rules sit at the receiver's input and match the
    sender's own addresses: its IPv4 address and its IPv6 link-local address, which are also the
    sources of its VRRP adverts (IPv4, and VRRPv3 over IPv6).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]$Lab, [Parameter(Mandatory)][object[]]$From, [Parameter(Mandatory)][object[]]$To,
        [ValidateSet('Vrrp', 'All')][string]$Protocol = 'Vrrp', [switch]$OneWay
    )
    $fromNodes = @($From | ForEach-Object { Resolve-LabNode -Lab $Lab -Node $_ })
    $toNodes = @($To | ForEach-Object { Resolve-LabNode -Lab $Lab -Node $_ })
    $pairs = @(foreach ($f in $fromNodes) { foreach ($t in $toNodes) { , @($f, $t); if (-not $OneWay) { , @($t, $f) } } })
    $match = if ($Protocol -eq 'Vrrp') { ' meta l4proto vrrp' } else { '' }
    foreach ($group in ($pairs | Group-Object { $_[1].Name })) {
        $receiver = $group.Group[0][1]
        $rules = ($group.Group | ForEach-Object {
                "add rule inet kdchalab_partition input ip saddr $($_[0].Address)$match drop"
                "add rule inet kdchalab_partition input ip6 saddr $(Get-KdcHaLabLinkLocalAddress -Lab $Lab -Node $_[0])$match drop"
            }) -join "`n"
        Invoke-LabNft -Namespace $receiver.Namespace -Script @"
table inet kdchalab_partition {
    chain input {
        type filter hook input priority 0; policy accept;
    }
}
$rules
"@ | Out-Null
    }
    New-LabEvent -Action 'SetPartition' -Node ($fromNodes.Name -join ',') -Detail @{ To = $toNodes.Name; Protocol = $Protocol; OneWay = [bool]$OneWay }
}

function Get-KdcHaLabLinkLocalAddress {
    <# .SYNOPSIS A node's IPv6 link-local address on its lab interface (the source of its VRRPv3 IPv6 adverts). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node)
    $n = Resolve-LabNode -Lab $Lab -Node $Node
    $shown = Invoke-LabCommand -FilePath ip -ArgumentList '-n', $n.Namespace, '-j', '-6', 'addr', 'show', 'dev', $n.Interface, 'scope', 'link'
    # ip -j prints an empty object for each address its filter skipped.
    $address = @(($shown.StdOut | ConvertFrom-Json).addr_info | Where-Object { $_.PSObject.Properties['local'] } | Select-Object -First 1)
    if (-not $address) { throw "$($n.Name) has no IPv6 link-local address on $($n.Interface)." }
    $address[0].local
}

function Clear-KdcHaLabPartition {
    <# .SYNOPSIS Removes all partition rules (every node, or -Node). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [object[]]$Node)
    $nodes = if ($Node) { $Node | ForEach-Object { Resolve-LabNode -Lab $Lab -Node $_ } } else { @($Lab.Kdcs) + @($Lab.Clients) }
    foreach ($n in $nodes) { Invoke-LabNft -Namespace $n.Namespace -Script "delete table inet kdchalab_partition`n" -AllowFailure | Out-Null }
    New-LabEvent -Action 'ClearPartition' -Node (@($nodes).Name -join ',')
}

# --------------------------------------------------------------------------------------------
# Public: keepalived
# --------------------------------------------------------------------------------------------

function Get-KdcHaLabHealthCommand {
    <# .SYNOPSIS The seed health check for a node: kinit with its keytab through its own krb5.conf (no shell needed). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node)
    $n = Resolve-LabNode -Lab $Lab -Node $Node -Role Kdc
    # keepalived execs scripts without a shell, so env(1) sets the per-node krb5.conf.
    "/usr/bin/env KRB5_CONFIG=$($n.Krb5Conf) KRB5CCNAME=MEMORY:health /usr/bin/kinit -k -t $($n.HealthKeytab) $($n.HealthPrincipal)@$($Lab.Realm)"
}

function New-KdcHaLabKeepalivedConfig {
    <#
    .SYNOPSIS
    keepalived.conf text for one KDC node: one VRRP instance holding the lab VIP on the node's interface.
    -TrackScript takes hashtables (Name, Script, Interval, Timeout, Fall, Rise, Weight, ...) rendered as
    vrrp_script blocks and tracked by the instance.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node,
        [Parameter(Mandatory)][ValidateRange(1, 255)][int]$Priority,
        [ValidateSet('MASTER', 'BACKUP')][string]$State = 'BACKUP',
        [ValidateRange(1, 255)][int]$VirtualRouterId = 51,
        [double]$AdvertInt = 1,
        [ValidateSet(2, 3)][int]$VrrpVersion = 2,
        [hashtable[]]$TrackScript,
        [switch]$NoPreempt,
        [string[]]$ExtraGlobalDefs,
        [string[]]$ExtraInstanceLines
    )
    $n = Resolve-LabNode -Lab $Lab -Node $Node -Role Kdc
    $scripts = foreach ($s in $TrackScript) {
        $body = foreach ($k in ($s.Keys | Where-Object { $_ -ne 'Name' } | Sort-Object)) {
            $v = $s[$k]
            if ($k -eq 'Script') { "    script `"$v`"" } else { "    $($k.ToLowerInvariant()) $v" }
        }
        "vrrp_script $($s.Name) {`n$($body -join "`n")`n}`n"
    }
    $track = if ($TrackScript) { "    track_script {`n$(($TrackScript | ForEach-Object { "        $($_.Name)" }) -join "`n")`n    }`n" } else { '' }
    $extraGlobal = ($ExtraGlobalDefs | ForEach-Object { "    $_`n" }) -join ''
    $extraInst = ($ExtraInstanceLines | ForEach-Object { "    $_`n" }) -join ''
    @"
global_defs {
    router_id $($n.Name)
    # Several keepalived share this host: keep everything they write inside the lab.
    notify_fifo $($n.NotifyFifo)
    script_user root
    enable_script_security
    vrrp_version $VrrpVersion
$extraGlobal}

$($scripts -join "`n")
vrrp_instance KDC_VIP {
    state $State
    interface $($n.Interface)
    virtual_router_id $VirtualRouterId
    priority $Priority
    advert_int $AdvertInt
$(if ($NoPreempt) { "    nopreempt`n" })    virtual_ipaddress {
        $($Lab.Vip)/32 dev $($n.Interface)
    }
$track$extraInst}
"@
}

function New-KdcHaLabMaintenanceKeepalivedConfig {
    <#
    .SYNOPSIS
    keepalived.conf text for a KDC node whose instance KDC_VIP tracks the KdcHa maintenance file
    (track_file kdcha_maint_KDC_VIP, weight -253, init_file), so Move-KdcVip can demote the node.
    VRRPv3 with advert_int 0.1 s unless told otherwise. The file lives in <node dir>/maintenance/KDC_VIP.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node,
        [Parameter(Mandatory)][ValidateRange(1, 255)][int]$Priority,
        [double]$AdvertInt = 0.1,
        [ValidateSet(2, 3)][int]$VrrpVersion = 3
    )
    $n = Resolve-LabNode -Lab $Lab -Node $Node -Role Kdc
    $maintenance = Join-Path $n.Directory 'maintenance/KDC_VIP'
    [void](New-Item -ItemType Directory -Force -Path (Split-Path $maintenance))
    New-KdcHaLabKeepalivedConfig -Lab $Lab -Node $n -Priority $Priority -AdvertInt $AdvertInt -VrrpVersion $VrrpVersion `
        -ExtraGlobalDefs "}`ntrack_file kdcha_maint_KDC_VIP {`n    file $maintenance`n    weight -253`n    init_file`n" `
        -ExtraInstanceLines 'track_file {', '    kdcha_maint_KDC_VIP', '}'
}

function Invoke-KdcHaLabPwsh {
    <#
    .SYNOPSIS
    Runs a PowerShell command in a fresh non-interactive pwsh inside a node's namespace, as an operator
    would run a KdcHa cmdlet there. Returns ExitCode, StdOut, StdErr (like Invoke-KdcHaLabCommand).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node, [Parameter(Mandatory)][string]$Command, [double]$TimeoutSec = 60)
    # Under `dotnet pwsh` the process is dotnet itself, which needs pwsh.dll as its first argument.
    $pwshPath = [Environment]::ProcessPath
    $prefix = @(if ((Split-Path -Leaf $pwshPath) -match '^dotnet') { Join-Path $PSHOME 'pwsh.dll' })
    Invoke-KdcHaLabCommand -Lab $Lab -Node $Node -FilePath $pwshPath -ArgumentList ($prefix + @('-NoProfile', '-NonInteractive', '-Command', $Command)) -TimeoutSec $TimeoutSec -AllowFailure
}

function Start-KdcHaLabKeepalived {
    <#
    .SYNOPSIS
    Starts real keepalived (VRRP only, foreground, own pid files) in a KDC node from config text.
    The text is syntax-checked first (keepalived -t) so a bad config fails here, not silently later.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node, [Parameter(Mandatory)][string]$ConfigText,
        # Extra environment, e.g. TMPDIR (where keepalived writes its JSON and .data dumps) or DBUS_SYSTEM_BUS_ADDRESS.
        [hashtable]$Environment
    )
    $n = Resolve-LabNode -Lab $Lab -Node $Node -Role Kdc
    Write-LabFile -Path $n.KeepalivedConfig -Text $ConfigText
    $check = Invoke-LabCommand -Namespace $n.Namespace -FilePath keepalived -ArgumentList '-t', '-f', $n.KeepalivedConfig -AllowFailure
    if ($check.ExitCode -ne 0) { throw "keepalived rejected the config for $($n.Name):`n$($check.StdErr)$($check.StdOut)" }
    # --dont-respawn: a killed VRRP child ends keepalived (the parent reaps it) instead of a silent restart.
    $kaArgs = @('--dont-fork', '--dont-respawn', '--log-console', '--log-detail', '--no-syslog', '--vrrp',
        '-f', $n.KeepalivedConfig, '-p', $n.KeepalivedPidFile, '-r', $n.VrrpPidFile)
    $processId = Start-LabProcess -Lab $Lab -Key "$($n.Name).keepalived" -Namespace $n.Namespace -FilePath keepalived -ArgumentList $kaArgs -Environment $Environment -LogPath $n.KeepalivedLog
    New-LabEvent -Action 'StartKeepalived' -Node $n.Name -Detail @{ Pid = $processId }
}

function Stop-KdcHaLabKeepalived {
    <#
    .SYNOPSIS
    Stops keepalived on a node. TERM (default) is a clean stop: it drops the VIP and sends a
    priority-0 advert. KILL leaves the VIP configured on the interface, like a crashed daemon.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node, [ValidateSet('TERM', 'KILL')][string]$Signal = 'TERM')
    $n = Resolve-LabNode -Lab $Lab -Node $Node -Role Kdc
    $key = "$($n.Name).keepalived"
    $rec = Get-LabPidRecord -Directory $Lab.Directory -Key $key
    if (-not ($rec -and $rec.Alive)) { throw "keepalived is not running on $($n.Name)." }
    $evt = New-LabEvent -Action 'StopKeepalived' -Node $n.Name -Detail @{ Pid = $rec.Pid; Signal = $Signal }
    if ($Signal -eq 'KILL') {
        # Kill the VRRP child, which holds the VIP: it dies without cleaning up, and the parent
        # (--dont-respawn) reaps it and exits. Killing the parent instead would orphan the child.
        $vrrpPid = if (Test-Path $n.VrrpPidFile) { [int](Get-Content -Raw $n.VrrpPidFile).Trim() } else { $rec.Pid }
        Send-LabSignal -ProcessId $vrrpPid -Signal KILL
        [void](Wait-LabProcessExit -Directory $Lab.Directory -Key $key -TimeoutMs 3000)
    }
    Stop-LabProcess -Directory $Lab.Directory -Key $key -Signal TERM
    $evt
}

function Start-KdcHaLabDBus {
    <#
    .SYNOPSIS
    Starts a private dbus-daemon for the lab and returns its address (the machine's own system bus is never used).
    Give it to keepalived (enable_dbus) as DBUS_SYSTEM_BUS_ADDRESS in -Environment: the socket is a path, so every
    node's namespace reaches it, where an abstract socket would be private to one network namespace. The policy
    lets root own any name, so each node's keepalived can take its own dbus_service_name. Remove-KdcHaLab stops it.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab)
    $directory = Join-Path $Lab.Directory 'dbus'
    [void](New-Item -ItemType Directory -Force -Path $directory)
    $socket = Join-Path $directory 'system_bus_socket'
    $config = Join-Path $directory 'bus.conf'
    Write-LabFile -Path $config -Text @"
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
  <policy user="root">
    <allow own="*"/>
  </policy>
</busconfig>
"@
    $processId = Start-LabProcess -Lab $Lab -Key 'dbus' -FilePath dbus-daemon -ArgumentList '--nofork', '--nopidfile', "--config-file=$config" -LogPath (Join-Path $directory 'dbus.log')
    $deadline = [DateTime]::UtcNow.AddSeconds(5)
    while (-not (Test-Path $socket)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "dbus-daemon did not create $socket; see $directory/dbus.log" }
        Start-Sleep -Milliseconds 10
    }
    New-LabEvent -Action 'StartDBus' -Node '' -Detail @{ Pid = $processId } | Out-Null
    "unix:path=$socket"
}

function Start-KdcHaLabDns {
    <#
    .SYNOPSIS
    Starts a dnsmasq in a node's namespace, on that namespace's own loopback (127.0.0.1:53), answering for -Domain only
    from the -Option records it is given (dnsmasq options such as --srv-host, --host-record, --cname), and makes it
    the namespace's resolver: ip netns exec binds /etc/netns/<namespace>/resolv.conf over /etc/resolv.conf for every
    program the lab runs there. Names outside -Domain get REFUSED, never a forward. Remove-KdcHaLab removes both.
    Returns the pid.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node, [Parameter(Mandatory)][string]$Domain, [string[]]$Option = @())
    $n = Resolve-LabNode -Lab $Lab -Node $Node
    $etc = Join-Path '/etc/netns' $n.Namespace
    [void](New-Item -ItemType Directory -Force -Path $etc)
    Write-LabFile -Path (Join-Path $etc 'resolv.conf') -Text "nameserver 127.0.0.1`noptions timeout:1 attempts:1`n"
    $arguments = @('--keep-in-foreground', '--no-resolv', '--no-hosts', '--conf-file=/dev/null', '--pid-file=', '--user=root',
        '--bind-interfaces', '--listen-address=127.0.0.1', '--port=53', '--log-facility=-', "--local=/$Domain/") + $Option
    $processId = Start-LabProcess -Lab $Lab -Key "$($n.Name).dns" -Namespace $n.Namespace -FilePath dnsmasq -ArgumentList $arguments -LogPath (Join-Path $n.Directory 'dnsmasq.log')
    $deadline = [DateTime]::UtcNow.AddSeconds(5)
    while (-not ((Invoke-LabCommand -Namespace $n.Namespace -FilePath ss -ArgumentList '-Hlnu', 'sport', '=', ':53' -AllowFailure).StdOut.Trim())) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "dnsmasq did not listen on 127.0.0.1:53 in $($n.Namespace); see $($n.Directory)/dnsmasq.log" }
        Start-Sleep -Milliseconds 20
    }
    $processId
}

function Suspend-KdcHaLabDns {
    <# .SYNOPSIS SIGSTOP (or -Resume: SIGCONT) for a node's dnsmasq: a DNS server that takes queries and never answers. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node, [switch]$Resume)
    $n = Resolve-LabNode -Lab $Lab -Node $Node
    $record = Get-LabPidRecord -Directory $Lab.Directory -Key "$($n.Name).dns" | Where-Object Alive
    if (-not $record) { throw "No dnsmasq runs on $($n.Name)." }
    Send-LabSignal -ProcessId $record.Pid -Signal $(if ($Resume) { 'CONT' } else { 'STOP' })
}

# --------------------------------------------------------------------------------------------
# Public: the KdcHa monitor (Start-KdcHaMonitor) on a node
# --------------------------------------------------------------------------------------------

function Get-KdcHaLabMonitorStateDirectory {
    <# .SYNOPSIS A KDC node's KdcHa state directory (fault file, heartbeat, status.json) inside the lab. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node)
    Join-Path (Resolve-LabNode -Lab $Lab -Node $Node -Role Kdc).Directory 'kdcha'
}

function New-KdcHaLabMonitorKeepalivedConfig {
    <#
    .SYNOPSIS
    keepalived.conf for a KDC node written by the module under test (New-KdcHaKeepalivedConfig), with the
    node's own state directory and notify FIFO so several nodes can share this host. Extra parameters of
    New-KdcHaKeepalivedConfig go in -Parameter.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node, [Parameter(Mandatory)][string]$ModulePath,
        [Parameter(Mandatory)][int]$Priority, [hashtable]$Parameter = @{}
    )
    $n = Resolve-LabNode -Lab $Lab -Node $Node -Role Kdc
    $stateDirectory = Get-KdcHaLabMonitorStateDirectory -Lab $Lab -Node $n
    [void](New-Item -ItemType Directory -Force -Path $stateDirectory)
    $splat = @{
        Interface = $n.Interface; VirtualAddress = $Lab.Vip; Priority = $Priority; RouterId = $n.Name
        StateDirectory = $stateDirectory; NotifyFifo = $n.NotifyFifo
    }
    foreach ($key in $Parameter.Keys) { $splat[$key] = $Parameter[$key] }
    # The module runs in a child pwsh, as in production, so the lab never loads the assembly under test.
    $script = 'Import-Module $env:KDCHA_LAB_MODULE; $p = $env:KDCHA_LAB_PARAMETERS | ConvertFrom-Json -AsHashtable; New-KdcHaKeepalivedConfig @p'
    $r = Invoke-LabCommand -FilePath ([Environment]::ProcessPath) -ArgumentList "$PSHOME/pwsh.dll", '-NoProfile', '-NonInteractive', '-Command', $script `
        -Environment @{ KDCHA_LAB_MODULE = $ModulePath; KDCHA_LAB_PARAMETERS = ($splat | ConvertTo-Json -Compress) }
    $r.StdOut
}

function Start-KdcHaLabMonitor {
    <#
    .SYNOPSIS
    Starts Start-KdcHaMonitor from the built module inside a KDC node's namespace, in its own pwsh (as
    systemd would run it, with the Environment= settings of the shipped unit), probing the node's KDC and every other KDC node with the node's health keytab,
    reading the node's keepalived notify FIFO and listening for split brains on the node's interface.
    Events are written as JSON lines to the node's monitor log (Get-KdcHaLabMonitorEvent). Extra
    Start-KdcHaMonitor parameters go in -Parameter. -WithoutServiceEnvironment leaves out the unit's
    Environment= settings, to measure what they change.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node, [Parameter(Mandatory)][string]$ModulePath, [hashtable]$Parameter = @{}, [switch]$WithoutServiceEnvironment)
    $n = Resolve-LabNode -Lab $Lab -Node $Node -Role Kdc
    $splat = @{
        Node = $n.Name; LocalKdc = $n.Address; PeerKdc = @($Lab.Kdcs | Where-Object Name -NE $n.Name | ForEach-Object Address)
        Keytab = $n.HealthKeytab; Principal = "$($n.HealthPrincipal)@$($Lab.Realm)"
        StateDirectory = (Get-KdcHaLabMonitorStateDirectory -Lab $Lab -Node $n)
        NotifyFifo = $n.NotifyFifo; VrrpInterface = $n.Interface; KeepalivedPidFile = $n.KeepalivedPidFile
    }
    # -Parameter may also replace the lab's own choices (another keytab and principal, another process name).
    foreach ($key in $Parameter.Keys) { $splat[$key] = $Parameter[$key] }
    $log = Join-Path $n.Directory 'monitor.jsonl'
    # Arguments after -Command would be joined into the command text, so the values travel in the environment.
    $script = '$ErrorActionPreference = "Stop"; Import-Module $env:KDCHA_LAB_MODULE; $p = $env:KDCHA_LAB_PARAMETERS | ConvertFrom-Json -AsHashtable; ' +
        'if ($p.Duration) { $p.Duration = [TimeSpan]::Parse($p.Duration) }; ' +
        'Start-KdcHaMonitor @p -Confirm:$false | ForEach-Object { $_ | Add-Member -NotePropertyName Class -NotePropertyValue $_.GetType().Name -PassThru | ConvertTo-Json -Compress -Depth 3 }'
    $environment = $(if ($WithoutServiceEnvironment) { @{} } else { Get-LabMonitorServiceEnvironment }) + @{ KDCHA_LAB_MODULE = $ModulePath; KDCHA_LAB_PARAMETERS = ($splat | ConvertTo-Json -Compress) }
    $processId = Start-LabProcess -Lab $Lab -Key "$($n.Name).monitor" -Namespace $n.Namespace -FilePath ([Environment]::ProcessPath) `
        -ArgumentList "$PSHOME/pwsh.dll", '-NoProfile', '-NonInteractive', '-Command', $script -LogPath $log -Environment $environment
    New-LabEvent -Action 'StartMonitor' -Node $n.Name -Detail @{ Pid = $processId; Log = $log }
}

function Get-LabMonitorServiceEnvironment {
    # The Environment= lines of the systemd unit KdcHa ships, so a lab monitor runs the way a deployed one does.
    $unit = Join-Path $PSScriptRoot '../../build/systemd/kdcha-monitor@.service'
    $environment = @{}
    foreach ($line in [IO.File]::ReadAllLines($unit)) {
        if ($line -match '^Environment=([A-Za-z_][A-Za-z0-9_]*)=(.*)$') { $environment[$Matches[1]] = $Matches[2] }
    }
    $environment
}

function Wait-KdcHaLabMonitor {
    <#
    .SYNOPSIS
    Waits until a node's running monitor has written a Running status with a verdict on every KDC; returns the status.
    A status left by a killed monitor still says Running: only one written by the live monitor process counts, the
    lab's own (Start-KdcHaLabMonitor) or -ProcessId for a monitor started otherwise.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node, [double]$TimeoutSec = 30, [int]$ProcessId)
    $n = Resolve-LabNode -Lab $Lab -Node $Node -Role Kdc
    $path = Join-Path (Get-KdcHaLabMonitorStateDirectory -Lab $Lab -Node $n) 'status.json'
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    do {
        $live = if ($ProcessId) { $ProcessId } else { (Get-LabPidRecord -Directory $Lab.Directory -Key "$($n.Name).monitor" | Where-Object Alive).Pid }
        $status = try { Get-Content -Raw $path -ErrorAction Stop | ConvertFrom-Json } catch { $null }
        if ($live -and $status -and $status.ProcessId -eq $live -and $status.State -eq 'Running' -and -not @($status.Kdcs | Where-Object State -EQ 'Unknown')) { return $status }
        Start-Sleep -Milliseconds 100
    } while ([DateTime]::UtcNow -lt $deadline)
    throw "The monitor on $($n.Name) did not report every KDC within $TimeoutSec s. Log: $(Get-Content -Raw (Join-Path $n.Directory 'monitor.jsonl') -ErrorAction SilentlyContinue)"
}

function Get-KdcHaLabMonitorEvent {
    <# .SYNOPSIS The events a node's monitor wrote so far (JSON lines; Class is the .NET type name). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node)
    $log = Join-Path (Resolve-LabNode -Lab $Lab -Node $Node -Role Kdc).Directory 'monitor.jsonl'
    if (-not (Test-Path $log)) { return }
    foreach ($line in [IO.File]::ReadAllLines($log)) { if ($line.StartsWith('{')) { $line | ConvertFrom-Json } }
}

function Stop-KdcHaLabMonitor {
    <#
    .SYNOPSIS
    Signals a node's monitor: TERM (default; a clean stop, as systemd does), KILL (a crash), STOP (a stall)
    or CONT. TERM and KILL wait for the exit; returns the event with MonoMs.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node, [ValidateSet('TERM', 'KILL', 'STOP', 'CONT')][string]$Signal = 'TERM', [int]$TimeoutMs = 10000)
    $n = Resolve-LabNode -Lab $Lab -Node $Node -Role Kdc
    $key = "$($n.Name).monitor"
    $rec = Get-LabPidRecord -Directory $Lab.Directory -Key $key
    if (-not ($rec -and $rec.Alive)) { throw "No monitor is running on $($n.Name)." }
    $evt = New-LabEvent -Action 'SignalMonitor' -Node $n.Name -Detail @{ Pid = $rec.Pid; Signal = $Signal; Exited = $false }
    Send-LabSignal -ProcessId $rec.Pid -Signal $Signal
    if ($Signal -in 'TERM', 'KILL') { $evt.Exited = Wait-LabProcessExit -Directory $Lab.Directory -Key $key -TimeoutMs $TimeoutMs }
    $evt
}

function Restore-KdcHaLabMonitoredPair {
    <#
    .SYNOPSIS
    Brings every KDC node back to a settled, healthy state after a fault: krb5kdc running (resumed or
    restarted), a monitor running on each node that sees every KDC up, keepalived on each node finding its
    heartbeat fresh again, and -Holder alone holding the VIP.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)][string]$ModulePath, [string]$Holder = 'kdc1', [double]$TimeoutSec = 30,
        # Extra Start-KdcHaMonitor parameters for a monitor this starts (Start-KdcHaLabMonitor -Parameter).
        [hashtable]$MonitorParameter = @{})
    foreach ($n in $Lab.Kdcs) {
        $kdc = Get-LabPidRecord -Directory $Lab.Directory -Key "$($n.Name).krb5kdc.88"
        if (-not ($kdc -and $kdc.Alive)) { $null = Start-KdcHaLabKdc -Lab $Lab -Node $n } elseif ($kdc.Stopped) { $null = Resume-KdcHaLabKdc -Lab $Lab -Node $n }
        $monitor = Get-LabPidRecord -Directory $Lab.Directory -Key "$($n.Name).monitor"
        if (-not ($monitor -and $monitor.Alive)) { $null = Start-KdcHaLabMonitor -Lab $Lab -Node $n -ModulePath $ModulePath -Parameter $MonitorParameter }
        elseif ($monitor.Stopped) { Send-LabSignal -ProcessId $monitor.Pid -Signal CONT }
    }
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    foreach ($n in $Lab.Kdcs) {
        while ((Wait-KdcHaLabMonitor -Lab $Lab -Node $n -TimeoutSec $TimeoutSec).Kdcs.State -contains 'Down') {
            if ([DateTime]::UtcNow -gt $deadline) { throw "The monitor on $($n.Name) still sees a KDC down after $TimeoutSec s." }
            Start-Sleep -Milliseconds 100
        }
    }
    # keepalived takes back the weight a stale heartbeat cost only after a whole passing check (up to about 2 s after
    # the monitor's first round); until then a node whose check passed first outranks the others and takes the VIP.
    foreach ($n in $Lab.Kdcs) {
        while ((Select-String -LiteralPath $n.KeepalivedLog -Pattern 'VRRP_Script\(kdcha_monitor_alive\) (succeeded|failed)' | Select-Object -Last 1).Line -match 'failed') {
            if ([DateTime]::UtcNow -gt $deadline) { throw "keepalived on $($n.Name) still finds the monitor's heartbeat stale after $TimeoutSec s." }
            Start-Sleep -Milliseconds 100
        }
    }
    $null = Wait-KdcHaLabVip -Lab $Lab -Node $Holder -TimeoutSec 15
    Start-Sleep -Milliseconds 1500
    $null = Wait-KdcHaLabVip -Lab $Lab -Node $Holder -TimeoutSec 5
}

function New-KdcHaLabMonitoredPair {
    <#
    .SYNOPSIS
    A lab of two KDC nodes (kdc1 priority 200, kdc2 100) with keepalived configured by the module under test
    (New-KdcHaKeepalivedConfig; extra parameters in -Parameter), a VIP watcher and a monitor on each node (extra
    Start-KdcHaMonitor parameters in -MonitorParameter), settled with kdc1 holding the VIP. Returns the lab; pair with Remove-KdcHaLab.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][string]$ModulePath, [ValidateRange(0, 8)][int]$ClientCount = 1, [hashtable]$Parameter = @{},
        # Where the realm lives, as New-KdcHaLab -Database takes it.
        [ValidateSet('File', 'Ldap', 'LdapPerNode')][string]$Database = 'File',
        # Extra Start-KdcHaMonitor parameters for both monitors (pass the same to Restore-KdcHaLabMonitoredPair).
        [hashtable]$MonitorParameter = @{})
    $lab = New-KdcHaLab -KdcCount 2 -ClientCount $ClientCount -Database $Database
    try {
        foreach ($n in $lab.Kdcs) {
            $config = New-KdcHaLabMonitorKeepalivedConfig -Lab $lab -Node $n -ModulePath $ModulePath -Priority @{ kdc1 = 200; kdc2 = 100 }[$n.Name] -Parameter $Parameter
            $null = Start-KdcHaLabKeepalived -Lab $lab -Node $n -ConfigText $config
        }
        $null = Start-KdcHaLabVipWatcher -Lab $lab
        Restore-KdcHaLabMonitoredPair -Lab $lab -ModulePath $ModulePath -MonitorParameter $MonitorParameter
    } catch {
        Remove-KdcHaLab -Lab $lab
        throw
    }
    $lab
}

function New-KdcHaLabActiveActive {
    <#
    .SYNOPSIS
    A lab of -NodeCount KDC nodes, all serving at once, each behind its own VIP: keepalived from the module under test
    (New-KdcHaKeepalivedConfig -VirtualAddress <every VIP> -ActiveActiveNode n), so node n is the primary of
    instance n (VIP n, $Lab.Vips[n-1]) and a backup of the others; a VIP watcher per VIP and a monitor on each node,
    settled with every node holding its own VIP. Returns the lab; pair with Remove-KdcHaLab.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][string]$ModulePath, [ValidateRange(2, 3)][int]$NodeCount = 2, [ValidateRange(0, 8)][int]$ClientCount = 1)
    $lab = New-KdcHaLab -KdcCount $NodeCount -ClientCount $ClientCount
    try {
        for ($i = 0; $i -lt $NodeCount; $i++) {
            $n = $lab.Kdcs[$i]
            $config = New-KdcHaLabMonitorKeepalivedConfig -Lab $lab -Node $n -ModulePath $ModulePath -Priority 200 -Parameter @{ VirtualAddress = $lab.Vips; ActiveActiveNode = $i + 1 }
            $null = Start-KdcHaLabKeepalived -Lab $lab -Node $n -ConfigText $config
        }
        foreach ($vip in $lab.Vips) { $null = Start-KdcHaLabVipWatcher -Lab $lab -Vip $vip }
        Restore-KdcHaLabActiveActive -Lab $lab -ModulePath $ModulePath
    } catch {
        Remove-KdcHaLab -Lab $lab
        throw
    }
    $lab
}

function Restore-KdcHaLabActiveActive {
    <# .SYNOPSIS Restore-KdcHaLabMonitoredPair for an active-active lab: every node settled, healthy, holding its own VIP. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)][string]$ModulePath, [double]$TimeoutSec = 30)
    Restore-KdcHaLabMonitoredPair -Lab $Lab -ModulePath $ModulePath -Holder $Lab.Kdcs[0].Name -TimeoutSec $TimeoutSec
    for ($i = 1; $i -lt $Lab.Kdcs.Count; $i++) { $null = Wait-KdcHaLabVip -Lab $Lab -Node $Lab.Kdcs[$i].Name -Vip $Lab.Vips[$i] -TimeoutSec 15 }
}

function Wait-KdcHaLabVipMove {
    <#
    .SYNOPSIS
    The first watcher record at or after -SinceMonoMs where -Node alone holds the VIP. On timeout it throws, with
    each node's state, or with -AllowTimeout returns nothing.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]$Lab, [Parameter(Mandatory)][string]$Node, [Parameter(Mandatory)][double]$SinceMonoMs, [double]$TimeoutSec = 10,
        [string]$Vip = $Lab.Vip,
        # Runs between polls, e.g. to refresh a live status view.
        [scriptblock]$WhileWaiting,
        [switch]$AllowTimeout
    )
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    do {
        $moved = Get-KdcHaLabVipTransition -Lab $Lab -Vip $Vip | Where-Object { $_.MonoMs -ge $SinceMonoMs -and $_.Holders.Count -eq 1 -and $_.Holders[0] -eq $Node } | Select-Object -First 1
        if ($moved) { return $moved }
        if ($WhileWaiting) { & $WhileWaiting }
        Start-Sleep -Milliseconds 50
    } while ([DateTime]::UtcNow -lt $deadline)
    if ($AllowTimeout) { return }
    throw "The VIP $Vip did not move to $Node within $TimeoutSec s: $((Get-KdcHaLabVipTransition -Lab $Lab -Vip $Vip | Where-Object MonoMs -GE $SinceMonoMs | ForEach-Object { "$($_.Event) $($_.Node)" }) -join '; ')`n$(Get-LabNodeDiagnosis -Lab $Lab)"
}

function Measure-KdcHaLabFault {
    <#
    .SYNOPSIS
    One fault and its recovery under client load (kinit through -Vip): -Inject runs (it returns the lab event with
    MonoMs, e.g. Suspend-KdcHaLabKdc), then the VIP is expected on -To; -HoldSeconds later -Recover runs (its event
    again) and the VIP is expected back on -Back. Without -To, the VIP is not expected to move (a fault the node
    absorbs). Returns FailoverMs and BackMs (null when it did not move), Changes (holder changes of every lab VIP since
    the fault: Vip, Count) and the kinit outcomes. The caller brings the lab to its starting state first.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]$Lab, [Parameter(Mandatory)][scriptblock]$Inject, [Parameter(Mandatory)][scriptblock]$Recover,
        [string]$To, [string]$Back = 'kdc1', [string]$Vip = $Lab.Vip,
        [double]$LeadSeconds = 0.5, [double]$HoldSeconds = 2, [double]$AfterSeconds = 2, [int]$ClientRate = 5
    )
    $null = Start-KdcHaLabClientLoad -Lab $Lab -RatePerSecond $ClientRate
    try {
        Start-Sleep -Milliseconds ([int]($LeadSeconds * 1000))
        $fault = & $Inject
        try {
            $moved = if ($To) { Wait-KdcHaLabVipMove -Lab $Lab -Vip $Vip -Node $To -SinceMonoMs $fault.MonoMs }
            Start-Sleep -Milliseconds ([int]($HoldSeconds * 1000))
        } finally {
            $recovered = & $Recover
        }
        $returned = if ($moved) { Wait-KdcHaLabVipMove -Lab $Lab -Vip $Vip -Node $Back -SinceMonoMs $recovered.MonoMs -TimeoutSec 20 }
        Start-Sleep -Milliseconds ([int]($AfterSeconds * 1000))
    } finally {
        $attempts = @(Stop-KdcHaLabClientLoad -Lab $Lab)
    }
    $vips = if ($Lab.Vips) { $Lab.Vips } else { @($Lab.Vip) }
    [pscustomobject]@{
        Fault           = $fault
        FailoverMs      = if ($moved) { $moved.MonoMs - $fault.MonoMs }
        BackMs          = if ($returned) { $returned.MonoMs - $recovered.MonoMs }
        Changes         = @(foreach ($v in $vips) {
                $watched = Test-Path -LiteralPath (Get-LabVipWatcherPath -Lab $Lab -Vip $v)
                if ($watched) { [pscustomobject]@{ Vip = $v; Count = @(Get-KdcHaLabVipTransition -Lab $Lab -Vip $v | Where-Object { $_.MonoMs -ge $fault.MonoMs -and $_.Event -eq 'Added' }).Count } }
            })
        Attempts        = $attempts.Count
        FailedAttempts  = @($attempts | Where-Object ExitCode -NE 0).Count
        RecoveredMs     = $recovered.MonoMs - $fault.MonoMs
        # When each failed attempt started, relative to the fault, and how long it took (ms): which window failed.
        Failures        = @($attempts | Where-Object ExitCode -NE 0 | ForEach-Object { [pscustomobject]@{ StartMs = $_.StartMonoMs - $fault.MonoMs; DurationMs = $_.DurationMs } })
        LongestKinitMs  = ($attempts | Measure-Object DurationMs -Maximum).Maximum
    }
}

function Measure-KdcHaLabFailover {
    <#
    .SYNOPSIS
    One failover under client load, for the benches. Starts kinit load through the VIP, waits -LeadSeconds, hangs
    (SIGSTOP) or kills (SIGKILL) -From's krb5kdc, waits until -To alone holds the VIP, keeps the load -AfterSeconds
    longer so attempts stalled by the fault finish and count, and returns the failover time with the clients'
    kinit outcomes. The caller brings the pair to its starting state first. A VIP that does not move within
    -TimeoutSec throws, or with -AllowNoMove gives FailoverSec NaN.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]$Lab, [Parameter(Mandatory)][ValidateSet('hung', 'killed')][string]$Scenario,
        [Parameter(Mandatory)][double]$LeadSeconds, [Parameter(Mandatory)][double]$AfterSeconds,
        [string]$From = 'kdc1', [string]$To = 'kdc2', [int]$ClientRate = 5, [double]$TimeoutSec = 10, [switch]$AllowNoMove
    )
    $null = Start-KdcHaLabClientLoad -Lab $Lab -RatePerSecond $ClientRate
    try {
        Start-Sleep -Milliseconds ([int]($LeadSeconds * 1000))
        $fault = if ($Scenario -eq 'hung') { Suspend-KdcHaLabKdc -Lab $Lab -Node $From } else { Stop-KdcHaLabKdc -Lab $Lab -Node $From -Signal KILL }
        $moved = Wait-KdcHaLabVipMove -Lab $Lab -Node $To -SinceMonoMs $fault.MonoMs -TimeoutSec $TimeoutSec -AllowTimeout:$AllowNoMove
        Start-Sleep -Milliseconds ([int]($AfterSeconds * 1000))
    }
    finally {
        $attempts = @(Stop-KdcHaLabClientLoad -Lab $Lab)
    }
    [pscustomobject]@{
        Scenario        = $Scenario
        FailoverSec     = if ($moved) { ($moved.MonoMs - $fault.MonoMs) / 1000 } else { [double]::NaN }
        Attempts        = $attempts.Count
        FailedAttempts  = @($attempts | Where-Object ExitCode -NE 0).Count
        LongestKinitSec = if ($attempts) { ($attempts | Measure-Object DurationMs -Maximum).Maximum / 1000 } else { [double]::NaN }
    }
}

function Get-LabNodeDiagnosis {
    # What each KDC node's keepalived and monitor last said, for the message of a wait that timed out.
    param($Lab)
    foreach ($n in $Lab.Kdcs) {
        $keepalived = if (Test-Path $n.KeepalivedLog) { (Get-Content $n.KeepalivedLog -Tail 3) -join ' | ' } else { 'no log' }
        $statusPath = Join-Path (Get-KdcHaLabMonitorStateDirectory -Lab $Lab -Node $n) 'status.json'
        $monitor = if (Test-Path $statusPath) {
            $status = Get-Content -Raw $statusPath | ConvertFrom-Json
            "$($status.State) fault=$($status.Fault) updated=$($status.Updated.ToString('o')) reason=$($status.Reason) probes=$(($status.Kdcs | ForEach-Object { "$($_.Kdc):$($_.State)/$($_.LastProbeStatus)" }) -join ',')"
        } else { 'no status' }
        "$($n.Name): keepalived: $keepalived; monitor: $monitor"
    }
}

# --------------------------------------------------------------------------------------------
# Public: HAProxy (its own process per test, never the system service)
# --------------------------------------------------------------------------------------------

function Get-LabHaproxySocket {
    # The runtime API socket that the node's haproxy.cfg names.
    param($Node)
    $config = Join-Path $Node.Directory 'haproxy.cfg'
    $match = [regex]::Match([IO.File]::ReadAllText($config), '(?m)^\s*stats socket (\S+)')
    if (-not $match.Success) { throw "$config has no 'stats socket' line; the lab reads server states through it." }
    $match.Groups[1].Value
}

function Start-KdcHaLabHaproxy {
    <#
    .SYNOPSIS
    Starts haproxy in a node (foreground, a child of this pwsh) from config text that haproxy -c accepted first, and
    waits until its runtime API socket (the config's 'stats socket') answers. Returns the start event.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node, [Parameter(Mandatory)][string]$ConfigText)
    $n = Resolve-LabNode -Lab $Lab -Node $Node
    $config = Join-Path $n.Directory 'haproxy.cfg'
    Write-LabFile -Path $config -Text $ConfigText
    $check = Invoke-LabCommand -Namespace $n.Namespace -FilePath haproxy -ArgumentList '-c', '-f', $config -AllowFailure
    if ($check.ExitCode -ne 0) { throw "haproxy rejected the config for $($n.Name):`n$($check.StdErr)$($check.StdOut)" }
    $key = "$($n.Name).haproxy"
    $processId = Start-LabProcess -Lab $Lab -Key $key -Namespace $n.Namespace -FilePath haproxy -ArgumentList '-db', '-f', $config -LogPath (Join-Path $n.Directory 'haproxy.log')
    $deadline = [DateTime]::UtcNow.AddSeconds(10)
    while ($true) {
        try { $null = Invoke-KdcHaLabHaproxyCommand -Lab $Lab -Node $n -Command 'show info'; break }
        catch [System.Net.Sockets.SocketException] {
            if (-not (Get-LabPidRecord -Directory $Lab.Directory -Key $key).Alive -or [DateTime]::UtcNow -gt $deadline) {
                throw "haproxy on $($n.Name) did not open its runtime API.`n$(Get-Content -Raw (Join-Path $n.Directory 'haproxy.log'))"
            }
            Start-Sleep -Milliseconds 20
        }
    }
    New-LabEvent -Action 'StartHaproxy' -Node $n.Name -Detail @{ Pid = $processId }
}

function Stop-KdcHaLabHaproxy {
    <# .SYNOPSIS Stops the node's haproxy (TERM: it closes its listeners at once). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node)
    $n = Resolve-LabNode -Lab $Lab -Node $Node
    Stop-LabProcess -Directory $Lab.Directory -Key "$($n.Name).haproxy"
}

function Invoke-KdcHaLabHaproxyCommand {
    <# .SYNOPSIS One command on the node's haproxy runtime API (e.g. 'show stat'); returns its whole answer. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node, [Parameter(Mandatory)][string]$Command)
    $n = Resolve-LabNode -Lab $Lab -Node $Node
    # A path socket: reachable from every namespace. haproxy answers one command and closes.
    $socket = [Net.Sockets.Socket]::new([Net.Sockets.AddressFamily]::Unix, [Net.Sockets.SocketType]::Stream, [Net.Sockets.ProtocolType]::Unspecified)
    try {
        $socket.ReceiveTimeout = 2000
        $socket.Connect([Net.Sockets.UnixDomainSocketEndPoint]::new((Get-LabHaproxySocket $n)))
        $null = $socket.Send([Text.Encoding]::ASCII.GetBytes("$Command`n"))
        $answer = [IO.MemoryStream]::new()
        $buffer = [byte[]]::new(65536)
        while (($read = $socket.Receive($buffer)) -gt 0) { $answer.Write($buffer, 0, $read) }
        [Text.Encoding]::ASCII.GetString($answer.ToArray())
    } finally { $socket.Dispose() }
}

function Get-KdcHaLabHaproxyServer {
    <#
    .SYNOPSIS
    The backend servers as the node's haproxy sees them now ('show stat'): Backend, Server, Status (UP, DOWN, DRAIN,
    MAINT, ...), CheckStatus, AgentStatus, Weight, Sessions (open), TotalSessions.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node)
    $csv = (Invoke-KdcHaLabHaproxyCommand -Lab $Lab -Node $Node -Command 'show stat') -replace '^# ', ''
    foreach ($row in ($csv | ConvertFrom-Csv | Where-Object { $_.svname -notin 'FRONTEND', 'BACKEND' })) {
        [pscustomobject]@{
            PSTypeName    = 'KdcHa.LabHaproxyServer'
            Backend       = $row.pxname
            Server        = $row.svname
            Status        = $row.status
            CheckStatus   = $row.check_status
            AgentStatus   = $row.agent_status
            Weight        = [int]$row.weight
            Sessions      = [int]$row.scur
            TotalSessions = [long]$row.stot
        }
    }
}

function Wait-KdcHaLabHaproxyServer {
    <#
    .SYNOPSIS
    Polls the node's haproxy every 10 ms until -Server has -Status; returns that server with MonoMs, the time it was
    first seen so. Throws after -TimeoutMs.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node, [Parameter(Mandatory)][string]$Server, [Parameter(Mandatory)][string]$Status, [int]$TimeoutMs = 10000)
    $deadline = (Get-LabMonotonicMs) + $TimeoutMs
    do {
        $now = Get-LabMonotonicMs
        $seen = Get-KdcHaLabHaproxyServer -Lab $Lab -Node $Node | Where-Object Server -EQ $Server
        if ($seen.Status -like "$Status*") { return $seen | Add-Member -NotePropertyName MonoMs -NotePropertyValue $now -PassThru }
        Start-Sleep -Milliseconds 10
    } while ($now -lt $deadline)
    throw "haproxy on $((Resolve-LabNode -Lab $Lab -Node $Node).Name) did not show $Server as $Status within $TimeoutMs ms (last: $($seen.Status), check $($seen.CheckStatus), agent $($seen.AgentStatus))."
}

# --------------------------------------------------------------------------------------------
# Public: observation
# --------------------------------------------------------------------------------------------

function Get-KdcHaLabVipHolder {
    <# .SYNOPSIS Names of the KDC nodes that have the VIP (or -Vip, one of $Lab.Vips) configured now (none, one, or several in a split brain). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [string]$Vip = $Lab.Vip)
    $pattern = "inet $([regex]::Escape($Vip))/"
    foreach ($n in $Lab.Kdcs) {
        $r = Invoke-LabCommand -FilePath ip -ArgumentList '-n', $n.Namespace, '-o', '-4', 'addr', 'show', 'dev', $n.Interface -AllowFailure
        if ($r.StdOut -match $pattern) { $n.Name }
    }
}

function Wait-KdcHaLabVip {
    <# .SYNOPSIS Waits until exactly -Node holds the VIP (or anyone, without -Node); returns the holder or throws on timeout. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [string]$Node, [double]$TimeoutSec = 15, [string]$Vip = $Lab.Vip)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    do {
        $holders = @(Get-KdcHaLabVipHolder -Lab $Lab -Vip $Vip)
        if ($holders.Count -eq 1 -and (-not $Node -or $holders[0] -eq $Node)) { return $holders[0] }
        Start-Sleep -Milliseconds 50
    } while ([DateTime]::UtcNow -lt $deadline)
    throw "VIP $Vip not held by $(if ($Node) { $Node } else { 'exactly one node' }) within $TimeoutSec s (holders: $($holders -join ',')). Logs: $($Lab.Directory)/nodes/*/keepalived.log"
}

function Get-LabVipWatcherPath { param($Lab, [string]$Vip) Join-Path $Lab.Directory $(if ($Vip -eq $Lab.Vip) { 'vip-transitions.tsv' } else { "vip-transitions-$Vip.tsv" }) }

function Get-LabVipWatcherKey { param($Lab, [string]$Vip) if ($Vip -eq $Lab.Vip) { 'vip-watcher' } else { "vip-watcher-$Vip" } }

function Start-KdcHaLabVipWatcher {
    <#
    .SYNOPSIS
    Starts a background watcher recording every VIP add/remove on the KDC nodes, stamped with
    CLOCK_MONOTONIC ms (comparable with fault events' MonoMs) and UTC. Event-driven (netlink). -Vip watches
    another of an active-active lab's VIPs, with a watcher of its own.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [string]$Vip = $Lab.Vip)
    $out = Get-LabVipWatcherPath -Lab $Lab -Vip $Vip
    Remove-Item -LiteralPath $out -ErrorAction SilentlyContinue
    $nodeArgs = $Lab.Kdcs | ForEach-Object { "$($_.Name)=$($_.Namespace)" }
    $processId = Start-LabProcess -Lab $Lab -Key (Get-LabVipWatcherKey -Lab $Lab -Vip $Vip) -FilePath perl -ArgumentList (@("$PSScriptRoot/vip-watcher.pl", $out, $Vip) + $nodeArgs) -LogPath (Join-Path $Lab.Directory 'vip-watcher.log')
    # Its first record is the snapshot: once it exists, no later change can be missed.
    $deadline = [DateTime]::UtcNow.AddSeconds(5)
    while (-not ((Test-Path $out) -and (Get-Item $out).Length -gt 0)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "VIP watcher did not start; see $($Lab.Directory)/vip-watcher.log" }
        Start-Sleep -Milliseconds 10
    }
    New-LabEvent -Action 'StartVipWatcher' -Node '' -Detail @{ Pid = $processId; Path = $out }
}

function Get-KdcHaLabVipTransition {
    <# .SYNOPSIS The watcher's records so far (of -Vip's watcher): MonoMs, Utc, Node, Event (Snapshot|Added|Removed), Holders. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [string]$Vip = $Lab.Vip)
    $out = Get-LabVipWatcherPath -Lab $Lab -Vip $Vip
    if (-not (Test-Path $out)) { return }
    foreach ($line in [IO.File]::ReadAllLines($out)) {
        $f = $line.Split("`t")
        if ($f.Count -lt 5) { continue }
        [pscustomobject]@{
            PSTypeName = 'KdcHa.LabVipTransition'
            MonoMs     = [double]$f[0]
            Utc        = [DateTime]::Parse($f[1], [cultureinfo]::InvariantCulture, 'AdjustToUniversal,AssumeUniversal')
            Node       = $f[2]
            Event      = $f[3]
            Holders    = @($f[4].Split(',', [StringSplitOptions]::RemoveEmptyEntries))
        }
    }
}

function Stop-KdcHaLabVipWatcher {
    <# .SYNOPSIS Stops the watcher and returns all its records. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab)
    Stop-LabProcess -Directory $Lab.Directory -Key 'vip-watcher' -Signal TERM
    Get-KdcHaLabVipTransition -Lab $Lab
}

function Start-KdcHaLabClientLoad {
    <#
    .SYNOPSIS
    Starts real kinit attempts at a fixed rate from a client namespace (default: alice by password
    against the VIP with the client krb5.conf). Every attempt's start, exit code and duration is recorded.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]$Lab, $Client,
        [ValidateRange(0.1, 200)][double]$RatePerSecond = 5,
        [string]$Principal, [string]$Password, [string]$Krb5Conf
    )
    $c = if ($Client) { Resolve-LabNode -Lab $Lab -Node $Client -Role Client } else { $Lab.Clients[0] }
    if (-not $c) { throw 'The lab has no client node (New-KdcHaLab -ClientCount).' }
    $out = Join-Path $Lab.Directory "load/$($c.Name).tsv"
    Remove-Item -LiteralPath $out -ErrorAction SilentlyContinue
    $env = @{
        KRB5_CONFIG         = $(if ($Krb5Conf) { $Krb5Conf } else { $Lab.ClientKrb5Conf })
        KRB5CCNAME          = 'MEMORY:load'
        KDCHA_LOAD_PASSWORD = $(if ($Password) { $Password } else { $Lab.AlicePassword })
    }
    $p = if ($Principal) { $Principal } else { $Lab.AlicePrincipal }
    $processId = Start-LabProcess -Lab $Lab -Key "$($c.Name).load" -Namespace $c.Namespace -FilePath perl -ArgumentList "$PSScriptRoot/client-load.pl", $out, ([string]$RatePerSecond), $p -Environment $env -LogPath (Join-Path $Lab.Directory "load/$($c.Name).log")
    New-LabEvent -Action 'StartClientLoad' -Node $c.Name -Detail @{ Pid = $processId; Path = $out; RatePerSecond = $RatePerSecond }
}

function Read-LabLoadRecord {
    param([string]$Path, [string]$Client)
    if (-not (Test-Path $Path)) { return }
    foreach ($line in [IO.File]::ReadAllLines($Path)) {
        $f = $line.Split("`t")
        if ($f.Count -lt 5) { continue }
        [pscustomobject]@{
            PSTypeName  = 'KdcHa.LabKinitAttempt'
            Client      = $Client
            Seq         = [int]$f[0]
            StartMonoMs = [double]$f[1]
            StartUtc    = [DateTime]::Parse($f[2], [cultureinfo]::InvariantCulture, 'AdjustToUniversal,AssumeUniversal')
            ExitCode    = [int]$f[3]
            DurationMs  = [double]$f[4]
        }
    }
}

function Get-KdcHaLabClientLoadRecord {
    <# .SYNOPSIS The attempts a running client load has finished so far, without stopping it (live views). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, $Client)
    $c = if ($Client) { Resolve-LabNode -Lab $Lab -Node $Client -Role Client } else { $Lab.Clients[0] }
    Read-LabLoadRecord -Path (Join-Path $Lab.Directory "load/$($c.Name).tsv") -Client $c.Name
}

function Stop-KdcHaLabClientLoad {
    <#
    .SYNOPSIS
    Stops starting new attempts, waits for in-flight ones (their durations are the measurement,
    up to -TimeoutSec), and returns every attempt ordered by Seq.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, $Client, [int]$TimeoutSec = 40)
    $c = if ($Client) { Resolve-LabNode -Lab $Lab -Node $Client -Role Client } else { $Lab.Clients[0] }
    Stop-LabProcess -Directory $Lab.Directory -Key "$($c.Name).load" -Signal TERM -TimeoutMs ($TimeoutSec * 1000)
    Read-LabLoadRecord -Path (Join-Path $Lab.Directory "load/$($c.Name).tsv") -Client $c.Name | Sort-Object Seq
}

function Get-KdcHaLabMonotonicMs {
    <# .SYNOPSIS CLOCK_MONOTONIC in ms: the clock of MonoMs in events, watcher and load records. #>
    [CmdletBinding()]
    param()
    Get-LabMonotonicMs
}

# Public functions are exactly the *-KdcHaLab* ones; internal helpers are named *-Lab*.
Export-ModuleMember -Function '*-KdcHaLab*'
