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
        # The client only runs kinit through the VIP while step 9 upgrades the pair.
        $script:lab = New-KdcHaLab -KdcCount 2 -ClientCount 1
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
        # Step 9 upgrades to the next release: this checkout with the manifest's patch version raised by one.
        $script:oldVersion = [version](Import-PowerShellDataFile -LiteralPath (Join-Path $repoRoot 'KdcHa.psd1')).ModuleVersion
        $script:newVersion = [version]::new($oldVersion.Major, $oldVersion.Minor, $oldVersion.Build + 1)
        $script:newerCheckout = Join-Path $lab.Directory 'newer-checkout'
        $script:newerBuildLog = Join-Path $lab.Directory 'newer-build.log'
        $script:newerBuild = $null

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

        # The next release's checkout, as an operator's git pull gives it: every file of this one that git tracks or
        # would track (no build output), with KdcHa.psd1 at the next version. The guide's own build block packages it,
        # in the background while steps 2-8 run: the build is niced and keeps every process of its own (no msbuild
        # node or compiler server of this user's to hand work to, none left behind), so the lab's timings keep the CPU.
        function Start-NewerPackageBuild([string] $BuildText) {
            $files = (git -C $repoRoot ls-files -z --cached --others --exclude-standard) -join '' -split "`0"
            if ($LASTEXITCODE -ne 0) { throw "git ls-files failed in $repoRoot" }
            foreach ($file in $files | Where-Object { $_ -and [IO.File]::Exists((Join-Path $repoRoot $_)) }) {
                $target = Join-Path $newerCheckout $file
                [void][IO.Directory]::CreateDirectory((Split-Path $target))
                [IO.File]::Copy((Join-Path $repoRoot $file), $target)
            }
            $manifestPath = Join-Path $newerCheckout 'KdcHa.psd1'
            $text = [IO.File]::ReadAllText($manifestPath)
            [IO.File]::WriteAllText($manifestPath, [regex]::Replace($text, "(?m)^(\s*ModuleVersion\s*=\s*)'[^']*'", "`${1}'$newVersion'"))
            (Import-PowerShellDataFile -LiteralPath $manifestPath).ModuleVersion | Should -Be "$newVersion"
            $psi = [Diagnostics.ProcessStartInfo]::new('/bin/sh')
            foreach ($a in '-c', 'exec >"$0" 2>&1 </dev/null; cd "$1" && exec nice -n 19 /bin/sh -ec "$2"', $newerBuildLog, $newerCheckout, $BuildText) { $psi.ArgumentList.Add($a) }
            $psi.UseShellExecute = $false
            $psi.Environment['MSBUILDDISABLENODEREUSE'] = '1'
            $psi.Environment['UseSharedCompilation'] = 'false'
            # A child of this pwsh, which reaps it (the lab VM's PID 1 does not); AfterAll kills it if it is still running.
            $script:newerBuild = [Diagnostics.Process]::Start($psi)
            $script:newerBuildStarted = [DateTime]::Now
        }

        # The package Start-NewerPackageBuild made, once it is done.
        function Wait-NewerPackage {
            $waited = [Diagnostics.Stopwatch]::StartNew()
            if (-not $newerBuild.WaitForExit(240000)) { throw "The newer package's build did not finish within 240 s; see $newerBuildLog" }
            $newerBuild.ExitCode | Should -Be 0 -Because "the guide's build block builds the next release too:`n$(Get-Content -Raw -LiteralPath $newerBuildLog)"
            $package = Join-Path $newerCheckout "out/repository/KdcHa.$newVersion.nupkg"
            Test-Path -LiteralPath $package | Should -BeTrue -Because "the build wrote out/repository/KdcHa.<version>.nupkg: $(Get-ChildItem -LiteralPath (Split-Path $package) -ErrorAction Ignore)"
            Write-Host ("    KdcHa $newVersion packaged from the next checkout in {0:0.0} s, {1:0.0} s of it waited for here" -f ($newerBuild.ExitTime - $newerBuildStarted).TotalSeconds, $waited.Elapsed.TotalSeconds)
            $package
        }

        # The KdcHa versions installed for all users on a node, lowest first: the folders Import-Module KdcHa picks from.
        function Get-InstalledVersion($Node) {
            $r = Invoke-KdcHaLabHostCommand -Lab $lab -Node $Node -FilePath /bin/sh -ArgumentList '-c', 'cd /usr/local/share/powershell/Modules/KdcHa 2>/dev/null && ls -1d */KdcHa.psd1' -AllowFailure
            (@($r.StdOut -split "`n" | Where-Object { $_ } | ForEach-Object { [version]($_ -replace '/KdcHa\.psd1$') } | Sort-Object) -join ', ')
        }

        # The version the node's running monitor reports: kdcha_build_info on its metrics endpoint (the guide's
        # MetricsAddress, port 9464), which comes from the assemblies that process loaded.
        function Get-RunningVersion($Node) {
            $address = ($lab.Kdcs | Where-Object Name -EQ $Node).Address
            $metrics = (Invoke-WebRequest -Uri "http://${address}:9464/metrics" -NoProxy -TimeoutSec 5).Content
            if ($metrics -match 'kdcha_build_info\{version="([^"]*)"\}') { $Matches[1] } else { throw "No kdcha_build_info from ${Node}: $metrics" }
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
        if ($newerBuild) {
            if (-not $newerBuild.HasExited) { $newerBuild.Kill($true); $newerBuild.WaitForExit() }
            $newerBuild.Dispose()
        }
        if ($lab) { foreach ($key in @($services.Keys | Where-Object { $services[$_] })) { $n, $u = $key -split '/', 2; Stop-Unit $n $u } }
        if ($receiver) { $receiver.Dispose() }
        Remove-KdcHaLab -Lab $lab
    }

    It 'RunsEveryBlockInOrderAndDrillsAMoveAFailoverAndAnUpgrade' {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $upgraded = [Collections.Generic.List[string]]::new()
        $newerPackage = $null
        foreach ($b in $runnable) {
            if ($b.Id -eq 'powershell') {
                # Microsoft's repository is on the internet, which the test never reaches; /usr/bin/pwsh on each lab host
                # is the PowerShell this test runs in (Initialize-KdcHaLabHost).
                Write-Host "    line $($b.Line): skipped: it downloads from packages.microsoft.com"
                continue
            }
            if ($b.Id -eq 'upgrade' -and -not $newerPackage) {
                # "Build and copy the new package as in step 2": the scp of step 2, with the next release's files.
                $newerPackage = Wait-NewerPackage
                foreach ($n in $lab.Kdcs) {
                    Invoke-KdcHaLabHostCommand -Lab $lab -Node $n -FilePath cp -ArgumentList $newerPackage, (Join-Path $newerCheckout 'build/systemd/kdcha-monitor@.service'), /root/kdcha-repo/ | Out-Null
                    Get-InstalledVersion $n | Should -Be "$oldVersion" -Because "step 2 installed $oldVersion on $($n.Name)"
                }
                # Clients keep authenticating through the VIP while the pair is upgraded under them.
                $null = Start-KdcHaLabVipWatcher -Lab $lab
                $null = Start-KdcHaLabClientLoad -Lab $lab -RatePerSecond 5
                $upgradeStarted = $sw.Elapsed.TotalSeconds
            }
            # id=packages runs as written: Bootstrap installed the packages, so apt-get has nothing to fetch, and a lab
            # host has no route beyond the lab bridge if it tried.
            foreach ($node in $(if ($b.Node -eq 'each') { 'kdc1', 'kdc2' } else { $b.Node })) {
                $started = $sw.Elapsed.TotalSeconds
                Invoke-GuideBlock $b $node
                if ($b.Node -eq 'build') { Start-NewerPackageBuild (Resolve-Placeholder $b.Text) }
                if ($b.Id -eq 'repository') {
                    # The scp of the guide: the package the build block wrote and the unit from the checkout.
                    $package = @(Get-ChildItem -LiteralPath (Join-Path $repoRoot 'out/repository') -Filter 'KdcHa.*.nupkg')[0].FullName
                    Invoke-KdcHaLabHostCommand -Lab $lab -Node $node -FilePath cp -ArgumentList $package, (Join-Path $repoRoot 'build/systemd/kdcha-monitor@.service'), /root/kdcha-repo/ | Out-Null
                }
                if ($b.Text -match 'chmod 0600 /etc/kdcha/health\.keytab') {
                    (Invoke-KdcHaLabHostCommand -Lab $lab -Node $node -FilePath stat -ArgumentList '-c', '%a %U', /etc/kdcha/health.keytab).StdOut.Trim() | Should -Be '600 root'
                }
                if ($b.Id -eq 'upgrade-check') {
                    # The running monitors, not only the files: this node's is the new version, a node not yet upgraded
                    # still runs the old one; and the old version stays installed until the guide removes it.
                    $upgraded.Add($node)
                    foreach ($n in $lab.Kdcs.Name) {
                        Get-RunningVersion $n | Should -Be "$(if ($n -in $upgraded) { $newVersion } else { $oldVersion })" -Because "$n's monitor after $node's upgrade"
                    }
                    Get-InstalledVersion $node | Should -Be "$oldVersion, $newVersion" -Because "Update-PSResource installs $newVersion beside $oldVersion on $node"
                }
                if ($b.Id -eq 'remove-old') {
                    Get-InstalledVersion $node | Should -Be "$newVersion" -Because "the guide removes every version but the newest on $node"
                    Get-RunningVersion $node | Should -Be "$newVersion"
                }
                Write-Host ("    line {0} on {1}: ok ({2:0.0} s)" -f $b.Line, $node, ($sw.Elapsed.TotalSeconds - $started))
            }
            if ($b.Id -eq 'remove-old') {
                # The VIP stayed served through the whole upgrade: never without a holder for longer than a hand-over's
                # instant, and every kinit through it answered, none slower than its first retransmissions (MIT: 1 s) at a
                # hand-over would make it. keepalived may remove the old holder's address a fraction of a millisecond before
                # the new holder adds it (docs/Move-KdcVip.md); the watcher stamps each namespace's netlink event as it reads
                # it, which on a busy machine stretches that to a few milliseconds.
                $attempts = @(Stop-KdcHaLabClientLoad -Lab $lab)
                $transitions = @(Stop-KdcHaLabVipWatcher -Lab $lab)
                $stopped = Get-KdcHaLabMonotonicMs
                $gaps = @(for ($i = 0; $i -lt $transitions.Count; $i++) {
                        if ($transitions[$i].Holders.Count -eq 0) { $(if ($i + 1 -lt $transitions.Count) { $transitions[$i + 1].MonoMs } else { $stopped }) - $transitions[$i].MonoMs }
                    })
                Write-Host ("    upgrade {0} -> {1}: {2:0.0} s, {3} VIP transitions, longest without a holder {4:0.0} ms; kinit through the VIP: {5} failed of {6}, slowest {7:0} ms" -f
                    $oldVersion, $newVersion, ($sw.Elapsed.TotalSeconds - $upgradeStarted), $transitions.Count, (@($gaps) + 0 | Measure-Object -Maximum).Maximum,
                    @($attempts | Where-Object ExitCode -NE 0).Count, $attempts.Count, ($attempts | Measure-Object DurationMs -Maximum).Maximum)
                $upgraded -join ', ' | Should -Be 'kdc2, kdc1' -Because 'the guide upgrades the backup first'
                @($gaps | Where-Object { $_ -ge 500 }) | Should -BeNullOrEmpty -Because "the VIP had no holder that long (ms):`n$($transitions | Format-Table | Out-String)"
                $attempts.Count | Should -BeGreaterThan 20
                @($attempts | Where-Object ExitCode -NE 0) | Should -BeNullOrEmpty
                @($attempts | Where-Object DurationMs -GE 3000) | Should -BeNullOrEmpty -Because 'a kinit through the VIP never waits out more than its first retransmissions'
            }
        }
        $upgraded.Count | Should -Be 2 -Because 'step 9 upgrades both nodes'
        # The failover drill reached the alert channel: kdc1's monitor reported its KDC down.
        $alerts = @($receiver.Requests | ForEach-Object { $_[2] | ConvertFrom-Json })
        @($alerts | Where-Object { "$($_.event)$($_.message)" -match 'KdcUnhealthy|down' }).Count | Should -BeGreaterThan 0 -Because ($alerts | ConvertTo-Json -Depth 4)
    }
}
