#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# docs/examples/ are documentation that must not rot, so each one runs here for real against the lab: MIT KDCs and
# keepalived in network namespaces, a webhook receiver on the lab bridge, fresh pwsh processes as cron, systemd or
# Ansible would start them. The Ansible playbook's pwsh command lines are read from site.yml, not copied. Needs root.
BeforeAll {
    $script:manifest = (Resolve-Path -LiteralPath $env:KDCHA_MODULE_PATH).Path
    Import-Module $manifest -Force
    Import-Module "$PSScriptRoot/../Lab/KdcHaLab.psd1" -Force
    if (-not ('NotificationReceiver' -as [type])) {
        Add-Type -Path (Join-Path $PSScriptRoot '../Lab/NotificationReceiver.cs')
    }
    $script:examples = (Resolve-Path (Join-Path $PSScriptRoot '../../docs/examples')).Path
    $script:repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:workDir = Join-Path ([IO.Path]::GetTempPath()) "kdcha-examples-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    New-Item -ItemType Directory -Path $workDir | Out-Null
    # `dotnet pwsh` is a launcher; `dotnet pwsh.dll` is the pwsh itself, so exit codes and stdout are its own.
    $script:pwshArgv = @([Environment]::ProcessPath) + @(if ((Split-Path -Leaf ([Environment]::ProcessPath)) -match '^dotnet') { Join-Path $PSHOME 'pwsh.dll' })

    $script:lab = $null
    $script:receiver = $null
    $script:lab = New-KdcHaLab -KdcCount 2 -ClientCount 0
    $script:kdc1 = $lab.Kdcs[0]
    $script:kdc2 = $lab.Kdcs[1]
    # The examples run in node namespaces too, which reach the root namespace only through the bridge address.
    $script:receiver = [NotificationReceiver]::new($lab.BridgeAddress, 0)
    $receiver.Start()
    $script:hookEnv = @{ KDCHA_EXAMPLE_HOOK = "http://$($lab.BridgeAddress):$($receiver.Port)/example" }
    $script:notificationConfig = Join-Path $workDir 'notification.json'
    $env:KDCHA_EXAMPLE_HOOK = $hookEnv.KDCHA_EXAMPLE_HOOK
    $null = New-KdcHaNotificationChannel -Name example-hook -Type Webhook -Url env:KDCHA_EXAMPLE_HOOK -Register -ConfigurationPath $notificationConfig -Confirm:$false

    # Runs pwsh to completion (in a node's namespace with -Node) with values in the environment; returns ExitCode, StdOut, StdErr.
    function Invoke-ExamplePwsh([string[]] $Argument, [hashtable] $Environment = @{}, $Node, [double] $TimeoutSec = 90) {
        $argv = @($pwshArgv | Select-Object -Skip 1) + $Argument
        $splat = @{ Lab = $lab; FilePath = $pwshArgv[0]; ArgumentList = $argv; Environment = $Environment; TimeoutSec = $TimeoutSec; AllowFailure = $true }
        if ($Node) { $splat.Node = $Node }
        Invoke-KdcHaLabCommand @splat
    }

    function Get-Request { @($receiver.Requests | ForEach-Object { [pscustomobject]@{ Path = $_[1]; Body = ($_[2] | ConvertFrom-Json) } }) }

    function Wait-Until([scriptblock] $Condition, [double] $Seconds = 20) {
        $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
        while (-not (& $Condition)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out waiting for: $Condition" }
            Start-Sleep -Milliseconds 50
        }
    }
}

AfterAll {
    if ($receiver) { $receiver.Dispose() }
    Remove-KdcHaLab -Lab $lab
    Remove-Item Env:KDCHA_EXAMPLE_HOOK -ErrorAction Ignore
    Remove-Item -LiteralPath $workDir -Recurse -Force -ErrorAction Ignore
}

