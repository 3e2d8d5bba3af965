# Unit tests of build/KdcHaHelp.psm1 on fixture markdown (tests/Pester/Fixtures/Help). The drift checks and the
# Get-Help round trip use Get-Widget, a stand-in cmdlet compiled from Fixtures/Help/Widget.cs into a temp module.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../build/KdcHaHelp.psm1') -Force
    $fixtures = Join-Path $PSScriptRoot 'Fixtures/Help'
    $workDir = Join-Path ([IO.Path]::GetTempPath()) "kdcha-help-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    $moduleDir = Join-Path $workDir 'Widget'
    New-Item -ItemType Directory -Path $moduleDir | Out-Null
    Add-Type -TypeDefinition (Get-Content -LiteralPath (Join-Path $fixtures 'Widget.cs') -Raw) -OutputAssembly (Join-Path $moduleDir 'Widget.dll')
    New-ModuleManifest -Path (Join-Path $moduleDir 'Widget.psd1') -RootModule 'Widget.dll' -ModuleVersion '1.0.0' `
        -CmdletsToExport 'Get-Widget' -FunctionsToExport @() -VariablesToExport @() -AliasesToExport @()
    $widget = Import-Module (Join-Path $moduleDir 'Widget.psd1') -PassThru -Force
    $commands = @($widget.ExportedCmdlets.Values)

    $ns = @{
        msh     = 'http://msh'
        maml    = 'http://schemas.microsoft.com/maml/2004/10'
        command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
        dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
    }

    # Copies the fixture pages to a fresh folder, applying literal replacements to Get-Widget.md; each old text must
    # be present, so a fixture edit can never make a test pass by accident.
    function New-Docs([System.Collections.Specialized.OrderedDictionary] $Replace = [ordered]@{}) {
        $dir = Join-Path $workDir "docs-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        New-Item -ItemType Directory -Path $dir | Out-Null
        Copy-Item -Path (Join-Path $fixtures '*.md') -Destination $dir
        $page = Join-Path $dir 'Get-Widget.md'
        $text = Get-Content -LiteralPath $page -Raw
        foreach ($old in $Replace.Keys) {
            if (-not $text.Contains($old)) { throw "Fixture edit: '$old' is not in Get-Widget.md." }
            $text = $text.Replace($old, $Replace[$old])
        }
        Set-Content -LiteralPath $page -Value $text -NoNewline
        $dir
    }

    function Get-ConversionError([string] $Docs, [switch] $WithCommand) {
        $out = Join-Path $workDir "out-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $arguments = @{ DocsPath = $Docs; OutputPath = $out; ModuleName = 'Widget' }
        if ($WithCommand) { $arguments.Command = $commands }
        try {
            ConvertTo-KdcHaMaml @arguments | Out-Null
        }
        catch {
            Join-Path $out 'Widget.dll-Help.xml' | Should -Not -Exist -Because 'nothing is written when there is a problem'
            return $_.Exception.Message
        }
        throw 'ConvertTo-KdcHaMaml did not fail.'
    }

    function Select-Maml([xml] $Document, [string] $XPath) {
        $manager = [System.Xml.XmlNamespaceManager]::new($Document.NameTable)
        foreach ($prefix in $ns.Keys) { $manager.AddNamespace($prefix, $ns[$prefix]) }
        @($Document.SelectNodes($XPath, $manager))
    }
}

AfterAll {
    Remove-Module Widget -ErrorAction Ignore
    Remove-Item -LiteralPath $workDir -Recurse -Force -ErrorAction Ignore
}

Describe 'ConvertTo-KdcHaMaml on valid PlatyPS 2.0.0 markdown' {
    BeforeAll {
        $helpDir = Join-Path $moduleDir 'en-US'
        $written = @(ConvertTo-KdcHaMaml -DocsPath $fixtures -OutputPath $helpDir -ModuleName Widget -Command $commands)
        $mamlPath = Join-Path $helpDir 'Widget.dll-Help.xml'
        $mamlText = Get-Content -LiteralPath $mamlPath -Raw
        [xml] $maml = $mamlText
        $cmd = '/msh:helpItems/command:command'
    }

    It 'writes <Module>.dll-Help.xml and about_*.help.txt, and returns them' {
        $written.Name | Should -Be @('Widget.dll-Help.xml', 'about_Widget.help.txt')
        Join-Path $helpDir 'about_Widget.help.txt' | Should -Exist
    }

    It 'has a helpItems root in the msh namespace with schema="maml"' {
        $maml.DocumentElement.LocalName | Should -Be 'helpItems'
        $maml.DocumentElement.NamespaceURI | Should -Be $ns.msh
        $maml.DocumentElement.GetAttribute('schema') | Should -Be 'maml'
    }

    It 'writes one command:command per cmdlet page, declaring the maml, command and dev namespaces' {
        $commandNodes = @(Select-Maml $maml $cmd)
        $commandNodes.Count | Should -Be 1
        $commandNodes[0].GetAttribute('xmlns:maml') | Should -Be $ns.maml
        $commandNodes[0].GetAttribute('xmlns:command') | Should -Be $ns.command
        $commandNodes[0].GetAttribute('xmlns:dev') | Should -Be $ns.dev
    }

    It 'writes the command children in MAML order' {
        $children = (Select-Maml $maml "$cmd/*") | ForEach-Object { "$($_.Prefix):$($_.LocalName)" }
        $children | Should -Be @('command:details', 'maml:description', 'command:syntax', 'command:parameters', 'command:inputTypes',
            'command:returnValues', 'maml:alertSet', 'command:examples', 'command:relatedLinks')
        (Select-Maml $maml "$cmd/command:details/*") | ForEach-Object { "$($_.Prefix):$($_.LocalName)" } |
            Should -Be @('command:name', 'command:verb', 'command:noun', 'maml:description')
        (Select-Maml $maml "$cmd/command:parameters/command:parameter[maml:name='Speed']/*") | ForEach-Object { "$($_.Prefix):$($_.LocalName)" } |
            Should -Be @('maml:name', 'maml:description', 'command:parameterValue', 'command:parameterValueGroup', 'dev:type', 'dev:defaultValue')
        (Select-Maml $maml "$cmd/command:examples/command:example[1]/*") | ForEach-Object { "$($_.Prefix):$($_.LocalName)" } |
            Should -Be @('maml:title', 'maml:introduction', 'dev:code', 'dev:remarks')
    }

    It 'fills details with name, verb, noun and the synopsis' {
        (Select-Maml $maml "$cmd/command:details/command:name").InnerText | Should -Be 'Get-Widget'
        (Select-Maml $maml "$cmd/command:details/command:verb").InnerText | Should -Be 'Get'
        (Select-Maml $maml "$cmd/command:details/command:noun").InnerText | Should -Be 'Widget'
        (Select-Maml $maml "$cmd/command:details/maml:description/maml:para").InnerText | Should -Be 'Gets widgets by name or by id.'
    }

    It 'joins soft-wrapped lines into one paragraph and keeps list line breaks' {
        $paras = @(Select-Maml $maml "$cmd/maml:description/maml:para")
        $paras.Count | Should -Be 2
        $paras[0].InnerText | Should -Be 'Get-Widget returns widgets. This first paragraph is soft-wrapped over two lines.'
        $paras[1].InnerText | Should -Be "A second paragraph with a list:`n- first item`n- second item"
    }

    It 'writes one syntaxItem per parameter set, default set first, positional parameters first' {
        $items = @(Select-Maml $maml "$cmd/command:syntax/command:syntaxItem")
        $items.Count | Should -Be 2
        (Select-Maml $maml "$cmd/command:syntax/command:syntaxItem[1]/command:parameter/maml:name").InnerText | Should -Be @('Name', 'Speed', 'Force')
        (Select-Maml $maml "$cmd/command:syntax/command:syntaxItem[2]/command:parameter/maml:name").InnerText | Should -Be @('Id', 'Speed', 'Force')
        (Select-Maml $maml "$cmd/command:syntax/command:syntaxItem/maml:name").InnerText | Should -Be @('Get-Widget', 'Get-Widget')
    }

    It 'takes the same syntax from the markdown alone when no -Command is given' {
        $plainOut = Join-Path $workDir 'plain'
        ConvertTo-KdcHaMaml -DocsPath $fixtures -OutputPath $plainOut -ModuleName Widget | Out-Null
        [xml] $plain = Get-Content -LiteralPath (Join-Path $plainOut 'Widget.dll-Help.xml') -Raw
        (Select-Maml $plain "$cmd/command:syntax").OuterXml | Should -Be (Select-Maml $maml "$cmd/command:syntax").OuterXml
        (Select-Maml $plain "$cmd/command:parameters").OuterXml | Should -Be (Select-Maml $maml "$cmd/command:parameters").OuterXml
    }

    It 'writes the parameter attributes from the yaml block' {
        $name = @(Select-Maml $maml "$cmd/command:parameters/command:parameter[maml:name='Name']")[0]
        $name.required | Should -Be 'true'
        $name.variableLength | Should -Be 'true'
        $name.globbing | Should -Be 'false'
        $name.pipelineInput | Should -Be 'True (ByValue, ByPropertyName)'
        $name.position | Should -Be '0'
        $name.aliases | Should -Be 'WidgetName'
        $id = @(Select-Maml $maml "$cmd/command:parameters/command:parameter[maml:name='Id']")[0]
        $id.position | Should -Be 'named'
        $id.aliases | Should -Be 'none'
        $id.pipelineInput | Should -Be 'False'
        (Select-Maml $maml "$cmd/command:parameters/command:parameter[maml:name='Id']/dev:type/maml:name").InnerText | Should -Be 'Int32'
        (Select-Maml $maml "$cmd/command:parameters/command:parameter[maml:name='Id']/command:parameterValue").InnerText | Should -Be 'Int32'
        (Select-Maml $maml "$cmd/command:parameters/command:parameter[maml:name='Name']/maml:description/maml:para").InnerText | Should -Be 'The widget names.'
    }

    It 'writes accepted values as a parameterValueGroup, the default value, and no parameterValue for a switch' {
        (Select-Maml $maml "$cmd/command:parameters/command:parameter[maml:name='Speed']/command:parameterValueGroup/command:parameterValue").InnerText |
            Should -Be @('Slow', 'Fast')
        (Select-Maml $maml "$cmd/command:parameters/command:parameter[maml:name='Speed']/dev:defaultValue").InnerText | Should -Be 'Slow'
        @(Select-Maml $maml "$cmd/command:parameters/command:parameter[maml:name='Force']/command:parameterValue").Count | Should -Be 0
        (Select-Maml $maml "$cmd/command:parameters/command:parameter[maml:name='Force']/dev:type/maml:name").InnerText | Should -Be 'SwitchParameter'
    }

    It 'escapes <, & and quotes in examples and keeps a # comment inside a code fence as code' {
        $mamlText | Should -Match ([regex]::Escape("Get-Widget -Name 'a&lt;b' | Where-Object { `$_ -ne `"x&amp;y`" }"))
        $mamlText | Should -Match ([regex]::Escape('The remarks say &lt;b&gt;not bold&lt;/b&gt; &amp; "quoted".'))
        (Select-Maml $maml "$cmd/command:examples/command:example[1]/dev:code").InnerText |
            Should -BeExactly "# A comment in a code fence is not a heading`nGet-Widget -Name 'a<b' | Where-Object { `$_ -ne `"x&y`" }"
        (Select-Maml $maml "$cmd/command:examples/command:example[1]/dev:remarks/maml:para").InnerText | Should -BeExactly 'The remarks say <b>not bold</b> & "quoted".'
        @(Select-Maml $maml "$cmd/command:examples/command:example").Count | Should -Be 2
        (Select-Maml $maml "$cmd/command:examples/command:example[2]/maml:title").InnerText | Should -Match 'Example 2: By id'
    }

    It 'writes inputs, outputs, notes and related links, the online version first' {
        (Select-Maml $maml "$cmd/command:inputTypes/command:inputType/dev:type/maml:name").InnerText | Should -Be 'System.String[]'
        (Select-Maml $maml "$cmd/command:inputTypes/command:inputType/maml:description/maml:para").InnerText | Should -Be 'Widget names.'
        (Select-Maml $maml "$cmd/command:returnValues/command:returnValue/dev:type/maml:name").InnerText | Should -Be 'System.String'
        (Select-Maml $maml "$cmd/maml:alertSet/maml:alert/maml:para").InnerText | Should -Be 'Widgets are fictional.'
        (Select-Maml $maml "$cmd/command:relatedLinks/maml:navigationLink/maml:linkText").InnerText | Should -Be @('Online Version:', 'about_Widget', 'Widget home')
        (Select-Maml $maml "$cmd/command:relatedLinks/maml:navigationLink/maml:uri").InnerText | Should -Be @('https://example.com/widget/get-widget', '', 'https://example.com/widget')
    }

    It 'converts the about page to plain text wrapped at 80 columns' {
        $about = Get-Content -LiteralPath (Join-Path $helpDir 'about_Widget.help.txt')
        $about[0..1] | Should -Be @('TOPIC', '    about_Widget')
        $about | Should -Contain 'SHORT DESCRIPTION'
        $about | Should -Contain 'Kinds of widget'
        $about | Should -Contain '    Get-Widget -Name round'
        $about | Should -Contain '- square'
        $about | Should -Not -Contain '```powershell'
        @($about | Where-Object { $_ -match '^#|about_Widget$' }).Count | Should -Be 1 -Because 'headings are converted and the repeated topic line is dropped'
        $about | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 }
    }

    It 'is read by Get-Help: synopsis, syntax, parameters, examples and the about topic' {
        $help = Get-Help Get-Widget -Full
        $help.Synopsis | Should -Be 'Gets widgets by name or by id.'
        @($help.syntax.syntaxItem).Count | Should -Be 2
        ($help.parameters.parameter | Where-Object name -EQ 'Speed').description.Text | Should -Be 'How fast to get it.'
        @($help.examples.example)[0].code | Should -Match ([regex]::Escape("'a<b'"))
        $text = Get-Help Get-Widget -Full | Out-String -Width 200
        $text | Should -Match ([regex]::Escape('Get-Widget [-Name] <String[]> [-Speed {Slow | Fast}] [-Force] [<CommonParameters>]'))
        $text | Should -Match 'Widgets are fictional\.'
        Get-Help about_Widget | Out-String | Should -Match 'Explains widgets\.'
    }
}

