#requires -Version 7.2
<#
.SYNOPSIS
    Builds, documents, tests, benchmarks and packages the KdcHa module.
.DESCRIPTION
    One entry point for every workflow. Every task is idempotent and fails loudly (non-zero exit) on any error.
      Bootstrap  restore the pinned .NET tools and Pester; as root on Debian/Ubuntu, apt-install the lab packages
      Build      dotnet build -c Release and lay out out/KdcHa/<version>/ (default)
      Docs       convert docs/*.md (PlatyPS schema) into MAML help inside the laid-out module
      Test       xunit engine tests, then Pester against the built module in a fresh pwsh; with -Unit, as any
                 user and without the lab packages: xunit (lab tests skip and say why) and the Pester Describes
                 not tagged Lab
      Bench      run tests/Bench/*.Bench.ps1 and rewrite docs/benchmarks.md with their figures; with -Name, only
                 those benches (e.g. -Name Stress), replacing only their sections, each dated
      Package    a .nupkg of the module in out/repository, installable with Install-PSResource
      Demo       the main job end to end in a namespace lab (root): KdcHa failover against the seed design,
                 with a report and timeline chart in out/demo/
      Clean      remove out/ and every bin/ and obj/
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 Test
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 Test -Unit
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Bootstrap', 'Build', 'Docs', 'Test', 'Bench', 'Package', 'Demo', 'Clean')]
    [string] $Task = 'Build',

    # Test only: no root, no namespace lab, no lab packages.
    [switch] $Unit,

    # Bench only: the benches to run, by name (tests/Bench/<Name>.Bench.ps1).
    [string[]] $Name
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$PSNativeCommandUseErrorActionPreference = $true
Set-Location -LiteralPath $PSScriptRoot
if ($Unit -and $Task -ne 'Test') {
    throw "-Unit belongs to the Test task, not to $Task."
}
if ($Name -and $Task -ne 'Bench') {
    throw "-Name belongs to the Bench task, not to $Task."
}

$ModuleName = 'KdcHa'
$Version = (Import-PowerShellDataFile -LiteralPath "$PSScriptRoot/$ModuleName.psd1").ModuleVersion
$OutRoot = Join-Path $PSScriptRoot 'out'
$ModuleOut = Join-Path $OutRoot "$ModuleName/$Version"
$ManifestOut = Join-Path $ModuleOut "$ModuleName.psd1"
$TestResults = Join-Path $OutRoot 'test-results'
$PesterVersion = '5.7.1'
$LabPackages = [ordered]@{
    # command (or absolute path of a file) that proves the package is installed = Debian package name
    'krb5kdc'    = 'krb5-kdc'
    'kadmin.local' = 'krb5-admin-server'
    'kinit'      = 'krb5-user'
    'keepalived' = 'keepalived'
    # New-KdcHaHaproxyConfig's tests: haproxy -c, and a haproxy process of their own in the lab
    'haproxy'    = 'haproxy'
    'ip'         = 'iproute2'
    'tc'         = 'iproute2'
    'arping'     = 'iputils-arping'
    'tcpdump'    = 'tcpdump'
    'nft'        = 'nftables'
    # the LDAP lab (New-KdcHaLab -Database Ldap): slapd, its client tools, MIT's kldap module
    'slapd'      = 'slapd'
    'ldapsearch' = 'ldap-utils'
    'kdb5_ldap_util' = 'krb5-kdc-ldap'
    # the lab's and the DBus tests' private bus
    'dbus-daemon' = 'dbus'
    'rsvg-convert' = 'librsvg2-bin'
    # the notification tests' SMTP server and its self-signed certificate
    'aiosmtpd'   = 'python3-aiosmtpd'
    'openssl'    = 'openssl'
    # the shipped Prometheus rules (promtool check/test rules, check metrics) and a real Prometheus in the lab
    'promtool'   = 'prometheus'
    # docs/examples/ansible: the Examples tests syntax-check the playbook
    'ansible-playbook' = 'ansible'
    # discovery tests: a real DNS server serving the realm's SRV records on a loopback address
    'dnsmasq'    = 'dnsmasq'
    # the stress bench's CPU starvation
    'stress-ng'  = 'stress-ng'
    # the Samba AD DC lab (issue 16); the provisioning data is only a Recommends of samba-ad-dc, so a file proves it
    'samba'      = 'samba-ad-dc'
    'samba-tool' = 'samba-common-bin'
    '/usr/share/samba/setup/ad-schema' = 'samba-ad-provision'
}

function Write-Step([string] $Message) {
    Write-Host "==> $Message" -ForegroundColor Cyan
}

function Get-PesterModulePath {
    $globalPackages = (dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    Join-Path $globalPackages.Trim() "pester/$PesterVersion/tools/Pester.psd1"
}

function Invoke-Bootstrap {
    param([switch] $ToolsOnly)
    Write-Step 'Restoring .NET tools and Pester'
    dotnet tool restore | Out-Null
    dotnet restore build/Tools.proj --verbosity quiet | Out-Null
    if (-not (Test-Path -LiteralPath (Get-PesterModulePath))) {
        throw "Pester $PesterVersion was restored but $(Get-PesterModulePath) does not exist."
    }
    if ($ToolsOnly) {
        return
    }

    $missing = @($LabPackages.GetEnumerator() | Where-Object {
            if ($_.Key.StartsWith('/')) { -not (Test-Path -LiteralPath $_.Key) } else { -not (Get-Command $_.Key -CommandType Application -ErrorAction Ignore) } } |
            ForEach-Object Value | Select-Object -Unique)
    if ($missing.Count -eq 0) {
        return
    }
    $isRoot = (id -u) -eq '0'
    if ($isRoot -and (Test-Path /usr/bin/apt-get)) {
        Write-Step "Installing lab packages: $($missing -join ' ')"
        $env:DEBIAN_FRONTEND = 'noninteractive'
        apt-get update -qq | Out-Null
        apt-get install -y -qq --no-install-recommends @missing | Out-Null
    }
    else {
        throw "Lab packages missing: $($missing -join ' '). Install them as root (apt-get install $($missing -join ' ')) or rerun build.ps1 Bootstrap as root."
    }
}

function Invoke-Build {
    Write-Step "Building $ModuleName $Version"
    dotnet build KdcHa.sln -c Release --nologo --verbosity quiet "-p:Version=$Version"

    Write-Step "Laying out $ModuleOut"
    if (Test-Path -LiteralPath $ModuleOut) {
        Remove-Item -LiteralPath $ModuleOut -Recurse -Force
    }
    New-Item -ItemType Directory -Path $ModuleOut | Out-Null
    $binary = "src/$ModuleName/bin/Release/net8.0"
    # The assemblies PowerShell itself provides must not be shipped: loading a second copy breaks type identity.
    Get-ChildItem -LiteralPath $binary -Filter *.dll |
        Where-Object Name -NotIn 'System.Management.Automation.dll' |
        Copy-Item -Destination $ModuleOut
    Copy-Item -LiteralPath "$ModuleName.psd1", "src/$ModuleName/$ModuleName.format.ps1xml", "src/$ModuleName/$ModuleName.types.ps1xml" -Destination $ModuleOut
    # The DSC v3 resource sits flat in the module folder, as PSResourceGet ships its own: dsc searches folders
    # non-recursively and runs the script from the manifest's folder. Its version is the module's.
    Copy-Item -LiteralPath "src/dsc/$ModuleName.dsc.ps1" -Destination $ModuleOut
    $dscManifest = Get-Content -Raw -LiteralPath "src/dsc/$ModuleName.dsc.resource.json" | ConvertFrom-Json -AsHashtable
    $dscManifest.version = $Version
    $dscManifest | ConvertTo-Json -Depth 32 | Set-Content -LiteralPath (Join-Path $ModuleOut "$ModuleName.dsc.resource.json")
    Invoke-Docs
}

function Invoke-Docs {
    if (-not (Test-Path -LiteralPath $ManifestOut)) {
        throw "Build the module first: $ManifestOut does not exist."
    }
    Write-Step 'Converting docs/*.md to MAML'
    $helpOut = Join-Path $ModuleOut 'en-US'
    # A fresh process: importing the module here would lock nothing on Linux but would leak the loaded
    # assembly into this session, and the drift check must see exactly what users get.
    $script = @'
param($HelpModule, $Manifest, $Docs, $OutPath)
$ErrorActionPreference = 'Stop'
Import-Module $HelpModule
$module = Import-Module $Manifest -PassThru
ConvertTo-KdcHaMaml -DocsPath $Docs -OutputPath $OutPath -ModuleName $module.Name -Command @($module.ExportedCmdlets.Values) | Out-Null
'@
    Invoke-ChildPwsh -Script $script -Arguments @("$PSScriptRoot/build/KdcHaHelp.psm1", $ManifestOut, "$PSScriptRoot/docs", $helpOut)
}

function Invoke-ChildPwsh {
    param([string] $Script, [object[]] $Arguments = @())
    $scriptFile = New-TemporaryFile
    try {
        $ps1 = "$scriptFile.ps1"
        Move-Item -LiteralPath $scriptFile -Destination $ps1
        Set-Content -LiteralPath $ps1 -Value $Script
        dotnet pwsh -NoProfile -NonInteractive -File $ps1 @Arguments
    }
    finally {
        Remove-Item -LiteralPath $ps1 -ErrorAction Ignore
    }
}

function Get-TrxCounts([string] $Path) {
    [xml] $trx = Get-Content -LiteralPath $Path -Raw
    $counters = $trx.TestRun.ResultSummary.Counters
    [pscustomobject]@{
        Passed  = [int] $counters.passed
        Failed  = [int] $counters.failed + [int] $counters.error + [int] $counters.timeout + [int] $counters.aborted
        # The trx logger leaves notExecuted at 0 for skipped tests: they are the ones counted but never executed.
        Skipped = [int] $counters.total - [int] $counters.executed
    }
}

function Invoke-Test {
    Invoke-Bootstrap -ToolsOnly:$Unit
    Invoke-Build
    if (Test-Path -LiteralPath $TestResults) {
        Remove-Item -LiteralPath $TestResults -Recurse -Force
    }
    New-Item -ItemType Directory -Path $TestResults | Out-Null

    # A failing test run is a result to count, not an error that stops the task before Pester and the summary.
    $PSNativeCommandUseErrorActionPreference = $false
    Write-Step 'xunit: engine unit tests'
    # The full run must run every lab test: with this set, a [LabFact] whose root or program is missing fails.
    $env:KDCHA_LAB_REQUIRED = if ($Unit) { $null } else { '1' }
    $trxName = 'engine.trx'
    dotnet test tests/KdcHa.Tests -c Release --nologo --verbosity quiet --logger "trx;LogFileName=$trxName" --results-directory $TestResults -p:Version=$Version 2>&1 |
        Out-Host
    $xunitExit = $LASTEXITCODE
    $trxPath = Join-Path $TestResults $trxName
    if (-not (Test-Path -LiteralPath $trxPath)) {
        throw "xunit produced no result file (exit code $xunitExit)."
    }
    $xunit = Get-TrxCounts $trxPath

    Write-Step "Pester: module tests against the built module$(if ($Unit) { ', without the Describes tagged Lab' })"
    $pesterXml = Join-Path $TestResults 'pester.xml'
    $script = @'
param($PesterModule, $Manifest, $TestPath, $ResultPath, $ExcludeTag)
$ErrorActionPreference = 'Stop'
$env:KDCHA_MODULE_PATH = $Manifest
Import-Module $PesterModule -MinimumVersion 5.7.1
$config = New-PesterConfiguration
$config.Run.Path = $TestPath
$config.Run.Exit = $false
if ($ExcludeTag) { $config.Filter.ExcludeTag = $ExcludeTag }
$config.Output.Verbosity = 'Normal'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = $ResultPath
Invoke-Pester -Configuration $config
'@
    Invoke-ChildPwsh -Script $script -Arguments (@((Get-PesterModulePath), $ManifestOut, "$PSScriptRoot/tests/Pester", $pesterXml) + @(if ($Unit) { 'Lab' }))
    if (-not (Test-Path -LiteralPath $pesterXml)) {
        throw 'Pester produced no result file.'
    }
    [xml] $nunit = Get-Content -LiteralPath $pesterXml -Raw
    $summary = $nunit.'test-results'
    $pesterFailed = [int] $summary.failures + [int] $summary.errors + [int] $summary.invalid
    $pesterSkipped = [int] $summary.skipped + [int] $summary.ignored + [int] $summary.inconclusive
    # Pester's total leaves out not-run, the tests a filter excluded (-Unit: the Describes tagged Lab).
    $pesterPassed = [int] $summary.total - $pesterFailed - $pesterSkipped
    $pesterExcluded = [int] $summary.'not-run'

    $passed = $xunit.Passed + $pesterPassed
    $failed = $xunit.Failed + $pesterFailed
    $skipped = $xunit.Skipped + $pesterSkipped
    if ($xunitExit -ne 0 -and $xunit.Failed -eq 0) {
        # The runner failed without reporting a failed test (a crash or a build error): count it, never hide it.
        $failed++
    }
    $summaryLine = "Tests: $passed passed, $failed failed"
    if ($skipped -gt 0) {
        $summaryLine += ", $skipped skipped"
    }
    Write-Host "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed, $($xunit.Skipped) skipped; Pester: $pesterPassed passed, $pesterFailed failed, $pesterSkipped skipped$(if ($pesterExcluded) { ", $pesterExcluded not run (tagged Lab)" })"
    Write-Host $summaryLine
    if ($failed -gt 0) {
        exit 1
    }
}

function Invoke-Bench {
    $benches = @(Get-ChildItem -Path tests/Bench -Filter *.Bench.ps1 | Sort-Object Name)
    if ($Name) {
        $unknown = @($Name | Where-Object { "$_.Bench.ps1" -notin $benches.Name })
        if ($unknown) { throw "No such bench: $($unknown -join ', ') (tests/Bench has $(($benches.Name -replace '\.Bench\.ps1$') -join ', '))." }
        $benches = @($benches | Where-Object { ($_.Name -replace '\.Bench\.ps1$') -in $Name })
    }
    Invoke-Bootstrap
    Invoke-Build
    $sections = [ordered]@{}
    foreach ($bench in $benches) {
        Write-Step "Bench: $($bench.Name)"
        # The section goes through a file: the child's Write-Host progress shares its stdout and must not land in the doc.
        $section = Join-Path ([IO.Path]::GetTempPath()) "kdcha-bench-$PID.md"
        # Its stdout (that progress) goes to the console; left in the loop's output, it would become part of the doc.
        dotnet pwsh -NoProfile -NonInteractive -Command "& '$($bench.FullName)' -ModulePath '$ManifestOut' | Set-Content -LiteralPath '$section'" | Out-Host
        if ($LASTEXITCODE -ne 0) { throw "$($bench.Name) failed (exit $LASTEXITCODE)." }
        $sections[$bench.Name -replace '\.Bench\.ps1$'] = (Get-Content -Raw -LiteralPath $section).Trim()
        Remove-Item -LiteralPath $section
    }
    $cpu = (Get-Content /proc/cpuinfo | Select-String -Pattern '^model name\s*:\s*(.+)$' | Select-Object -First 1).Matches.Groups[1].Value
    $machine = "$(Get-Date -Format 'yyyy-MM-dd HH:mm') UTC$((Get-Date).ToString('zzz')) on $([Environment]::ProcessorCount) cores ($cpu), $(uname -r), PowerShell $($PSVersionTable.PSVersion), KdcHa $Version"
    # Each section starts with a marker, so a run of some benches (-Name) replaces only theirs.
    $marked = [ordered]@{}
    foreach ($key in $sections.Keys) {
        $dated = if ($Name) { "_Recorded $machine, with ``dotnet pwsh ./build.ps1 Bench -Name $key``; baselines come from the same run._`n`n" } else { '' }
        $marked[$key] = "<!-- bench: $key -->`n$dated$($sections[$key])"
    }
    if ($Name -and (Test-Path -LiteralPath docs/benchmarks.md)) {
        $doc = Get-Content -Raw -LiteralPath docs/benchmarks.md
        foreach ($key in $marked.Keys) {
            $pattern = "(?s)<!-- bench: $([regex]::Escape($key)) -->.*?(?=<!-- bench: |\z)"
            $doc = if ($doc -match $pattern) { [regex]::Replace($doc, $pattern, { param($m) $marked[$key] + "`n`n" }) } else { $doc.TrimEnd() + "`n`n" + $marked[$key] + "`n" }
        }
        Set-Content -LiteralPath docs/benchmarks.md -Value $doc.TrimEnd() -NoNewline:$false
        Write-Step "docs/benchmarks.md: $($marked.Keys -join ', ') updated"
        return
    }
    $header = @(
        '# KdcHa benchmarks'
        ''
        "Recorded $machine."
        ''
        'Reproduce every figure below with one command from the repository root, as root on Debian 12:'
        ''
        '```bash'
        'dotnet tool restore && dotnet pwsh ./build.ps1 Bench'
        '```'
        ''
        'Every figure comes from that single run, except sections dated otherwise (`build.ps1 Bench -Name <bench>`);'
        'medians are quoted, with the baseline measured in the same run.'
    ) -join "`n"
    Set-Content -LiteralPath docs/benchmarks.md -Value (@($header) + @($marked.Values) -join "`n`n") -NoNewline:$false
    Write-Step 'docs/benchmarks.md updated'
}

function Invoke-Package {
    Invoke-Build
    $repository = Join-Path $OutRoot 'repository'
    New-Item -ItemType Directory -Path $repository -Force | Out-Null
    Get-ChildItem -LiteralPath $repository -Filter "$ModuleName.*.nupkg" | Remove-Item
    $repositoryName = "KdcHaBuild$PID"
    Write-Step "Packaging $ModuleName $Version into $repository"
    Register-PSResourceRepository -Name $repositoryName -Uri $repository -Trusted
    try {
        Publish-PSResource -Path $ModuleOut -Repository $repositoryName
        $found = Find-PSResource -Name $ModuleName -Repository $repositoryName -Version $Version
        Write-Host "Packaged $($found.Name) $($found.Version): $(Get-ChildItem -LiteralPath $repository -Filter "$ModuleName.*.nupkg" | ForEach-Object FullName)"
    }
    finally {
        Unregister-PSResourceRepository -Name $repositoryName
    }
}

function Invoke-Demo {
    Invoke-Bootstrap
    Invoke-Build
    Write-Step 'Demo: KdcHa against the seed design in a namespace lab (Ctrl+C tears everything down)'
    & "$PSScriptRoot/build/Demo/Invoke-KdcHaDemo.ps1" -ModulePath $ManifestOut -OutputPath (Join-Path $OutRoot 'demo') | Out-Host
}

function Invoke-Clean {
    Write-Step 'Removing out/, bin/ and obj/'
    Remove-Item -LiteralPath $OutRoot -Recurse -Force -ErrorAction Ignore
    Get-ChildItem -Path src, tests -Directory -Recurse -Include bin, obj | Remove-Item -Recurse -Force
}

switch ($Task) {
    'Bootstrap' { Invoke-Bootstrap }
    'Build' { Invoke-Build }
    'Docs' { Invoke-Docs }
    'Test' { Invoke-Test }
    'Bench' { Invoke-Bench }
    'Package' { Invoke-Package }
    'Demo' { Invoke-Demo }
    'Clean' { Invoke-Clean }
}
