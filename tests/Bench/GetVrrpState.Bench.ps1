# Get-VrrpState (Auto, which reads keepalived's JSON dump) in an already-running pwsh, inside a lab node with a real
# keepalived, against the same node's `ip -j addr` and a hand-made JSON dump (kill -s <JSON signum>, wait for the file,
# read it), measured in the same pwsh. Target: median under 50 ms.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Runs = 30
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'BenchStatistics.psm1')
Import-Module (Join-Path $PSScriptRoot '../Lab/KdcHaLab.psd1')
$module = (Resolve-Path $ModulePath).Path

$lab = New-KdcHaLab -KdcCount 1 -ClientCount 0 -NoKdc
try {
    $node = $lab.Kdcs[0]
    $config = New-KdcHaLabKeepalivedConfig -Lab $lab -Node $node -Priority 100
    $null = Start-KdcHaLabKeepalived -Lab $lab -Node $node -ConfigText $config -Environment @{ TMPDIR = $node.Directory }
    $null = Wait-KdcHaLabVip -Lab $lab -Node $node.Name
    # One pwsh in the node's namespace runs every sample; the first call of each kind warms it up.
    $probe = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$module'
`$pidFile = '$($node.KeepalivedPidFile)'
`$dump = '$($node.Directory)/keepalived.json'
`$keepalived = (Get-Content -Raw `$pidFile).Trim()
`$signal = (keepalived --signum=JSON).Trim()
function Get-CallMilliseconds([scriptblock] `$Action) { `$clock = [Diagnostics.Stopwatch]::StartNew(); `$null = & `$Action; `$clock.Elapsed.TotalMilliseconds }
`$byHand = {
    `$before = (Get-Item `$dump -ErrorAction Ignore).LastWriteTimeUtc
    kill -s `$signal `$keepalived
    while ((Get-Item `$dump -ErrorAction Ignore).LastWriteTimeUtc -eq `$before) { Start-Sleep -Milliseconds 1 }
    Get-Content -Raw `$dump | ConvertFrom-Json
}
`$null = Get-VrrpState -PidFile `$pidFile; `$null = ip -j addr; `$null = & `$byHand
[pscustomobject]@{
    Cmdlet = @(1..$Runs | ForEach-Object { Get-CallMilliseconds { Get-VrrpState -PidFile `$pidFile } })
    IpAddr = @(1..$Runs | ForEach-Object { Get-CallMilliseconds { ip -j addr | ConvertFrom-Json } })
    ByHand = @(1..$Runs | ForEach-Object { Get-CallMilliseconds `$byHand })
    Source = (Get-VrrpState -PidFile `$pidFile).Source
} | ConvertTo-Json -Compress
"@
    $result = Invoke-KdcHaLabCommand -Lab $lab -Node $node.Name -FilePath dotnet -ArgumentList 'pwsh', '-NoProfile', '-NonInteractive', '-Command', $probe -TimeoutSec 300
    $samples = $result.StdOut | ConvertFrom-Json
    if (-not $samples.Cmdlet) { throw "The probe returned nothing: $($result.StdErr)$($result.StdOut)" }
}
finally {
    Remove-KdcHaLab -Lab $lab
}

function Format-Row([string] $Name, [double[]] $Values) {
    "| $Name | $(Format-Milliseconds (Get-Median $Values)) | $(Format-Milliseconds ($Values | Measure-Object -Minimum).Minimum) | $(Format-Milliseconds ($Values | Measure-Object -Maximum).Maximum) |"
}

$median = Get-Median $samples.Cmdlet
@"
## Get-VrrpState

Each figure is the median of $Runs calls in one already-running pwsh inside a lab node (network namespace) whose keepalived 2.2.7 runs one VRRP instance; every kind of call was made once before timing.

| Call | Median | Min | Max |
|---|---|---|---|
$(Format-Row "Get-VrrpState (Auto, answered by $($samples.Source))" $samples.Cmdlet)
$(Format-Row 'JSON dump by hand: kill -s JSON, wait for the file, ConvertFrom-Json (baseline)' $samples.ByHand)
$(Format-Row 'ip -j addr \| ConvertFrom-Json (baseline)' $samples.IpAddr)

Target: Get-VrrpState under 50 ms — $(if ($median -lt 50) { 'met' } else { '**not met**' }).
"@