Describe 'docs/examples/README.md' -Tag Lab {
    It 'indexes every example and is linked from the main README' {
        $index = Get-Content -Raw (Join-Path $examples 'README.md')
        foreach ($link in 'failover-loop.ps1', 'scheduled-health-report/', 'ansible/') { $index | Should -Match ([regex]::Escape("]($link)")) }
        Get-Content -Raw (Join-Path $repoRoot 'README.md') | Should -Match ([regex]::Escape('](docs/examples/README.md)'))
    }

    It '<_> has help, CmdletBinding, Stop and no aliases' -ForEach @('failover-loop.ps1', 'scheduled-health-report/kdc-health-report.ps1') {
        $path = Join-Path $examples $_
        $help = Get-Help $path
        $help.Synopsis | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterThan 0
        $text = Get-Content -Raw $path
        $text | Should -Match '\[CmdletBinding\('
        $text | Should -Match "\`$ErrorActionPreference = 'Stop'"
        $tokens = $null; $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($path, [ref] $tokens, [ref] $errors)
        $errors | Should -BeNullOrEmpty
        # Every command name must be the full name: no alias (%, ?, select, ...) in documentation people copy.
        $names = $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true) | ForEach-Object { $_.GetCommandName() } | Where-Object { $_ }
        @($names | Where-Object { Get-Alias -Name $_ -ErrorAction Ignore }) | Should -BeNullOrEmpty
    }
}

Describe 'scheduled-health-report' -Tag Lab {
    BeforeAll {
        $script:report = Join-Path $examples 'scheduled-health-report/kdc-health-report.ps1'
        $script:krb5Conf = New-KdcHaLabKrb5Conf -Lab $lab -Kdc "$($kdc1.Address):88", "$($kdc2.Address):88" -Path (Join-Path $workDir 'krb5.conf')
        # As the timer runs it: a fresh pwsh with -File; the module comes by path because it is not installed here.
        function Invoke-Report([string[]] $Argument) {
            Invoke-ExamplePwsh -Argument (@('-NoProfile', '-NonInteractive', '-Command', "Import-Module '$manifest'; & '$report' $($Argument -join ' ') -NotificationConfigurationPath '$notificationConfig' -TimeoutMilliseconds 500 | ForEach-Object { `$_ | ConvertTo-Json -Compress }; exit `$LASTEXITCODE")) -Environment $hookEnv
        }
    }
    BeforeEach { $receiver.Requests.Clear() }

    It 'exits 0 and sends nothing when every KDC of krb5.conf answers' {
        $r = Invoke-Report "-Krb5Conf '$krb5Conf'"
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $results = @($r.StdOut -split "`n" | Where-Object { $_ -like '{*' } | ConvertFrom-Json)
        # Test-KdcHealth writes results as the probes finish, so the order is not the input order.
        @($results.Kdc | Sort-Object) | Should -Be @("$($kdc1.Address):88", "$($kdc2.Address):88")
        $results.IsHealthy | Should -Be @($true, $true)
        Start-Sleep -Milliseconds 300
        Get-Request | Should -BeNullOrEmpty
    }

    It 'exits 1 and sends one alert naming only the hung KDC (<Form>)' -ForEach @(
        @{ Form = 'krb5.conf [realms]'; Arguments = { "-Krb5Conf '$krb5Conf'" } }
        @{ Form = '-Kdc list'; Arguments = { "-Kdc $($kdc1.Address),$($kdc2.Address):88 -Realm $($lab.Realm)" } }
    ) {
        $null = Suspend-KdcHaLabKdc -Lab $lab -Node kdc1
        try {
            $r = Invoke-Report (& $Arguments)
        } finally {
            $null = Resume-KdcHaLabKdc -Lab $lab -Node kdc1
        }
        $r.ExitCode | Should -Be 1 -Because $r.StdErr
        $requests = @(Get-Request)
        $requests.Count | Should -Be 1
        $alert = $requests[0].Body
        $alert.message | Should -Match "1 of 2 KDCs of $([regex]::Escape($lab.Realm)) failed"
        $alert.message | Should -Match "$([regex]::Escape($kdc1.Address))(:88)? \(Timeout\)"
        $alert.message | Should -Not -Match ([regex]::Escape($kdc2.Address))
        $alert.severity | Should -Be 'Critical'
    }

    It 'exits 1 when the check itself cannot run (realm missing from krb5.conf)' {
        $r = Invoke-Report "-Krb5Conf '$krb5Conf' -Realm NO.SUCH.REALM"
        $r.ExitCode | Should -Be 1
        $r.StdErr + $r.StdOut | Should -Match 'No kdc lines for realm NO.SUCH.REALM'
    }

    It 'has systemd units that systemd accepts' {
        $dir = Join-Path $workDir 'units'
        New-Item -ItemType Directory -Force -Path $dir | Out-Null
        foreach ($unit in 'kdcha-health-report.service', 'kdcha-health-report.timer') {
            Copy-Item -LiteralPath (Join-Path $examples "scheduled-health-report/$unit") -Destination $dir
        }
        $service = Get-Content -Raw (Join-Path $dir 'kdcha-health-report.service')
        $service | Should -Match '(?m)^ExecStart=/usr/bin/pwsh -NoLogo -NoProfile -NonInteractive -File /usr/local/lib/kdcha/kdc-health-report\.ps1 '
        $service | Should -Match '(?m)^Type=oneshot$'
        $timer = Get-Content -Raw (Join-Path $dir 'kdcha-health-report.timer')
        $timer | Should -Match '(?m)^OnCalendar=\S+$'
        $timer | Should -Match '(?m)^WantedBy=timers\.target$'
        if (Get-Command systemd-analyze -CommandType Application -ErrorAction Ignore) {
            # verify insists that ExecStart's program exists; this host runs pwsh through dotnet, so point the copy
            # at a program that does exist. Everything else is checked as written.
            Set-Content -LiteralPath (Join-Path $dir 'kdcha-health-report.service') -Value ($service -replace '/usr/bin/pwsh', '/bin/true') -NoNewline
            $out = & systemd-analyze verify (Join-Path $dir 'kdcha-health-report.service') (Join-Path $dir 'kdcha-health-report.timer') 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
            # verify exits 0 on some warnings; any line about our units is a defect.
            @($out | Where-Object { "$_" -match 'kdcha-health-report' }) | Should -BeNullOrEmpty
        } else {
            # Without systemd-analyze: every line is a section, a comment or Key=Value.
            foreach ($line in ($service + $timer) -split "`n") { $line.Trim() | Should -Match '^(|#.*|\[[A-Za-z]+\]|[A-Za-z]+=.*)$' }
        }
    }
}

