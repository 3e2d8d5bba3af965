#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# docs/deploy.md is followed literally: its runnable blocks (```sh node=...) are read from the page, checked against
# the module (every program exists, every KdcHa command and parameter exists) and run in order on two fresh lab
# hosts, so a guide that drifts from the code fails here. The convention is documented in the page's HTML comment.
BeforeAll {
    $script:manifest = (Resolve-Path -LiteralPath $env:KDCHA_MODULE_PATH).Path
    Import-Module $manifest -Force
    $script:repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:guidePath = Join-Path $repoRoot 'docs/deploy.md'
    $script:guideNodes = 'build', 'kdc1', 'kdc2', 'each'

    # Every fenced block: Language, the info string's key=value attributes, the text and its first line number.
    function Get-GuideBlock([string] $Path) {
        $lines = [IO.File]::ReadAllLines($Path)
        for ($i = 0; $i -lt $lines.Count; $i++) {
            if ($lines[$i] -notmatch '^```(\w+)\s*(.*)$') { continue }
            $language = $Matches[1]
            $attributes = @{}
            foreach ($m in [regex]::Matches($Matches[2], '(\w+)=("[^"]*"|\S+)')) { $attributes[$m.Groups[1].Value] = $m.Groups[2].Value.Trim('"') }
            $start = $i + 1
            $body = [Collections.Generic.List[string]]::new()
            for ($i++; $i -lt $lines.Count -and $lines[$i] -ne '```'; $i++) { $body.Add($lines[$i]) }
            [pscustomobject]@{
                Language   = $language
                Node       = $attributes['node']
                Id         = $attributes['id']
                RetrySec   = if ($attributes['retry']) { [int]$attributes['retry'] } else { 0 }
                Attributes = $attributes
                Line       = $start
                Text       = ($body -join "`n") + "`n"
            }
        }
    }

    # The program each simple command of a shell block starts (heredoc bodies and quoted text left out).
    function Get-ShellCommandName([string] $Text) {
        $inHeredoc = $null
        foreach ($line in $Text -split "`n") {
            if ($inHeredoc) { if ($line -eq $inHeredoc) { $inHeredoc = $null }; continue }
            if ($line -match "<<-?'?(\w+)'?") { $inHeredoc = $Matches[1] }
            $code = ($line -replace "'[^']*'", "''" -replace '"[^"]*"', '""' -replace '#.*$', '')
            foreach ($segment in $code -split '&&|\|\||[;|]') {
                $words = @($segment.Trim() -split '\s+' | Where-Object { $_ -and $_ -notmatch '^\w+=' })
                if ($words) { $words[0] }
            }
        }
    }

    # The PowerShell of each `pwsh ... -Command '...'` (a single-quoted sh string holds no quote, so this is exact).
    function Get-PwshCommandText([string] $Text) {
        foreach ($m in [regex]::Matches($Text, "pwsh [^'\n]*-Command '([^']*)'")) { $m.Groups[1].Value }
    }

    $script:blocks = @(Get-GuideBlock $guidePath)
    $script:runnable = @($blocks | Where-Object { $_.Language -eq 'sh' })
}

Describe 'docs/deploy.md' {
    It 'IsLinkedFromTheReadme' {
        Get-Content -Raw (Join-Path $repoRoot 'README.md') | Should -Match ([regex]::Escape('](docs/deploy.md)'))
    }

    It 'DocumentsItsBlockConventionInAnHtmlComment' {
        Get-Content -Raw $guidePath | Should -Match '(?s)<!--.*DeployGuide\.Tests\.ps1.*sh node=NODE.*-->'
    }

    It 'NamesTheNodeOfEveryShellBlock' {
        $runnable.Count | Should -BeGreaterThan 20
        foreach ($b in $runnable) { $b.Node | Should -BeIn $guideNodes -Because "the block at line $($b.Line) runs somewhere" }
        # Output and file contents are shown in other fences; bash/console fences would be ambiguous.
        @($blocks | Where-Object Language -In 'bash', 'shell', 'console', 'powershell', 'pwsh') | Should -BeNullOrEmpty
    }

    It 'HasShellBlocksThatParse' {
        foreach ($b in $runnable) {
            $out = $b.Text | & /bin/sh -n 2>&1
            $LASTEXITCODE | Should -Be 0 -Because "line $($b.Line): $out"
        }
    }

    It 'CallsOnlyProgramsThatExist' {
        $names = @($runnable | ForEach-Object { Get-ShellCommandName $_.Text } | Sort-Object -Unique)
        $names | Should -Contain 'kadmin.local'
        # pwsh is the PowerShell this test runs in (the CI host starts it through dotnet).
        foreach ($name in $names | Where-Object { $_ -ne 'pwsh' }) {
            & /bin/sh -c 'command -v "$1"' sh $name | Out-Null
            $LASTEXITCODE | Should -Be 0 -Because "the guide runs $name"
        }
    }

    It 'CallsOnlyCommandsAndParametersThatExist' {
        $scripts = @($runnable | ForEach-Object { Get-PwshCommandText $_.Text })
        $scripts.Count | Should -BeGreaterThan 15
        foreach ($text in $scripts) {
            $tokens = $null; $errors = $null
            $ast = [System.Management.Automation.Language.Parser]::ParseInput($text, [ref] $tokens, [ref] $errors)
            $errors | Should -BeNullOrEmpty -Because $text
            foreach ($call in $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true)) {
                $name = $call.GetCommandName()
                $command = Get-Command -Name $name -ErrorAction Ignore
                $command | Should -Not -BeNullOrEmpty -Because "the guide calls $name"
                $command.CommandType | Should -Not -Be Alias -Because "the guide names commands in full ($name)"
                $known = @($command.Parameters.Values | ForEach-Object { $_.Name; $_.Aliases })
                foreach ($p in $call.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] }) {
                    @($known | Where-Object { $_ -like "$($p.ParameterName)*" }).Count | Should -BeGreaterThan 0 -Because "$name has no -$($p.ParameterName)"
                }
            }
        }
    }
}
