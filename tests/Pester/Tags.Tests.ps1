# build.ps1 Test -Unit runs the Describes not tagged Lab as any user, so a Describe that brings up the namespace lab,
# or sits in a file whose top-level setup does, must carry -Tag Lab. The lab shows itself by its commands
# (New-KdcHaLab, Start-KdcHaLabKeepalived, Invoke-KdcHaLabPwsh, ...); needs the lab cannot see (root for a raw
# socket, a demo script that builds its own lab) stay the author's call.
BeforeDiscovery {
    $testFiles = @(Get-ChildItem -LiteralPath $PSScriptRoot -Filter *.Tests.ps1 | ForEach-Object { @{ File = $_.Name; Path = $_.FullName } })
}

Describe 'Pester file <File>' -ForEach $testFiles {
    BeforeAll {
        # A lab command, or a call to a function of this file that runs one; a function only defined runs nothing.
        function Test-UsesLab([System.Management.Automation.Language.Ast] $Ast, [string[]] $LabFunctions) {
            $calls = $Ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.CommandAst] }, $true) | Where-Object {
                $name = $_.GetCommandName()
                $name -and ($name -like '*-KdcHaLab*' -or $name -in $LabFunctions)
            }
            foreach ($call in $calls) {
                $node = $call
                while ($node -ne $Ast -and $node -isnot [System.Management.Automation.Language.FunctionDefinitionAst]) { $node = $node.Parent }
                if ($node -eq $Ast) { return $true }
            }
            $false
        }

        $ast = [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref] $null, [ref] $null)
        $labFunctions = @($ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $true) |
                Where-Object { Test-UsesLab $_.Body } | ForEach-Object Name)
        $topLevel = @($ast.EndBlock.Statements | ForEach-Object { $_.PipelineElements } | Where-Object { $_ -is [System.Management.Automation.Language.CommandAst] })
        $setupUsesLab = @($topLevel | Where-Object { $_.GetCommandName() -in 'BeforeAll', 'AfterAll' } | Where-Object { Test-UsesLab $_ $labFunctions }).Count -gt 0
        $describes = @($topLevel | Where-Object { $_.GetCommandName() -eq 'Describe' } | ForEach-Object {
                $tagIndex = [array]::FindIndex([object[]] $_.CommandElements, [Predicate[object]] { param($element) $element -is [System.Management.Automation.Language.CommandParameterAst] -and $element.ParameterName -eq 'Tag' })
                [pscustomobject]@{
                    Name    = $_.CommandElements[1].Extent.Text
                    Tags    = if ($tagIndex -ge 0) { @($_.CommandElements[$tagIndex + 1].SafeGetValue()) } else { @() }
                    UsesLab = $setupUsesLab -or (Test-UsesLab $_ $labFunctions)
                }
            })
    }

    It 'TagsLabOnEveryDescribeThatUsesTheLab' {
        @($describes | Where-Object { $_.UsesLab -and $_.Tags -notcontains 'Lab' } | ForEach-Object Name) | Should -BeNullOrEmpty -Because "build.ps1 Test -Unit runs every Describe without -Tag Lab, as a user who cannot start the lab"
    }
}
