# KdcHa test lab, LDAP back end (dot-sourced by KdcHaLab.psm1): the realm's database in OpenLDAP slapd, read by
# every krb5kdc through MIT's kldap module, as sites that load-balance KDCs run it (issue 16).
#   Ldap        one slapd in its own namespace (node "ldap1"), shared by every KDC.
#   LdapPerNode one slapd in each KDC's namespace, all providers replicating to each other (multi-provider
#               syncrepl, OpenLDAP's mirror mode); each KDC lists its own directory first.
# slapd runs from a cn=config directory and an mdb database inside the lab directory, built offline with slapadd
# (no systemd, no /etc/ldap), listening on ldapi:// (a socket file, which every namespace reaches, for the admin
# tools) and on ldap:// at its node's address (for the KDCs and the peers).

$script:LdapSuffix = 'dc=kdcha,dc=test'
$script:LdapKerberosContainer = "cn=krbContainer,$($script:LdapSuffix)"
$script:LdapAdminDn = "cn=admin,$($script:LdapSuffix)"
$script:LdapKdcDn = "cn=kdc-service,$($script:LdapSuffix)"
$script:LdapKadminDn = "cn=kadmin-service,$($script:LdapSuffix)"
$script:LdapSchema = '/usr/share/doc/krb5-kdc-ldap/kerberos.openldap.ldif.gz'
$script:LdapDatabases = 'Ldap', 'LdapPerNode'

function Assert-LabLdapPrerequisites {
    $needed = [ordered]@{ slapd = 'slapd'; slapadd = 'slapd'; ldapsearch = 'ldap-utils'; kdb5_ldap_util = 'krb5-kdc-ldap' }
    $missing = @($needed.Keys | Where-Object { -not (Get-Command $_ -CommandType Application -ErrorAction SilentlyContinue) })
    if (-not (Test-Path $script:LdapSchema)) { $missing += 'kerberos.openldap.ldif.gz' }
    if ($missing) {
        throw "The KdcHa LDAP lab is missing: $($missing -join ', '). Install with: apt-get install -y slapd ldap-utils krb5-kdc-ldap"
    }
}

function Test-LabLdap {
    param($Lab)
    $Lab.Database -in $script:LdapDatabases
}

function New-LabDirectoryNode {
    # The namespaces the Ldap shape adds (LdapPerNode puts its directories in the KDC nodes' namespaces).
    param($Lab, [string]$Base)
    if ($Lab.Database -eq 'Ldap') { New-LabNode -Id $Lab.Id -Dir $Lab.Directory -Name 'ldap1' -Role Directory -Address "$Base.31" -Short 'd1' }
}

function New-LabDirectoryServer {
    param($Lab, $Node, [int]$ServerId)
    $dir = Join-Path $Lab.Directory "ldap/$($Node.Name)"
    [pscustomobject]@{
        PSTypeName = 'KdcHa.LabDirectory'
        Name       = $Node.Name
        Namespace  = $Node.Namespace
        Address    = $Node.Address
        ServerId   = $ServerId
        Directory  = $dir
        Key        = "$($Node.Name).slapd"
        Uri        = "ldap://$($Node.Address)/"
        LdapiUri   = 'ldapi://' + [uri]::EscapeDataString((Join-Path $dir 'ldapi'))
        LogPath    = Join-Path $dir 'slapd.log'
    }
}

function Get-LabLdapSecret {
    # One random password per lab and DN, kept in the lab directory (never logged).
    param($Lab)
    $path = Join-Path $Lab.Directory 'ldap/secret'
    if (-not (Test-Path $path)) { Write-LabFile -Path $path -Text ([guid]::NewGuid().ToString('n')); chmod 600 $path }
    (Get-Content -Raw $path).Trim()
}

