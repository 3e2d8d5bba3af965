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

Describe 'following docs/deploy.md on two fresh KDC hosts' -Tag Lab {
    BeforeAll {
        Import-Module "$PSScriptRoot/../Lab/KdcHaLab.psd1" -Force
        if (-not ('NotificationReceiver' -as [type])) { Add-Type -Path (Join-Path $PSScriptRoot '../Lab/NotificationReceiver.cs') }
        $script:receiver = $null
        $script:services = @{}
        # The hosts are KDCs already (the guide's starting point): the lab's krb5kdc plays krb5-kdc.service.
        $script:lab = New-KdcHaLab -KdcCount 2 -ClientCount 0
        foreach ($n in $lab.Kdcs) { Initialize-KdcHaLabHost -Lab $lab -Node $n }
        $script:receiver = [NotificationReceiver]::new($lab.BridgeAddress, 0)
        $receiver.Start()
        # The guide's placeholders; nothing of 192.0.2.0/24 or hooks.example.com may be left to send to.
        $script:placeholders = [ordered]@{
            '192.0.2.100'                              = $lab.Vip
            '192.0.2.11'                               = $lab.Kdcs[0].Address
            '192.0.2.12'                               = $lab.Kdcs[1].Address
            'EXAMPLE.COM'                              = $lab.Realm
            'https://hooks.example.com/services/kdcha' = "http://$($lab.BridgeAddress):$($receiver.Port)/kdcha"
        }
        # A root login's environment on the node, as an operator pastes the guide into it.
        $script:loginEnvironment = @{ HOME = '/root'; USER = 'root'; LOGNAME = 'root' }

        function Resolve-Placeholder([string] $Text) {
            foreach ($k in $placeholders.Keys) { $Text = $Text.Replace($k, $placeholders[$k]) }
            if ($Text -match '192\.0\.2\.|hooks\.example\.com') { throw "A placeholder is left in: $Text" }
            $Text
        }

        function Invoke-NodeShell($Node, [string] $Text) {
            if ($Node -eq 'build') {
                Invoke-KdcHaLabCommand -Lab $lab -FilePath /bin/sh -ArgumentList '-ec', "cd '$repoRoot'`n$Text" -TimeoutSec 240 -AllowFailure
            } else {
                Invoke-KdcHaLabHostCommand -Lab $lab -Node $Node -FilePath /bin/sh -ArgumentList '-ec', $Text -Environment $loginEnvironment -TimeoutSec 120 -AllowFailure
            }
        }

        # systemd's word splitting of a command line: quotes, backslashes, $$, ${VAR} anywhere and $VAR as a whole word
        # (split at whitespace); a $ inside a word stays as it is (systemd.service, "Command lines").
        function Split-UnitCommandLine([string] $Line, [hashtable] $Environment) {
            $words = [Collections.Generic.List[string]]::new()
            foreach ($m in [regex]::Matches($Line, '(?:"(?:[^"\\]|\\.)*"|''[^'']*''|[^\s"'']+)+')) {
                $raw = $m.Value
                if ($raw -match '^\$(\w+)$') { foreach ($w in "$($Environment[$Matches[1]])" -split '\s+' | Where-Object { $_ }) { $words.Add($w) }; continue }
                $word = [regex]::Replace($raw, '"((?:[^"\\]|\\.)*)"|''([^'']*)''', { param($q) if ($q.Groups[1].Success) { $q.Groups[1].Value -replace '\\(.)', '$1' } else { $q.Groups[2].Value } })
                $word = [regex]::Replace($word, '\$\{(\w+)\}', { param($v) "$($Environment[$v.Groups[1].Value])" }).Replace('$$', '$')
                $words.Add($word)
            }
            , $words.ToArray()
        }

        # What systemctl start does for the unit, without systemd: its RuntimeDirectory, its environment and ExecStart.
        function Start-Unit($Node, [string] $Unit) {
            if ($Unit -eq 'krb5-kdc') { $null = Start-KdcHaLabKdc -Lab $lab -Node $Node; return }
            $name, $instance = $Unit -split '@', 2
            $file = if ($null -ne $instance) { "$name@.service" } else { "$name.service" }
            $text = (Invoke-KdcHaLabHostCommand -Lab $lab -Node $Node -FilePath /bin/sh -ArgumentList '-c', "cat /etc/systemd/system/$file 2>/dev/null || cat /lib/systemd/system/$file").StdOut
            $text = $text.Replace('%i', "$instance").Replace('%%', '%')
            $environment = @{}
            foreach ($line in $text -split "`n") {
                if ($line -match '^EnvironmentFile=(-?)(\S+)') {
                    $r = Invoke-KdcHaLabHostCommand -Lab $lab -Node $Node -FilePath /bin/cat -ArgumentList $Matches[2] -AllowFailure
                    if ($r.ExitCode -ne 0 -and -not $Matches[1]) { throw "$Unit names a missing EnvironmentFile" }
                    foreach ($kv in $r.StdOut -split "`n" | Where-Object { $_ -match '^\s*(\w+)=(.*)$' }) { $environment[$Matches[1]] = $Matches[2].Trim().Trim('"', "'") }
                } elseif ($line -match '^Environment=(.+)$') {
                    foreach ($kv in Split-UnitCommandLine $Matches[1] @{}) { $k, $v = $kv -split '=', 2; $environment[$k] = $v }
                } elseif ($line -match '^RuntimeDirectory=(\S+)') {
                    Invoke-KdcHaLabHostCommand -Lab $lab -Node $Node -FilePath install -ArgumentList '-d', '-m', '0755', "/run/$($Matches[1])" | Out-Null
                }
            }
            $execStart = @($text -split "`n" | Where-Object { $_ -like 'ExecStart=*' })[0].Substring('ExecStart='.Length)
            $argv = Split-UnitCommandLine $execStart $environment
            Write-Host "    ${Node}: systemctl start $Unit (no systemd here) runs its ExecStart as written: $($argv -join ' | ')"
            $null = Start-KdcHaLabHostProcess -Lab $lab -Node $Node -Key $Unit -FilePath $argv[0] -ArgumentList ($argv | Select-Object -Skip 1) -Environment $environment
            $services["$Node/$Unit"] = $true
        }

        function Stop-Unit($Node, [string] $Unit) {
            if ($Unit -eq 'krb5-kdc') { $null = Stop-KdcHaLabKdc -Lab $lab -Node $Node; return }
            if ($services["$Node/$Unit"]) { Stop-KdcHaLabHostProcess -Lab $lab -Node $Node -Key $Unit; $services["$Node/$Unit"] = $false }
        }

        function Invoke-Systemctl($Node, [string] $Line) {
            $words = @($Line -split '\s+' | Select-Object -Skip 1)
            $now = $words -contains '--now'
            $verb = $words[0]
            $unit = @($words | Select-Object -Skip 1 | Where-Object { $_ -notlike '--*' })[0] -replace '\.service$', ''
            switch ($verb) {
                'daemon-reload' { }
                'enable' { if ($now) { Start-Unit $Node $unit } }
                'start' { Start-Unit $Node $unit }
                'restart' { Stop-Unit $Node $unit; Start-Unit $Node $unit }
                'stop' { Stop-Unit $Node $unit }
                'disable' { if ($now) { Stop-Unit $Node $unit } }
                default { throw "The test cannot follow 'systemctl $verb'" }
            }
        }

        # One block on one node: shell lines run together in /bin/sh -e, each systemctl line through Invoke-Systemctl.
        function Invoke-GuideBlock($Block, $Node) {
            $segments = [Collections.Generic.List[object]]::new()
            $shell = [Collections.Generic.List[string]]::new()
            foreach ($line in (Resolve-Placeholder $Block.Text).TrimEnd() -split "`n") {
                if ($line -match '^systemctl ') {
                    if ($shell.Count) { $segments.Add(@{ Shell = $shell -join "`n" }); $shell.Clear() }
                    $segments.Add(@{ Systemctl = $line })
                } else { $shell.Add($line) }
            }
            if ($shell.Count) { $segments.Add(@{ Shell = $shell -join "`n" }) }
            foreach ($s in $segments) {
                if ($s.Systemctl) { Invoke-Systemctl $Node $s.Systemctl; continue }
                $deadline = [DateTime]::UtcNow.AddSeconds($Block.RetrySec)
                while ($true) {
                    $r = Invoke-NodeShell $Node $s.Shell
                    if ($r.ExitCode -eq 0 -or [DateTime]::UtcNow -gt $deadline) { break }
                    Start-Sleep -Milliseconds 500
                }
                $r.ExitCode | Should -Be 0 -Because "docs/deploy.md line $($Block.Line) on ${Node}:`n$($s.Shell)`n$($r.StdErr)$($r.StdOut)"
            }
        }
    }

    AfterAll {
        if ($lab) { foreach ($key in @($services.Keys | Where-Object { $services[$_] })) { $n, $u = $key -split '/', 2; Stop-Unit $n $u } }
        if ($receiver) { $receiver.Dispose() }
        Remove-KdcHaLab -Lab $lab
    }

    It 'RunsEveryBlockInOrderAndDrillsAMoveAndAFailover' {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        foreach ($b in $runnable) {
            if ($b.Id -eq 'powershell') {
                # Microsoft's repository is on the internet, which the test never reaches; /usr/bin/pwsh on each lab host
                # is the PowerShell this test runs in (Initialize-KdcHaLabHost).
                Write-Host "    line $($b.Line): skipped: it downloads from packages.microsoft.com"
                continue
            }
            # id=packages runs as written: Bootstrap installed the packages, so apt-get has nothing to fetch, and a lab
            # host has no route beyond the lab bridge if it tried.
            foreach ($node in $(if ($b.Node -eq 'each') { 'kdc1', 'kdc2' } else { $b.Node })) {
                $started = $sw.Elapsed.TotalSeconds
                Invoke-GuideBlock $b $node
                if ($b.Id -eq 'repository') {
                    # The scp of the guide: the package the build block wrote and the unit from the checkout.
                    $package = @(Get-ChildItem -LiteralPath (Join-Path $repoRoot 'out/repository') -Filter 'KdcHa.*.nupkg')[0].FullName
                    Invoke-KdcHaLabHostCommand -Lab $lab -Node $node -FilePath cp -ArgumentList $package, (Join-Path $repoRoot 'build/systemd/kdcha-monitor@.service'), /root/kdcha-repo/ | Out-Null
                }
                if ($b.Text -match 'chmod 0600 /etc/kdcha/health\.keytab') {
                    (Invoke-KdcHaLabHostCommand -Lab $lab -Node $node -FilePath stat -ArgumentList '-c', '%a %U', /etc/kdcha/health.keytab).StdOut.Trim() | Should -Be '600 root'
                }
                Write-Host ("    line {0} on {1}: ok ({2:0.0} s)" -f $b.Line, $node, ($sw.Elapsed.TotalSeconds - $started))
            }
        }
        # The failover drill reached the alert channel: kdc1's monitor reported its KDC down.
        $alerts = @($receiver.Requests | ForEach-Object { $_[2] | ConvertFrom-Json })
        @($alerts | Where-Object { "$($_.event)$($_.message)" -match 'KdcUnhealthy|down' }).Count | Should -BeGreaterThan 0 -Because ($alerts | ConvertTo-Json -Depth 4)
    }
}