Describe 'ConvertTo-KdcHaMaml rejects malformed markdown' {
    It 'rejects an unknown ## heading, naming the file and line' {
        $docs = New-Docs ([ordered]@{ '## NOTES' = '## REMARKS' })
        $line = (Select-String -LiteralPath (Join-Path $docs 'Get-Widget.md') -Pattern '^## REMARKS$').LineNumber
        Get-ConversionError $docs | Should -Match ([regex]::Escape("Get-Widget.md:${line}: unknown heading '## REMARKS'"))
    }

    It 'rejects a schema other than 2.0.0' {
        Get-ConversionError (New-Docs ([ordered]@{ 'schema: 2.0.0' = 'schema: 3.0.0' })) | Should -Match "Get-Widget.md:1: front matter must say 'schema: 2.0.0'.*found '3.0.0'"
    }

    It 'rejects a page with no schema in its front matter' {
        Get-ConversionError (New-Docs ([ordered]@{ "schema: 2.0.0`n" = '' })) | Should -Match "must say 'schema: 2.0.0'"
    }

    It 'rejects sections out of order' {
        Get-ConversionError (New-Docs ([ordered]@{ '## SYNOPSIS' = '## NOTES'; "## NOTES`nWidgets" = "## SYNOPSIS`nWidgets" })) |
            Should -Match "'## SYNOPSIS' is out of order"
    }

    It 'rejects an example without code' {
        Get-ConversionError (New-Docs ([ordered]@{ "``````powershell`nGet-Widget -Id 42 -Speed Fast`n``````" = 'No code here.' })) |
            Should -Match "example 'Example 2: By id' has no code fence"
    }

    It 'rejects a parameter without a description' {
        Get-ConversionError (New-Docs ([ordered]@{ 'The widget id.' = '' })) | Should -Match 'parameter -Id has no description'
    }

    It 'rejects unknown yaml keys and leftover PlatyPS placeholders' {
        $message = Get-ConversionError (New-Docs ([ordered]@{ 'Accepted values: Slow, Fast' = 'Allowed: Slow, Fast'; 'Widgets are fictional.' = '{{ Fill in the Notes }}' }))
        $message | Should -Match "unknown parameter metadata line 'Allowed: Slow, Fast'"
        $message | Should -Match 'placeholder left in the page: \{\{ Fill in the Notes \}\}'
    }

    It 'rejects a page whose # title does not match its file name' {
        Get-ConversionError (New-Docs ([ordered]@{ "`n# Get-Widget`n" = "`n# Get-Widgets`n" })) | Should -Match "'# Get-Widgets' does not match the file name Get-Widget.md"
    }
}