function Get-LabSlapdConfigLdif {
    param($Lab, $Server, [object[]]$Peers, [string]$Secret)
    $syncrepl = @(foreach ($p in $Peers) {
        # retry="1 +": a restarted peer is back in sync within a second, not after syncrepl's default minutes.
        "olcSyncrepl: rid=$('{0:d3}' -f $p.ServerId) provider=$($p.Uri) bindmethod=simple binddn=`"$($script:LdapAdminDn)`" credentials=$Secret searchbase=`"$($script:LdapSuffix)`" type=refreshAndPersist retry=`"1 +`" timeout=1 network-timeout=1"
    })
    $replication = if ($Peers) { ($syncrepl + 'olcMultiProvider: TRUE') -join "`n" } else { '' }
    $overlay = if ($Peers) { "`n`ndn: olcOverlay={0}syncprov,olcDatabase={1}mdb,cn=config`nobjectClass: olcOverlayConfig`nobjectClass: olcSyncProvConfig`nolcOverlay: {0}syncprov" } else { '' }
    $modules = if ($Peers) { "olcModuleLoad: back_mdb`nolcModuleLoad: syncprov" } else { 'olcModuleLoad: back_mdb' }
    $root = 'dn.exact=gidNumber=0+uidNumber=0,cn=peercred,cn=external,cn=auth'
    @"
dn: cn=config
objectClass: olcGlobal
cn: config
olcServerID: $($Server.ServerId)
olcPidFile: $($Server.Directory)/slapd.pid

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: /usr/lib/ldap
$modules

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file:///etc/ldap/schema/core.ldif
include: file://$($Lab.Directory)/ldap/kerberos.ldif

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: to * by $root manage by * none

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcSuffix: $($script:LdapSuffix)
olcDbDirectory: $($Server.Directory)/db
olcRootDN: $($script:LdapAdminDn)
olcRootPW: $Secret
olcDbIndex: objectClass eq
olcDbIndex: krbPrincipalName eq,pres,sub
olcDbIndex: entryCSN,entryUUID eq
olcAccess: to attrs=userPassword by anonymous auth by * none
olcAccess: to * by $root manage by dn.exact="$($script:LdapKdcDn)" write by dn.exact="$($script:LdapKadminDn)" write by * none
$replication$overlay

"@
}

function Get-LabLdapBaseLdif {
    param([string]$Secret)
    @"
dn: $($script:LdapSuffix)
objectClass: dcObject
objectClass: organization
dc: kdcha
o: KdcHa lab

dn: $($script:LdapKdcDn)
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: kdc-service
userPassword: $Secret

dn: $($script:LdapKadminDn)
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: kadmin-service
userPassword: $Secret

"@
}

function Initialize-LabDirectory {
    # Builds and starts every slapd of the lab ($Lab.DirectoryServers), with the base entries and service DNs.
    param($Lab)
    Assert-LabLdapPrerequisites
    $nodes = if ($Lab.Database -eq 'Ldap') { @($Lab.DirectoryNodes) } else { @($Lab.Kdcs) }
    $id = 0
    $Lab.DirectoryServers = @($nodes | ForEach-Object { New-LabDirectoryServer -Lab $Lab -Node $_ -ServerId (++$id) })
    $secret = Get-LabLdapSecret $Lab
    [IO.File]::WriteAllText((Join-Path $Lab.Directory 'ldap/kerberos.ldif'), (& zcat $script:LdapSchema | Out-String))
    # MIT's service password file: one "DN#{HEX}password" line per DN (what kdb5_ldap_util stashsrvpw writes).
    $hex = [Convert]::ToHexString([Text.Encoding]::UTF8.GetBytes($secret)).ToLowerInvariant()
    Write-LabFile -Path $Lab.LdapPasswordFile -Text (($script:LdapAdminDn, $script:LdapKdcDn, $script:LdapKadminDn | ForEach-Object { "$_#{HEX}$hex" }) -join "`n")
    chmod 600 $Lab.LdapPasswordFile
    foreach ($s in $Lab.DirectoryServers) {
        $peers = @($Lab.DirectoryServers | Where-Object Name -ne $s.Name)
        [void](New-Item -ItemType Directory -Force -Path (Join-Path $s.Directory 'slapd.d'), (Join-Path $s.Directory 'db'))
        Write-LabFile -Path (Join-Path $s.Directory 'config.ldif') -Text (Get-LabSlapdConfigLdif -Lab $Lab -Server $s -Peers $peers -Secret $secret)
        Invoke-LabCommand -FilePath slapadd -ArgumentList '-n0', '-F', (Join-Path $s.Directory 'slapd.d'), '-l', (Join-Path $s.Directory 'config.ldif') | Out-Null
    }
    # The base entries go into the first directory only; its peers receive them by replication, as a new
    # provider joining a running directory would.
    $first = $Lab.DirectoryServers[0]
    Write-LabFile -Path (Join-Path $first.Directory 'base.ldif') -Text (Get-LabLdapBaseLdif -Secret $secret)
    Invoke-LabCommand -FilePath slapadd -ArgumentList '-n1', '-F', (Join-Path $first.Directory 'slapd.d'), '-l', (Join-Path $first.Directory 'base.ldif') | Out-Null
    foreach ($s in $Lab.DirectoryServers) { [void](Start-KdcHaLabDirectory -Lab $Lab -Node $s.Name) }
}