Describe 'ansible' -Tag Lab {
    BeforeAll {
        if (-not (Get-Command ansible-playbook -CommandType Application -ErrorAction Ignore)) {
            $env:DEBIAN_FRONTEND = 'noninteractive'
            apt-get install -y -qq --no-install-recommends ansible | Out-Null
        }
        $script:playbook = Join-Path $examples 'ansible/site.yml'
        # PyYAML ships with Ansible; the test reads the playbook as Ansible does instead of copying its commands.
        $script:plays = & python3 -c 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))' $playbook | ConvertFrom-Json -AsHashtable
        $script:pwshTasks = @($plays | ForEach-Object { @($_['pre_tasks']) + @($_['tasks']) } | Where-Object { $_ -and $_['ansible.builtin.command'] })
        $script:gate = $pwshTasks | Where-Object { $_['name'] -like 'Gate*' }
        # `Import-Module KdcHa` must find the built module by name, as on a node where the playbook installed it.
        $script:moduleRoot = Split-Path (Split-Path (Split-Path $manifest))

        # A pwsh wrapper (this host runs pwsh through dotnet) and an inventory of the given KDC nodes, with the
        # connection and cluster variables every playbook run here shares.
        function New-AnsibleRunFiles([string] $Root, [object[]] $Kdc) {
            $wrapper = Join-Path $Root 'pwsh'
            Set-Content -LiteralPath $wrapper -Value "#!/bin/sh`nexec $($pwshArgv -join ' ') `"`$@`"`n"
            chmod 755 $wrapper
            $inventory = Join-Path $Root 'inventory.ini'
            $priorities = @{ kdc1 = 200; kdc2 = 100 }
            $hosts = $Kdc | ForEach-Object { "$($_.Name) kdcha_address=$($_.Address) kdcha_priority=$($priorities[$_.Name]) kdcha_principal=$($_.HealthPrincipal)@$($lab.Realm) kdcha_keytab=$($_.HealthKeytab)" }
            Set-Content -LiteralPath $inventory -Value @"
[kdcs]
$($hosts -join "`n")

[kdcs:vars]
ansible_connection=local
ansible_python_interpreter=/usr/bin/python3
ansible_become=false
kdcha_realm=$($lab.Realm)
kdcha_vip=$($lab.Vip)
kdcha_interface=$($Kdc[0].Interface)
kdcha_instance=KDC_VIP
kdcha_virtual_router_id=51
"@
            $wrapper, $inventory
        }

        # Runs one command task's argv (pwsh replaced by this pwsh) with its environment: -Environment supplies the
        # rendered values of the task's environment keys, which must match the keys the task declares.
        function Invoke-PlaybookCommand($Task, [hashtable] $Environment) {
            $argv = @($Task['ansible.builtin.command']['argv'])
            $argv[0] | Should -Be '{{ kdcha_pwsh }}'
            @($Task['environment'].Keys | Sort-Object) | Should -Be @($Environment.Keys | Sort-Object)
            $Environment.PSModulePath = "$moduleRoot$([IO.Path]::PathSeparator)$env:PSModulePath"
            Invoke-ExamplePwsh -Argument ($argv | Select-Object -Skip 1) -Environment $Environment
        }

        # Evaluates a task's failed_when with Jinja2, as Ansible would, for a registered result.
        function Test-FailedWhen($Task, [hashtable] $Registered) {
            $name = $Task['register']
            $expr = $Task['failed_when']
            $py = 'import json, sys, jinja2; e = jinja2.Environment(); e.filters["from_json"] = json.loads; ' +
                'print(e.from_string("{% if " + sys.argv[1] + " %}True{% else %}False{% endif %}").render({sys.argv[2]: json.loads(sys.argv[3])}))'
            $out = & python3 -c $py $expr $name ($Registered | ConvertTo-Json -Compress)
            if ($LASTEXITCODE -ne 0) { throw "Jinja2 could not evaluate failed_when: $expr" }
            $out -eq 'True'
        }
        $script:gateEnv = @{ KDCHA_KDC = $kdc1.Address; KDCHA_KEYTAB = $kdc1.HealthKeytab; KDCHA_PRINCIPAL = "$($kdc1.HealthPrincipal)@$($lab.Realm)" }
    }

    It 'passes ansible-playbook --syntax-check' {
        $out = & ansible-playbook -i (Join-Path $examples 'ansible/inventory.example.ini') --syntax-check $playbook 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
    }

    It 'runs pwsh through ansible.builtin.command argv with the flags of the brief' {
        $pwshTasks.Count | Should -BeGreaterOrEqual 2
        foreach ($t in $pwshTasks) {
            @($t['ansible.builtin.command']['argv'])[1..5] | Should -Be @('-NoLogo', '-NoProfile', '-NonInteractive', '-Command', @($t['ansible.builtin.command']['argv'])[5])
            @($t['ansible.builtin.command']['argv'])[5] | Should -BeLike 'Import-Module KdcHa; *'
        }
        $gate['ansible.builtin.command']['argv'][5] | Should -BeLike '*Test-KdcHealth * | ConvertTo-Json -Compress'
        $gate['check_mode'] | Should -BeFalse
    }

    It 'gate: a healthy KDC gives JSON that passes failed_when' {
        $r = Invoke-PlaybookCommand $gate $gateEnv.Clone()
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $json = $r.StdOut | ConvertFrom-Json
        $json.IsHealthy | Should -BeTrue
        $json.Level | Should -Be 'Authenticated'
        Test-FailedWhen $gate @{ rc = $r.ExitCode; stdout = $r.StdOut.Trim() } | Should -BeFalse
    }

    It 'gate: a hung KDC fails the task' {
        $null = Suspend-KdcHaLabKdc -Lab $lab -Node kdc1
        try {
            $r = Invoke-PlaybookCommand $gate $gateEnv.Clone()
        } finally {
            $null = Resume-KdcHaLabKdc -Lab $lab -Node kdc1
        }
        $r.ExitCode | Should -Be 0 -Because 'an unhealthy KDC is a result, not an error'
        ($r.StdOut | ConvertFrom-Json).Status | Should -Be 'Timeout'
        Test-FailedWhen $gate @{ rc = $r.ExitCode; stdout = $r.StdOut.Trim() } | Should -BeTrue
    }

    It 'gate: a missing keytab fails the task through rc' {
        $envMissing = $gateEnv.Clone()
        $envMissing.KDCHA_KEYTAB = Join-Path $workDir 'absent.keytab'
        $r = Invoke-PlaybookCommand $gate $envMissing
        $r.ExitCode | Should -Not -Be 0
        Test-FailedWhen $gate @{ rc = $r.ExitCode; stdout = $r.StdOut.Trim() } | Should -BeTrue
    }

    It 'writes a keepalived.conf that keepalived accepts and that tracks the maintenance file' {
        $task = $pwshTasks | Where-Object { $_['ansible.builtin.command']['argv'][5] -like '*New-KdcHaKeepalivedConfig*' }
        # The task's parameter names, with lab values (what Ansible renders from the inventory).
        $values = @{ Interface = $kdc1.Interface; VirtualAddress = $lab.Vip; Priority = '200'; VirtualRouterId = '51'; RouterId = 'kdc1'
            InstanceName = 'KDC_VIP'; StateDirectory = (Join-Path $workDir 'state') }
        @($task['vars']['kdcha_keepalived_parameters'].Keys | Sort-Object) | Should -Be @($values.Keys | Sort-Object)
        $r = Invoke-PlaybookCommand $task @{ KDCHA_KEEPALIVED_PARAMETERS = ($values | ConvertTo-Json -Compress) }
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $r.StdOut | Should -Match 'track_file kdcha_maint_KDC_VIP \{'
        $conf = Join-Path $workDir 'keepalived-ansible.conf'
        Set-Content -LiteralPath $conf -Value $r.StdOut
        $check = Invoke-KdcHaLabCommand -Lab $lab -Node kdc1 -FilePath keepalived -ArgumentList '-t', '-f', $conf -AllowFailure
        $check.ExitCode | Should -Be 0 -Because "$($check.StdErr)$($check.StdOut)"
    }

    It 'runs the whole playbook in --check mode against the lab KDCs, changing nothing, and stops at a hung KDC' {
        # Safe: --check writes nothing, every destination is redirected into a temp dir anyway, and the only commands
        # that run (check_mode: false) are the read-only gate and config rendering. systemd is not PID 1 here, so
        # kdcha_manage_services=false leaves out the service tasks and handlers. pwsh is reached through a wrapper
        # because this host runs it via dotnet.
        $root = Join-Path $workDir 'ansible-check'
        New-Item -ItemType Directory -Force -Path $root | Out-Null
        $wrapper, $inventory = New-AnsibleRunFiles -Root $root -Kdc $kdc1, $kdc2
        $extra = @{
            kdcha_pwsh = $wrapper; kdcha_module_root = "$root/modules"; kdcha_etc = "$root/etc"
            kdcha_keepalived_conf = "$root/keepalived.conf"; kdcha_systemd_dir = "$root/systemd"; kdcha_manage_services = $false; kdcha_module_source = "$moduleRoot/KdcHa/"
        } | ConvertTo-Json -Compress
        $saved = $env:PSModulePath
        $env:PSModulePath = "$moduleRoot$([IO.Path]::PathSeparator)$saved"
        $env:ANSIBLE_NOCOLOR = '1'
        try {
            $ok = (& ansible-playbook -i $inventory --check -e $extra $playbook 2>&1) -join "`n"
            $okExit = $LASTEXITCODE
            $null = Suspend-KdcHaLabKdc -Lab $lab -Node kdc2
            try {
                $bad = (& ansible-playbook -i $inventory --check -e $extra $playbook 2>&1) -join "`n"
                $badExit = $LASTEXITCODE
            } finally {
                $null = Resume-KdcHaLabKdc -Lab $lab -Node kdc2
            }
        } finally {
            $env:PSModulePath = $saved
            Remove-Item Env:ANSIBLE_NOCOLOR
        }
        $okExit | Should -Be 0 -Because $ok
        $ok | Should -Match 'kdc1\s+: ok=\d+\s+changed=[1-9]'
        $ok | Should -Match 'kdc2\s+: ok=\d+\s+changed=[1-9]\d*\s+unreachable=0\s+failed=0'
        # --check: nothing was written anywhere, not even in the redirected destinations.
        @(Get-ChildItem -LiteralPath $root -Recurse | Where-Object Name -NotIn 'pwsh', 'inventory.ini') | Should -BeNullOrEmpty
        $badExit | Should -Not -Be 0
        $bad | Should -Match 'fatal: \[kdc2\]: FAILED!'
        # Ansible prints the registered stdout JSON-escaped inside its own JSON.
        $bad | Should -Match 'Status\\":\\"Timeout'
        # serial: 1 deployed the healthy kdc1 first; the hung kdc2 is stopped at the gate, before any change to it.
        $bad | Should -Match 'kdc1\s+: ok=\d+\s+changed=[1-9]\d*\s+unreachable=0\s+failed=0'
    }

    It 'deploys for real into temp dirs: module, keepalived.conf, monitor settings and unit' {
        # The same run without --check, every destination in a temp dir and systemd left alone: proves the files the
        # playbook writes are the ones the module, keepalived and the unit expect.
        $root = Join-Path $workDir 'ansible-real'
        # /etc/systemd/system exists on every systemd host; the playbook rightly does not create it.
        New-Item -ItemType Directory -Force -Path "$root/systemd" | Out-Null
        $wrapper, $inventory = New-AnsibleRunFiles -Root $root -Kdc $kdc1
        # A second host would overwrite the same temp files, so kdc2 appears only as the peer, through hostvars.
        Add-Content -LiteralPath $inventory -Value "`n[peers]`nkdc2 kdcha_address=$($kdc2.Address)`n[kdcs:children]`npeers`n"
        $extra = @{
            kdcha_pwsh = $wrapper; kdcha_module_root = "$root/modules"; kdcha_etc = "$root/etc"; kdcha_manage_services = $false
            kdcha_keepalived_conf = "$root/keepalived.conf"; kdcha_systemd_dir = "$root/systemd"; kdcha_module_source = "$moduleRoot/KdcHa/"
        } | ConvertTo-Json -Compress
        $saved = $env:PSModulePath
        $env:PSModulePath = "$moduleRoot$([IO.Path]::PathSeparator)$saved"
        $env:ANSIBLE_NOCOLOR = '1'
        try {
            $out = (& ansible-playbook -i $inventory --limit kdc1 -e $extra $playbook 2>&1) -join "`n"
            $exit = $LASTEXITCODE
        } finally {
            $env:PSModulePath = $saved
            Remove-Item Env:ANSIBLE_NOCOLOR
        }
        $exit | Should -Be 0 -Because $out
        $version = Split-Path -Leaf (Split-Path $manifest)
        Test-Path -LiteralPath "$root/modules/KdcHa/$version/KdcHa.psd1" | Should -BeTrue
        $check = Invoke-KdcHaLabCommand -Lab $lab -Node kdc1 -FilePath keepalived -ArgumentList '-t', '-f', "$root/keepalived.conf" -AllowFailure
        $check.ExitCode | Should -Be 0 -Because "$($check.StdErr)$($check.StdOut)"
        Get-Content -Raw "$root/keepalived.conf" | Should -Match "(?m)^\s+priority 200$"
        $settings = Import-PowerShellDataFile -LiteralPath "$root/etc/kdc1.psd1"
        $monitorParameters = (Get-Command Start-KdcHaMonitor).Parameters.Keys
        @($settings.Keys | Where-Object { $_ -notin $monitorParameters }) | Should -BeNullOrEmpty
        $settings.Node | Should -Be 'kdc1'
        $settings.LocalKdc | Should -Be $kdc1.Address
        @($settings.PeerKdc) | Should -Be @($kdc2.Address)
        $settings.Keytab | Should -Be $kdc1.HealthKeytab
        Get-FileHash "$root/systemd/kdcha-monitor@.service" | ForEach-Object Hash |
            Should -Be (Get-FileHash (Join-Path $repoRoot 'build/systemd/kdcha-monitor@.service')).Hash
    }
}

