# Dot-sourced by KdcHaLab.psm1: a KDC node as a host of its own, for tests that follow a deployment guide literally.
# A lab node is only a network namespace, so every node would otherwise share /etc/kdcha, /run/kdcha,
# /run/keepalived.pid and the module path. Initialize-KdcHaLabHost gives a node a persistent mount namespace:
# writable overlays of /etc, /usr, /var and /root (writes land in the node's directory, never in this host's
# files) and an empty /run, as after a boot. Every process a test starts on that host joins it, so the guide's
# own paths (/etc/kdcha/health.keytab, /run/kdcha/status.json, ...) mean the same thing in every step.

$script:HostOverlays = 'etc', 'usr', 'var', 'root'
# systemd's default PATH for services; a login shell's is the same on Debian for root.
$script:HostPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

function Get-LabHostNamespaceFile {
    param($Node)
    Join-Path $Node.Directory 'host/ns/mnt'
}

function Initialize-KdcHaLabHost {
    <#
    .SYNOPSIS
    Gives a KDC node a file system of its own (overlays of /etc, /usr, /var, /root; an empty /run; /sys of its
    network namespace) that Invoke-KdcHaLabHostCommand and Start-KdcHaLabHostProcess run in. The node starts as a
    KDC host: /etc/krb5.conf names the realm and its own KDC, /etc/krb5kdc/kdc.conf the lab's realm database (so
    kadmin.local works), and /usr/bin/pwsh runs the PowerShell of this test. -File adds files (path = text).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node, [hashtable]$File = @{})
    $n = Resolve-LabNode -Lab $Lab -Node $Node -Role Kdc
    $root = Join-Path $n.Directory 'host'
    $nsDirectory = Split-Path (Get-LabHostNamespaceFile $n)
    foreach ($d in $script:HostOverlays) { [void](New-Item -ItemType Directory -Force -Path "$root/upper/$d", "$root/work/$d") }
    [void](New-Item -ItemType Directory -Force -Path "$root/run", $nsDirectory)
    # Under `dotnet pwsh` the process is dotnet itself, which needs pwsh.dll as its first argument.
    $pwsh = "'$([Environment]::ProcessPath)'" + $(if ((Split-Path -Leaf ([Environment]::ProcessPath)) -match '^dotnet') { " '$PSHOME/pwsh.dll'" })
    $files = @{
        '/etc/krb5.conf'         = [IO.File]::ReadAllText($n.Krb5Conf)
        '/etc/krb5kdc/kdc.conf'  = [IO.File]::ReadAllText($Lab.AdminKdcConf)
        '/usr/bin/pwsh'          = "#!/bin/sh`nexec $pwsh `"`$@`"`n"
    } + $File
    foreach ($path in $files.Keys) { Write-LabFile -Path "$root/upper$path" -Text $files[$path] }
    chmod 755 "$root/upper/usr/bin/pwsh"
    # The namespace outlives every process through a bind mount of its file, which needs a private mount to sit on.
    Invoke-LabCommand -FilePath mount -ArgumentList '--bind', $nsDirectory, $nsDirectory | Out-Null
    Invoke-LabCommand -FilePath mount -ArgumentList '--make-private', $nsDirectory | Out-Null
    [void](New-Item -ItemType File -Force -Path (Get-LabHostNamespaceFile $n))
    $mounts = @($script:HostOverlays | ForEach-Object { "mount -t overlay overlay -o lowerdir=/$_,upperdir=$root/upper/$_,workdir=$root/work/$_ /$_" }) +
        "mount --bind $root/run /run" + 'umount -l /sys' + 'mount -t sysfs sysfs /sys'
    Invoke-LabCommand -FilePath nsenter -ArgumentList "--net=/run/netns/$($n.Namespace)", 'unshare', "--mount=$(Get-LabHostNamespaceFile $n)", '--propagation', 'private', '/bin/sh', '-ec', ($mounts -join "`n") | Out-Null
}

function Get-LabHostArgv {
    param($Node, [string]$FilePath, [string[]]$ArgumentList, [hashtable]$Environment)
    # A clean environment, as systemd or a root login gives, plus the caller's settings.
    $envArgs = @("PATH=$script:HostPath") + @(foreach ($k in $Environment.Keys) { "$k=$($Environment[$k])" })
    @('/usr/bin/nsenter', "--mount=$(Get-LabHostNamespaceFile $Node)", "--net=/run/netns/$($Node.Namespace)", '/usr/bin/env', '-i') + $envArgs + @($FilePath) + @($ArgumentList)
}

function Invoke-KdcHaLabHostCommand {
    <# .SYNOPSIS Runs a program to completion on a node's own host (Initialize-KdcHaLabHost), in a clean environment plus -Environment. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node, [Parameter(Mandatory)][string]$FilePath,
        [string[]]$ArgumentList = @(), [hashtable]$Environment = @{}, [string]$InputText, [double]$TimeoutSec = 60, [switch]$AllowFailure
    )
    $n = Resolve-LabNode -Lab $Lab -Node $Node -Role Kdc
    $argv = Get-LabHostArgv -Node $n -FilePath $FilePath -ArgumentList $ArgumentList -Environment $Environment
    Invoke-LabCommand -FilePath $argv[0] -ArgumentList ($argv | Select-Object -Skip 1) -InputText $InputText -TimeoutSec $TimeoutSec -AllowFailure:$AllowFailure
}

function Start-KdcHaLabHostProcess {
    <#
    .SYNOPSIS
    Starts a long-running program on a node's own host, as a service manager would: a clean environment plus
    -Environment, output to <node dir>/<Key>.log. Stop it with Stop-KdcHaLabHostProcess. Returns its pid.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node, [Parameter(Mandatory)][string]$Key, [Parameter(Mandatory)][string]$FilePath,
        [string[]]$ArgumentList = @(), [hashtable]$Environment = @{}
    )
    $n = Resolve-LabNode -Lab $Lab -Node $Node -Role Kdc
    $argv = Get-LabHostArgv -Node $n -FilePath $FilePath -ArgumentList $ArgumentList -Environment $Environment
    Start-LabProcess -Lab $Lab -Key "$($n.Name).$Key" -FilePath $argv[0] -ArgumentList ($argv | Select-Object -Skip 1) -LogPath (Join-Path $n.Directory "$Key.log")
}

function Stop-KdcHaLabHostProcess {
    <# .SYNOPSIS Stops a program Start-KdcHaLabHostProcess started (SIGTERM, as systemctl stop does) and waits for it. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)]$Node, [Parameter(Mandatory)][string]$Key, [ValidateSet('TERM', 'KILL')][string]$Signal = 'TERM')
    $n = Resolve-LabNode -Lab $Lab -Node $Node -Role Kdc
    Stop-LabProcess -Directory $Lab.Directory -Key "$($n.Name).$Key" -Signal $Signal -TimeoutMs 10000
}

function Remove-LabHostMount {
    # The host namespaces' bind mounts under a lab directory, deepest first, so the directory can be deleted.
    param([string]$Directory)
    $prefix = "$Directory/"
    $points = foreach ($line in [IO.File]::ReadAllLines('/proc/self/mountinfo')) {
        $point = [regex]::Replace($line.Split(' ')[4], '\\([0-7]{3})', { [string][char][Convert]::ToInt32($args[0].Groups[1].Value, 8) })
        if ($point.StartsWith($prefix)) { $point }
    }
    foreach ($point in $points | Sort-Object Length -Descending) { Invoke-LabCommand -FilePath umount -ArgumentList '-l', $point -AllowFailure | Out-Null }
}