function New-LabLdapRealm {
    # kdb5_ldap_util create: the realm container, krbtgt and the other default principals, and the master key
    # stash, through the first directory (its peers replicate them).
    param($Lab)
    $secret = Get-LabLdapSecret $Lab
    $r = Invoke-LabCommand -FilePath kdb5_ldap_util -ArgumentList '-D', $script:LdapAdminDn, '-w', $secret, '-H', $Lab.DirectoryServers[0].LdapiUri,
        'create', '-r', $Lab.Realm, '-s', '-P', ([guid]::NewGuid().ToString('n')) -Environment (Get-LabAdminEnvironment $Lab) -AllowFailure
    # Its command line holds the password: report the failure without it.
    if ($r.ExitCode -ne 0) { throw "kdb5_ldap_util create failed (exit $($r.ExitCode)): $($r.StdErr)$($r.StdOut)" }
}

function Get-LabLdapServerOrder {
    # The ldap_servers a KDC on -Node lists: its own directory first (LdapPerNode), then the others, so it fails
    # over to a peer's directory only when its own does not answer. The admin tools (no node) use the socket.
    param($Lab, $Node)
    if (-not $Node) { return @($Lab.DirectoryServers[0].LdapiUri) }
    @($Lab.DirectoryServers | Sort-Object { $_.Name -ne $Node.Name }, ServerId | ForEach-Object Uri)
}

function Get-LabLdapDbModuleText {
    param($Lab, [string[]]$LdapServers, [switch]$DisableLastSuccessAndLockout)
    $lastSuccess = if ($DisableLastSuccessAndLockout) { "        disable_last_success = true`n        disable_lockout = true`n" } else { '' }
    @"
[dbmodules]
    ldapdb = {
        db_library = kldap
        ldap_kerberos_container_dn = $($script:LdapKerberosContainer)
        ldap_kdc_dn = $($script:LdapKdcDn)
        ldap_kadmind_dn = $($script:LdapKadminDn)
        ldap_service_password_file = $($Lab.LdapPasswordFile)
        ldap_servers = $($LdapServers -join ' ')
        ldap_conns_per_server = 2
$lastSuccess    }


"@
}

function Resolve-LabDirectory {
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node)
    $name = if ($Node -is [string]) { $Node } else { $Node.Name }
    $found = @($Lab.DirectoryServers | Where-Object Name -eq $name)
    if (-not $found) { throw "Lab $($Lab.Id) has no directory on '$name' (directories: $(@($Lab.DirectoryServers).Name -join ', '))." }
    $found[0]
}

function Get-KdcHaLabDirectory {
    <# .SYNOPSIS The lab's slapd servers (Name, Address, Uri, LdapiUri, Key) with Alive/Stopped from their pid records. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab)
    foreach ($s in $Lab.DirectoryServers) {
        $record = Get-LabPidRecord -Directory $Lab.Directory -Key $s.Key
        $s | Select-Object *, @{ n = 'Alive'; e = { [bool]($record -and $record.Alive) } }, @{ n = 'Stopped'; e = { [bool]($record -and $record.Stopped) } }
    }
}

