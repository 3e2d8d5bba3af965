# Import-Module cost of the built module in a fresh pwsh, against a binary module that ships with PowerShell
# (Microsoft.PowerShell.ThreadJob), measured in the same run. Target: median under 300 ms.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Runs = 15
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'BenchStatistics.psm1')

function Measure-FreshImport([string] $Module) {
    $probe = "`$clock = [Diagnostics.Stopwatch]::StartNew(); Import-Module '$Module' -ErrorAction Stop; `$clock.Elapsed.TotalMilliseconds"
    foreach ($run in 1..$Runs) {
        [double] (dotnet pwsh -NoProfile -NonInteractive -Command $probe)
    }
}

$kdcha = Measure-FreshImport $ModulePath
$baseline = Measure-FreshImport 'Microsoft.PowerShell.ThreadJob'
$kdchaMedian = Get-Median $kdcha
$baselineMedian = Get-Median $baseline

@"
## Import-Module

Each figure is the median of $Runs fresh ``pwsh -NoProfile`` processes, each timing one ``Import-Module`` with a Stopwatch.

| Module | Median | Min | Max |
|---|---|---|---|
| KdcHa (built, out/) | $(Format-Milliseconds $kdchaMedian) | $(Format-Milliseconds ($kdcha | Measure-Object -Minimum).Minimum) | $(Format-Milliseconds ($kdcha | Measure-Object -Maximum).Maximum) |
| Microsoft.PowerShell.ThreadJob (baseline, ships with pwsh) | $(Format-Milliseconds $baselineMedian) | $(Format-Milliseconds ($baseline | Measure-Object -Minimum).Minimum) | $(Format-Milliseconds ($baseline | Measure-Object -Maximum).Maximum) |

KdcHa / baseline: $('{0:N2}' -f ($kdchaMedian / $baselineMedian))×. Target: under 300 ms — $(if ($kdchaMedian -lt 300) { 'met' } else { '**not met**' }).
"@