Describe 'ConvertTo-KdcHaMaml -Command fails on drift between the markdown and the module' {
    It 'passes when the pages match the cmdlets' {
        { ConvertTo-KdcHaMaml -DocsPath (New-Docs) -OutputPath (Join-Path $workDir 'drift-ok') -ModuleName Widget -Command $commands } | Should -Not -Throw
    }

    It 'fails when an exported cmdlet has no page' {
        $docs = New-Docs
        Remove-Item -LiteralPath (Join-Path $docs 'Get-Widget.md')
        Get-ConversionError $docs -WithCommand | Should -Match 'Get-Widget is exported but has no help page'
    }

    It 'fails when a parameter is undocumented' {
        $docs = New-Docs ([ordered]@{ '### -Force' = '### -Forced' })
        $message = Get-ConversionError $docs -WithCommand
        $message | Should -Match 'parameter -Force of Get-Widget is not documented'
        $message | Should -Match '-Forced is documented but Get-Widget has no such parameter'
    }

    It 'fails when a page documents a cmdlet that is not exported' {
        $docs = New-Docs
        (Get-Content -LiteralPath (Join-Path $docs 'Get-Widget.md') -Raw).Replace('# Get-Widget', '# Remove-Widget') |
            Set-Content -LiteralPath (Join-Path $docs 'Remove-Widget.md')
        Get-ConversionError $docs -WithCommand | Should -Match 'documents Remove-Widget, which the module does not export'
    }

    It 'fails when <Field> disagrees with the cmdlet' -ForEach @(
        @{ Field = 'Position'; Old = "Position: 0"; New = 'Position: 1'; Expected = 'Position says 1 but is 0 in set ByName' }
        @{ Field = 'Required'; Old = "Required: True`nPosition: Named"; New = "Required: False`nPosition: Named"; Expected = 'Required says False but is True in set ById' }
        @{ Field = 'Aliases'; Old = 'Aliases: WidgetName'; New = 'Aliases: WidgetId'; Expected = "Aliases say 'WidgetId' but the cmdlet has 'WidgetName'" }
        @{ Field = 'Type'; Old = 'Type: Int32'; New = 'Type: Int64'; Expected = "Type says 'Int64' but the parameter is \[Int32\]" }
        @{ Field = 'Parameter Sets'; Old = 'Parameter Sets: ById'; New = 'Parameter Sets: (All)'; Expected = "-Id: Parameter Sets say 'ByName, ById' but the cmdlet has it in 'ById'" }
        @{ Field = 'Accept pipeline input'; Old = 'True (ByValue, ByPropertyName)'; New = 'True (ByValue)'; Expected = "says 'True \(ByValue\)' but is 'True \(ByValue, ByPropertyName\)'" }
        @{ Field = 'Accepted values'; Old = 'Accepted values: Slow, Fast'; New = 'Accepted values: Slow, Fast, Ludicrous'; Expected = "Accepted values say 'Slow, Fast, Ludicrous'" }
    ) {
        Get-ConversionError (New-Docs ([ordered]@{ $Old = $New })) -WithCommand | Should -Match $Expected
    }

    It 'lists every problem in one error' {
        $message = Get-ConversionError (New-Docs ([ordered]@{ '## NOTES' = '## REMARKS'; 'Position: 0' = 'Position: 2' })) -WithCommand
        $message | Should -Match 'failed with 2 problem\(s\)'
        $message | Should -Match "unknown heading '## REMARKS'"
        $message | Should -Match 'Position says 2'
    }
}