function Start-KdcHaLabDirectory {
    <#
    .SYNOPSIS
    Starts (or restarts after Stop-KdcHaLabDirectory) the slapd on -Node (ldap1 for -Database Ldap, a KDC node for
    LdapPerNode), in the foreground under the lab's process tracking. Returns the event with MonoMs once it listens.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node)
    $s = Resolve-LabDirectory -Lab $Lab -Node $Node
    # -d 0: no detaching and no debug output, so the process stays the lab's child; "stats" logging goes to the log.
    $processId = Start-LabProcess -Lab $Lab -Key $s.Key -Namespace $s.Namespace -FilePath slapd -LogPath $s.LogPath -ArgumentList @(
        '-F', (Join-Path $s.Directory 'slapd.d'), '-h', "$($s.LdapiUri) $($s.Uri)", '-d', '0')
    Wait-LabListener -Lab $Lab -Node $s -Port 389 -Key $s.Key -LogPath $s.LogPath -Protocol Tcp
    New-LabEvent -Action 'StartDirectory' -Node $s.Name -Detail @{ Pid = $processId; Address = $s.Address }
}

function Send-LabDirectorySignal {
    param($Lab, $Node, [string]$Signal, [string]$Action)
    $s = Resolve-LabDirectory -Lab $Lab -Node $Node
    $record = Get-LabPidRecord -Directory $Lab.Directory -Key $s.Key | Where-Object Alive
    if (-not $record) { throw "No running slapd on $($s.Name)." }
    $evt = New-LabEvent -Action $Action -Node $s.Name -Detail @{ Pid = $record.Pid }
    Send-LabSignal -ProcessId $record.Pid -Signal $Signal
    $evt
}

function Stop-KdcHaLabDirectory {
    <# .SYNOPSIS Kills the slapd on -Node (default SIGKILL, a crash; -Signal TERM for a clean stop). Returns the event. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node, [ValidateSet('KILL', 'TERM')][string]$Signal = 'KILL')
    $s = Resolve-LabDirectory -Lab $Lab -Node $Node
    $record = Get-LabPidRecord -Directory $Lab.Directory -Key $s.Key | Where-Object Alive
    if (-not $record) { throw "No running slapd on $($s.Name)." }
    $evt = New-LabEvent -Action 'StopDirectory' -Node $s.Name -Detail @{ Pid = $record.Pid; Signal = $Signal }
    Stop-LabProcess -Directory $Lab.Directory -Key $s.Key -Signal $Signal
    $evt
}

function Suspend-KdcHaLabDirectory {
    <# .SYNOPSIS SIGSTOP for the slapd on -Node: connections stay open and nothing answers. Returns the event. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node)
    Send-LabDirectorySignal -Lab $Lab -Node $Node -Signal STOP -Action 'SuspendDirectory'
}

function Resume-KdcHaLabDirectory {
    <# .SYNOPSIS SIGCONT for a suspended slapd. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node)
    Send-LabDirectorySignal -Lab $Lab -Node $Node -Signal CONT -Action 'ResumeDirectory'
}

function Wait-KdcHaLabDirectoryEntry {
    <#
    .SYNOPSIS
    Waits until every running directory (or -Node's) holds the principal -Principal, i.e. replication has carried
    it there. Returns the milliseconds waited; throws after -TimeoutSec.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)][string]$Principal, $Node, [double]$TimeoutSec = 10)
    $servers = if ($Node) { @(Resolve-LabDirectory -Lab $Lab -Node $Node) } else { @(Get-KdcHaLabDirectory -Lab $Lab | Where-Object { $_.Alive -and -not $_.Stopped }) }
    if ($Principal -notmatch '@') { $Principal = "$Principal@$($Lab.Realm)" }
    $sw = [Diagnostics.Stopwatch]::StartNew()
    foreach ($s in $servers) {
        while ($true) {
            $r = Invoke-LabCommand -FilePath ldapsearch -ArgumentList '-Q', '-LLL', '-Y', 'EXTERNAL', '-H', $s.LdapiUri, '-b', $script:LdapKerberosContainer, "(krbPrincipalName=$Principal)", 'dn' -AllowFailure -TimeoutSec 5
            if ($r.ExitCode -eq 0 -and $r.StdOut -match '^dn:') { break }
            if ($sw.Elapsed.TotalSeconds -gt $TimeoutSec) { throw "The directory on $($s.Name) does not hold $Principal after $TimeoutSec s." }
            Start-Sleep -Milliseconds 50
        }
    }
    [math]::Round($sw.Elapsed.TotalMilliseconds, 1)
}