Describe 'failover-loop.ps1' -Tag Lab {
    BeforeAll {
        $script:loop = Join-Path $examples 'failover-loop.ps1'
        foreach ($n in $lab.Kdcs) {
            # The module under test writes the config, with the maintenance track_file Move-KdcVip needs. No monitor runs,
            # so both nodes lose the same heartbeat weight and the priorities still decide (250-150 > 200-150).
            $config = New-KdcHaLabMonitorKeepalivedConfig -Lab $lab -Node $n -ModulePath $manifest -Priority @{ kdc1 = 250; kdc2 = 200 }[$n.Name] -Parameter @{ InstanceName = 'KDC_VIP' }
            $config | Should -Match 'track_file kdcha_maint_KDC_VIP'
            $null = Start-KdcHaLabKeepalived -Lab $lab -Node $n -ConfigText $config
        }
        $null = Wait-KdcHaLabVip -Lab $lab -Node kdc1 -TimeoutSec 15

        function Get-LoopCommand([string] $Bound) {
            "Import-Module '$manifest'; & '$loop' -LocalKdc $($kdc1.Address) -PeerKdc $($kdc2.Address) -Keytab '$($kdc1.HealthKeytab)' " +
            "-Principal '$($kdc1.HealthPrincipal)@$($lab.Realm)' -Instance KDC_VIP -KeepalivedConfigPath '$($kdc1.KeepalivedConfig)' " +
            "-IntervalMilliseconds 200 -TimeoutMilliseconds 300 -Fall 3 -NotificationConfigurationPath '$notificationConfig' $Bound -Verbose " +
            '| ForEach-Object { $_ | ConvertTo-Json -Compress }'
        }
    }
    BeforeEach { $receiver.Requests.Clear() }

    It 'stops after -MaxIterations and leaves a healthy VIP holder alone' {
        $r = Invoke-ExamplePwsh -Node kdc1 -Argument @('-NoProfile', '-NonInteractive', '-Command', (Get-LoopCommand '-MaxIterations 5')) -Environment $hookEnv
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        "$($r.StdOut)$($r.StdErr)" | Should -Match 'stopped after 5 probe rounds'
        @($r.StdOut -split "`n" | Where-Object { $_ -like '{*' }) | Should -BeNullOrEmpty
        Get-KdcHaLabVipHolder -Lab $lab | Should -Be 'kdc1'
        Get-Request | Should -BeNullOrEmpty
    }

    It 'stops cleanly when the pipeline is stopped, as Ctrl+C does' {
        # Ctrl+C stops the running pipeline; PowerShell.Stop() is the same call, without a terminal.
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$manifest'").AddStatement().AddCommand($loop).AddParameters(@{
                    LocalKdc = $kdc1.Address; PeerKdc = $kdc2.Address; Keytab = $kdc1.HealthKeytab; Principal = "$($kdc1.HealthPrincipal)@$($lab.Realm)"
                    Instance = 'KDC_VIP'; KeepalivedConfigPath = $kdc1.KeepalivedConfig; IntervalMilliseconds = 100; Duration = [TimeSpan]::FromMinutes(5)
                    NotificationConfigurationPath = $notificationConfig; Verbose = $true })
            $async = $ps.BeginInvoke()
            Wait-Until { @($ps.Streams.Verbose | Where-Object Message -Match 'loop started').Count -gt 0 }
            Start-Sleep -Milliseconds 500
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            # Stop() returns once the pipeline is Stopped; BeginInvoke's result completes just after, on another thread.
            $async.AsyncWaitHandle.WaitOne([math]::Max(0, 5000 - $sw.ElapsedMilliseconds)) | Should -BeTrue
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 5
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            @($ps.Streams.Verbose | Where-Object Message -Match 'Failover loop stopped after [1-9]\d* probe rounds') | Should -HaveCount 1
        } finally {
            $ps.Dispose()
        }
    }

    It 'moves the VIP to kdc2 and notifies when kdc1''s KDC hangs' {
        # The loop runs inside kdc1's namespace as it would on the node, bounded by -Duration, while the KDC is hung.
        $start = [System.Diagnostics.ProcessStartInfo]::new('ip')
        foreach ($a in @('netns', 'exec', $kdc1.Namespace) + $pwshArgv + @('-NoProfile', '-NonInteractive', '-Command', (Get-LoopCommand '-Duration 00:00:12'))) { $start.ArgumentList.Add($a) }
        $start.Environment['KDCHA_EXAMPLE_HOOK'] = $hookEnv.KDCHA_EXAMPLE_HOOK
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $process = [System.Diagnostics.Process]::Start($start)
        $stderr = $process.StandardError.ReadToEndAsync()
        $lines = [System.Collections.Generic.List[string]]::new()
        try {
            # Hang the KDC only once the loop has seen it healthy, so the failures counted are the hang's.
            do {
                $task = $process.StandardOutput.ReadLineAsync()
                if (-not $task.Wait(30000) -or $null -eq $task.Result) { throw "The loop did not start: $($lines -join "`n") $($stderr.Result)" }
                $lines.Add($task.Result)
            } until ($task.Result -match 'loop started')
            Start-Sleep -Milliseconds 500
            $fault = Suspend-KdcHaLabKdc -Lab $lab -Node kdc1
            $null = Wait-KdcHaLabVip -Lab $lab -Node kdc2 -TimeoutSec 15
            $lines.AddRange([string[]]($process.StandardOutput.ReadToEnd() -split "`n"))
            $process.WaitForExit(30000) | Should -BeTrue
        } finally {
            if (-not $process.HasExited) { $process.Kill($true) }
            $null = Resume-KdcHaLabKdc -Lab $lab -Node kdc1 -ErrorAction Ignore
        }
        $process.ExitCode | Should -Be 0 -Because $stderr.Result
        $events = @($lines | Where-Object { $_ -like '{*' } | ConvertFrom-Json)
        $events | Should -HaveCount 1 -Because ($lines -join "`n")
        $events[0].Moved | Should -BeTrue
        $events[0].LocalStatus | Should -Be 'Timeout'
        $events[0].To | Should -Be $kdc2.Address
        $events[0].NotificationStatus | Should -Be 'example-hook=Delivered'
        Get-KdcHaLabVipHolder -Lab $lab | Should -Be 'kdc2'
        $requests = @(Get-Request)
        $requests.Count | Should -Be 1
        $requests[0].Body.message | Should -Match "KDC $([regex]::Escape($kdc1.Address)) is down \(Timeout\); VIP instance KDC_VIP moved to $([regex]::Escape($kdc2.Address))"
        $requests[0].Body.severity | Should -Be 'Critical'
    }
}
