# Converts PlatyPS (schema 2.0.0) markdown into MAML help and about_*.help.txt, without PlatyPS.
# Public: ConvertTo-KdcHaMaml. Everything else is private.
Set-StrictMode -Version 3.0

$script:Ns = @{
    Msh     = 'http://msh'
    Maml    = 'http://schemas.microsoft.com/maml/2004/10'
    Command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    Dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}
# The order PlatyPS writes and the only ## headings a cmdlet page may have.
$script:Sections = @('SYNOPSIS', 'SYNTAX', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS', 'INPUTS', 'OUTPUTS', 'NOTES', 'RELATED LINKS')
$script:RequiredSections = @('SYNOPSIS', 'SYNTAX', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS')
$script:YamlKeys = @('Type', 'Parameter Sets', 'Aliases', 'Accepted values', 'Required', 'Position', 'Default value',
    'Accept pipeline input', 'Accept wildcard characters')
$script:CommonParameters = [System.Management.Automation.Cmdlet]::CommonParameters +
    [System.Management.Automation.Cmdlet]::OptionalCommonParameters

# ---------------------------------------------------------------------------------------------------------------
# Markdown reading
# ---------------------------------------------------------------------------------------------------------------

# Splits a file into front matter and headed sections. Lines inside ``` fences are never headings.
function Split-Markdown([string] $Path, [System.Collections.Generic.List[string]] $Problems) {
    $lines = [System.IO.File]::ReadAllText($Path) -split '\r?\n'
    $front = [ordered]@{}
    $i = 0
    if ($lines.Count -gt 0 -and $lines[0] -eq '---') {
        for ($i = 1; $i -lt $lines.Count -and $lines[$i] -ne '---'; $i++) {
            if ($lines[$i] -match '^([^:]+):\s*(.*)$') {
                $front[$Matches[1].Trim()] = $Matches[2].Trim()
            }
            elseif ($lines[$i].Trim()) {
                $Problems.Add("${Path}:$($i + 1): front matter line is not 'key: value': $($lines[$i])")
            }
        }
        if ($i -ge $lines.Count) {
            $Problems.Add("${Path}:1: front matter has no closing '---'.")
        }
        $i++
    }
    $headings = [System.Collections.Generic.List[object]]::new()
    $inFence = $false
    for (; $i -lt $lines.Count; $i++) {
        $line = $lines[$i]
        if ($line -match '^\s*```') {
            $inFence = -not $inFence
        }
        if (-not $inFence -and $line -match '^(#{1,6})\s+(.+?)\s*$') {
            $headings.Add([pscustomobject]@{ Level = $Matches[1].Length; Title = $Matches[2]; Line = $i + 1; Body = [System.Collections.Generic.List[string]]::new() })
        }
        elseif ($headings.Count -gt 0) {
            $headings[-1].Body.Add($line)
        }
        elseif ($line.Trim()) {
            $Problems.Add("${Path}:$($i + 1): text before the first heading.")
        }
    }
    [pscustomobject]@{ FrontMatter = $front; Headings = $headings }
}

# Separates ``` fences from text: returns items @{ Kind = 'Text'|'Fence'; Info; Lines }.
function Split-Fence([string[]] $Lines) {
    $items = [System.Collections.Generic.List[object]]::new()
    $current = $null
    foreach ($line in $Lines) {
        if ($line -match '^\s*```(.*)$') {
            if ($current -and $current.Kind -eq 'Fence') {
                $items.Add($current); $current = $null
                continue
            }
            if ($current) { $items.Add($current) }
            $current = [pscustomobject]@{ Kind = 'Fence'; Info = $Matches[1].Trim(); Lines = [System.Collections.Generic.List[string]]::new() }
            continue
        }
        if (-not $current) {
            $current = [pscustomobject]@{ Kind = 'Text'; Info = ''; Lines = [System.Collections.Generic.List[string]]::new() }
        }
        $current.Lines.Add($line)
    }
    if ($current) { $items.Add($current) }
    , $items
}

# Markdown text to paragraphs: blank lines separate them, soft-wrapped lines are joined, lists, tables and
# code keep their line breaks.
function ConvertTo-Paragraph([string[]] $Lines) {
    $paragraphs = [System.Collections.Generic.List[string]]::new()
    $items = Split-Fence $Lines
    foreach ($item in $items) {
        if ($item.Kind -eq 'Fence') {
            if ($item.Lines.Count) { $paragraphs.Add(($item.Lines -join "`n")) }
            continue
        }
        $block = [System.Collections.Generic.List[string]]::new()
        foreach ($line in @($item.Lines) + '') {
            if ($line.Trim()) { $block.Add($line.TrimEnd()); continue }
            if ($block.Count -eq 0) { continue }
            if ($block | Where-Object { $_ -match '^\s*([-*+]|\d+\.)\s|^\s*\|' }) {
                $paragraphs.Add(($block -join "`n"))
            }
            else {
                $paragraphs.Add((($block | ForEach-Object Trim) -join ' '))
            }
            $block.Clear()
        }
    }
    , $paragraphs
}

function Read-ParameterYaml([object] $Fence, [string] $Path, [int] $Line, [System.Collections.Generic.List[string]] $Problems) {
    $yaml = [ordered]@{}
    foreach ($entry in $Fence.Lines) {
        if (-not $entry.Trim()) { continue }
        if ($entry -notmatch '^([^:]+):\s*(.*)$' -or $Matches[1].Trim() -notin $script:YamlKeys) {
            $Problems.Add("${Path}:${Line}: unknown parameter metadata line '$entry'; expected one of: $($script:YamlKeys -join ', ').")
            continue
        }
        $yaml[$Matches[1].Trim()] = $Matches[2].Trim()
    }
    foreach ($key in 'Type', 'Parameter Sets', 'Required', 'Position', 'Accept pipeline input') {
        if (-not $yaml.Contains($key)) {
            $Problems.Add("${Path}:${Line}: parameter metadata lacks '${key}:'.")
        }
    }
    [pscustomobject]@{
        Type           = "$($yaml['Type'])"
        ParameterSets  = @("$($yaml['Parameter Sets'])" -split '\s*,\s*' | Where-Object { $_ })
        Aliases        = @("$($yaml['Aliases'])" -split '\s*,\s*' | Where-Object { $_ -and $_ -ne 'None' })
        AcceptedValues = @("$($yaml['Accepted values'])" -split '\s*,\s*' | Where-Object { $_ })
        Required       = "$($yaml['Required'])" -eq 'True'
        Position       = if ("$($yaml['Position'])" -match '^\d+$') { $yaml['Position'] } else { 'Named' }
        DefaultValue   = if ("$($yaml['Default value'])" -in '', 'None') { 'None' } else { $yaml['Default value'] }
        PipelineInput  = if ($yaml['Accept pipeline input']) { $yaml['Accept pipeline input'] } else { 'False' }
        Globbing       = "$($yaml['Accept wildcard characters'])" -eq 'True'
    }
}

# Parses one cmdlet page into an object; appends every problem (file:line: message) to $Problems.
function Read-CmdletMarkdown([string] $Path, [System.Collections.Generic.List[string]] $Problems) {
    $doc = Split-Markdown $Path $Problems
    if ($doc.FrontMatter['schema'] -ne '2.0.0') {
        $Problems.Add("${Path}:1: front matter must say 'schema: 2.0.0' (PlatyPS 2.0.0 markdown); found '$($doc.FrontMatter['schema'])'.")
    }
    $name = [System.IO.Path]::GetFileNameWithoutExtension($Path)
    $help = [pscustomobject]@{
        Path = $Path; Name = $name; OnlineVersion = "$($doc.FrontMatter['online version'])"
        Synopsis = @(); Description = @(); SyntaxSets = [System.Collections.Generic.List[object]]::new()
        Examples = [System.Collections.Generic.List[object]]::new(); Parameters = [System.Collections.Generic.List[object]]::new()
        Inputs = [System.Collections.Generic.List[object]]::new(); Outputs = [System.Collections.Generic.List[object]]::new()
        Notes = @(); Links = [System.Collections.Generic.List[object]]::new(); HasCommonParameters = $false
    }
    $headings = $doc.Headings
    if ($headings.Count -eq 0 -or $headings[0].Level -ne 1) {
        $Problems.Add("${Path}:1: the page must start with '# $name'.")
        return $help
    }
    if ($headings[0].Title -ne $name) {
        $Problems.Add("${Path}:$($headings[0].Line): '# $($headings[0].Title)' does not match the file name $name.md.")
    }
    $seen = [System.Collections.Generic.List[string]]::new()
    $section = $null
    foreach ($h in $headings | Select-Object -Skip 1) {
        $where = "${Path}:$($h.Line)"
        $text = ConvertTo-Paragraph $h.Body
        if ($h.Level -eq 2) {
            $section = $h.Title
            if ($section -notin $script:Sections) {
                $Problems.Add("${where}: unknown heading '## $section'; PlatyPS 2.0.0 allows: $($script:Sections -join ', ').")
                continue
            }
            if ($seen -contains $section) {
                $Problems.Add("${where}: duplicate '## $section'.")
            }
            elseif ($seen.Count -and $script:Sections.IndexOf($section) -lt $script:Sections.IndexOf($seen[-1])) {
                $Problems.Add("${where}: '## $section' is out of order; the order is $($script:Sections -join ', ').")
            }
            $seen.Add($section)
            switch ($section) {
                'SYNOPSIS' { $help.Synopsis = $text }
                'DESCRIPTION' { $help.Description = $text }
                'NOTES' { $help.Notes = $text }
                'RELATED LINKS' {
                    foreach ($m in [regex]::Matches(($h.Body -join "`n"), '\[([^\]]+)\]\(([^)]*)\)')) {
                        $uri = $m.Groups[2].Value
                        $help.Links.Add([pscustomobject]@{ Text = $m.Groups[1].Value; Uri = $(if ($uri -match '^[a-z]+://') { $uri } else { '' }) })
                    }
                }
                default {
                    if ($text.Count) { $Problems.Add("${where}: text directly under '## $section' belongs under a '###' heading.") }
                }
            }
            continue
        }
        if ($h.Level -ne 3 -or $section -notin 'SYNTAX', 'EXAMPLES', 'PARAMETERS', 'INPUTS', 'OUTPUTS') {
            $Problems.Add("${where}: unexpected heading '$('#' * $h.Level) $($h.Title)' under '## $section'.")
            continue
        }
        $items = Split-Fence $h.Body
        $fences = @($items | Where-Object Kind -EQ 'Fence')
        switch ($section) {
            'SYNTAX' {
                $setName = $h.Title -replace '\s*\(Default\)$', ''
                if ($fences.Count -ne 1) { $Problems.Add("${where}: syntax set '$setName' needs exactly one code fence.") }
                $help.SyntaxSets.Add([pscustomobject]@{ Name = $setName; IsDefault = $h.Title -match '\(Default\)$'; Text = ($fences | ForEach-Object { $_.Lines -join ' ' }) -join ' ' })
            }
            'EXAMPLES' {
                $codeIndex = -1
                for ($k = 0; $k -lt $items.Count -and $codeIndex -lt 0; $k++) { if ($items[$k].Kind -eq 'Fence') { $codeIndex = $k } }
                if ($codeIndex -lt 0 -or -not ($items[$codeIndex].Lines -join '').Trim()) {
                    $Problems.Add("${where}: example '$($h.Title)' has no code fence.")
                    continue
                }
                $before = @($items | Select-Object -First $codeIndex | ForEach-Object Lines)
                $after = @($items | Select-Object -Skip ($codeIndex + 1) | ForEach-Object {
                        if ($_.Kind -eq 'Fence') { '```'; $_.Lines; '```'; '' } else { $_.Lines } })
                $help.Examples.Add([pscustomobject]@{
                        Title        = $h.Title
                        Introduction = ConvertTo-Paragraph $before
                        Code         = ($items[$codeIndex].Lines -join "`n").Trim("`n")
                        Remarks      = ConvertTo-Paragraph $after
                    })
            }
            'PARAMETERS' {
                if ($h.Title -eq 'CommonParameters') { $help.HasCommonParameters = $true; continue }
                if ($h.Title -notmatch '^-(\w+)$') {
                    $Problems.Add("${where}: parameter heading must be '### -Name', found '### $($h.Title)'.")
                    continue
                }
                $paramName = $Matches[1]
                $yaml = @($fences | Where-Object Info -EQ 'yaml')
                $textLines = @($items | Where-Object { $_.Kind -eq 'Text' -or $_.Info -ne 'yaml' } | ForEach-Object {
                        if ($_.Kind -eq 'Fence') { '```'; $_.Lines; '```' } else { $_.Lines } })
                $description = ConvertTo-Paragraph $textLines
                if ($description.Count -eq 0) { $Problems.Add("${where}: parameter -$paramName has no description.") }
                if ($yaml.Count -eq 0) {
                    $Problems.Add("${where}: parameter -$paramName has no '``````yaml' metadata block.")
                    continue
                }
                $help.Parameters.Add([pscustomobject]@{
                        Name        = $paramName
                        Line        = $h.Line
                        Description = $description
                        Blocks      = @($yaml | ForEach-Object { Read-ParameterYaml $_ $Path $h.Line $Problems })
                    })
            }
            default {
                # INPUTS / OUTPUTS: ### type name, then text.
                $help.$(if ($section -eq 'INPUTS') { 'Inputs' } else { 'Outputs' }).Add([pscustomobject]@{ Type = $h.Title; Description = $text })
            }
        }
    }
    foreach ($required in $script:RequiredSections) {
        if ($seen -notcontains $required) { $Problems.Add("${Path}: missing '## $required'.") }
    }
    if ($seen -contains 'SYNOPSIS' -and $help.Synopsis.Count -eq 0) { $Problems.Add("${Path}: '## SYNOPSIS' is empty.") }
    if ($seen -contains 'DESCRIPTION' -and $help.Description.Count -eq 0) { $Problems.Add("${Path}: '## DESCRIPTION' is empty.") }
    if ($seen -contains 'EXAMPLES' -and $help.Examples.Count -eq 0) { $Problems.Add("${Path}: '## EXAMPLES' has no '### Example'.") }
    if ($seen -contains 'SYNTAX' -and $help.SyntaxSets.Count -eq 0) { $Problems.Add("${Path}: '## SYNTAX' has no parameter set.") }
    if ($seen -contains 'PARAMETERS' -and -not $help.HasCommonParameters) { $Problems.Add("${Path}: '## PARAMETERS' lacks '### CommonParameters'.") }
    $placeholder = Select-String -LiteralPath $Path -Pattern '\{\{.*\}\}' | Select-Object -First 1
    if ($placeholder) { $Problems.Add("${Path}:$($placeholder.LineNumber): PlatyPS placeholder left in the page: $($placeholder.Line.Trim())") }
    $help
}

# ---------------------------------------------------------------------------------------------------------------
# Syntax: from the real command when given, else from the markdown's SYNTAX sets and the yaml 'Parameter Sets'
# ---------------------------------------------------------------------------------------------------------------

function Get-PipelineInputText([System.Management.Automation.CommandParameterInfo] $Parameter) {
    $ways = @(if ($Parameter.ValueFromPipeline) { 'ByValue' }; if ($Parameter.ValueFromPipelineByPropertyName) { 'ByPropertyName' })
    if ($ways) { "True ($($ways -join ', '))" } else { 'False' }
}

function Get-DocBlock([object] $Doc, [string] $SetName) {
    $Doc.Blocks | Where-Object { $_.ParameterSets -contains $SetName -or $_.ParameterSets -contains '(All)' } | Select-Object -First 1
}

# Returns @{ Name; Parameters = @(@{ Doc; Block }) } per parameter set, default set first.
function Get-SyntaxItem([object] $Help, [System.Management.Automation.CommandInfo] $Command) {
    if ($Command) {
        $sets = @($Command.ParameterSets | Sort-Object { -not $_.IsDefault })
        foreach ($set in $sets) {
            $params = @($set.Parameters | Where-Object Name -NotIn $script:CommonParameters |
                    Sort-Object { if ($_.Position -ge 0) { $_.Position } else { [int]::MaxValue } }, { -not $_.IsMandatory })
            [pscustomobject]@{
                Name       = $set.Name
                Parameters = @(foreach ($p in $params) {
                        $doc = $Help.Parameters | Where-Object Name -EQ $p.Name
                        $block = [pscustomobject]@{
                            Type = (Get-DocBlock $doc $set.Name).Type; Aliases = @($p.Aliases); Required = $p.IsMandatory
                            Position = $(if ($p.Position -ge 0) { "$($p.Position)" } else { 'Named' })
                            PipelineInput = Get-PipelineInputText $p; Globbing = (Get-DocBlock $doc $set.Name).Globbing
                            AcceptedValues = (Get-DocBlock $doc $set.Name).AcceptedValues; DefaultValue = (Get-DocBlock $doc $set.Name).DefaultValue
                        }
                        [pscustomobject]@{ Doc = $doc; Block = $block }
                    })
            }
        }
        return
    }
    foreach ($set in $Help.SyntaxSets | Sort-Object { -not $_.IsDefault }) {
        $members = foreach ($doc in $Help.Parameters) {
            $block = Get-DocBlock $doc $set.Name
            if ($block) {
                $at = [regex]::Match($set.Text, "-$($doc.Name)\b")
                [pscustomobject]@{ Doc = $doc; Block = $block; Order = $(if ($at.Success) { $at.Index } else { [int]::MaxValue }) }
            }
        }
        [pscustomobject]@{ Name = $set.Name; Parameters = @($members | Sort-Object Order) }
    }
}

# ---------------------------------------------------------------------------------------------------------------
# Drift check: the markdown must describe exactly what the built module exports
# ---------------------------------------------------------------------------------------------------------------

function Test-DocumentationDrift([object[]] $Pages, [System.Management.Automation.CommandInfo[]] $Command,
    [string] $DocsPath, [System.Collections.Generic.List[string]] $Problems) {
    foreach ($cmd in $Command) {
        $page = $Pages | Where-Object Name -EQ $cmd.Name
        if (-not $page) {
            $Problems.Add("$(Join-Path $DocsPath "$($cmd.Name).md"): missing: $($cmd.Name) is exported but has no help page.")
            continue
        }
        $allSets = @($cmd.ParameterSets.Name)
        $realParams = @($cmd.Parameters.Values | Where-Object Name -NotIn $script:CommonParameters)
        foreach ($p in $realParams) {
            $doc = $page.Parameters | Where-Object Name -EQ $p.Name
            if (-not $doc) {
                $Problems.Add("$($page.Path): parameter -$($p.Name) of $($cmd.Name) is not documented (add '### -$($p.Name)' under '## PARAMETERS').")
                continue
            }
            $where = "$($page.Path):$($doc.Line): -$($p.Name)"
            $typeNames = @($p.ParameterType.Name, $p.ParameterType.FullName)
            $realSets = @($cmd.ParameterSets | Where-Object { $_.Parameters.Name -contains $p.Name } | ForEach-Object Name)
            $docSets = @($doc.Blocks.ParameterSets | ForEach-Object { if ($_ -eq '(All)') { $allSets } else { $_ } } | Select-Object -Unique)
            if (Compare-Object $realSets $docSets) {
                $Problems.Add("${where}: Parameter Sets say '$($docSets -join ', ')' but the cmdlet has it in '$($realSets -join ', ')'.")
            }
            foreach ($block in $doc.Blocks) {
                if ($block.Type -notin $typeNames) {
                    $Problems.Add("${where}: Type says '$($block.Type)' but the parameter is [$($p.ParameterType.Name)].")
                }
                if (Compare-Object @($p.Aliases) @($block.Aliases)) {
                    $Problems.Add("${where}: Aliases say '$($block.Aliases -join ', ')' but the cmdlet has '$(@($p.Aliases) -join ', ')'.")
                }
                if ($p.ParameterType.IsEnum -and (Compare-Object ([enum]::GetNames($p.ParameterType)) $block.AcceptedValues)) {
                    $Problems.Add("${where}: Accepted values say '$($block.AcceptedValues -join ', ')' but the enum has '$([enum]::GetNames($p.ParameterType) -join ', ')'.")
                }
                foreach ($setName in $block.ParameterSets | ForEach-Object { if ($_ -eq '(All)') { $allSets } else { $_ } }) {
                    $real = $cmd.ParameterSets | Where-Object Name -EQ $setName | ForEach-Object Parameters | Where-Object Name -EQ $p.Name
                    if (-not $real) { continue }
                    $position = if ($real.Position -ge 0) { "$($real.Position)" } else { 'Named' }
                    $pipeline = Get-PipelineInputText $real
                    if ($real.IsMandatory -ne $block.Required) { $Problems.Add("${where}: Required says $($block.Required) but is $($real.IsMandatory) in set $setName.") }
                    if ($position -ne $block.Position) { $Problems.Add("${where}: Position says $($block.Position) but is $position in set $setName.") }
                    if ($pipeline -ne $block.PipelineInput) { $Problems.Add("${where}: Accept pipeline input says '$($block.PipelineInput)' but is '$pipeline' in set $setName.") }
                }
            }
        }
        foreach ($doc in $page.Parameters | Where-Object Name -NotIn $realParams.Name) {
            $Problems.Add("$($page.Path):$($doc.Line): -$($doc.Name) is documented but $($cmd.Name) has no such parameter.")
        }
        foreach ($set in $page.SyntaxSets | Where-Object Name -NotIn $allSets) {
            $Problems.Add("$($page.Path): syntax set '$($set.Name)' does not exist; $($cmd.Name) has: $($allSets -join ', ').")
        }
    }
    foreach ($page in $Pages | Where-Object Name -NotIn $Command.Name) {
        $Problems.Add("$($page.Path):1: documents $($page.Name), which the module does not export.")
    }
}

# ---------------------------------------------------------------------------------------------------------------
# MAML writing (System.Xml does all the escaping)
# ---------------------------------------------------------------------------------------------------------------

function Write-Element([System.Xml.XmlWriter] $W, [string] $Prefix, [string] $Name, [string] $Text) {
    $W.WriteElementString($Prefix, $Name, $script:Ns[$Prefix], $Text)
}

function Write-Para([System.Xml.XmlWriter] $W, [string] $Prefix, [string] $Name, [string[]] $Paragraphs) {
    $W.WriteStartElement($Prefix, $Name, $script:Ns[$Prefix])
    foreach ($p in $Paragraphs) { Write-Element $W 'maml' 'para' $p }
    $W.WriteEndElement()
}

function Write-TypeElement([System.Xml.XmlWriter] $W, [string] $TypeName) {
    $W.WriteStartElement('dev', 'type', $script:Ns.Dev)
    Write-Element $W 'maml' 'name' $TypeName
    Write-Element $W 'maml' 'uri' ''
    $W.WriteEndElement()
}

function Write-Parameter([System.Xml.XmlWriter] $W, [object] $Doc, [object] $Block, [switch] $InSyntax) {
    $isSwitch = $Block.Type -in 'SwitchParameter', 'System.Management.Automation.SwitchParameter'
    $W.WriteStartElement('command', 'parameter', $script:Ns.Command)
    $W.WriteAttributeString('required', "$($Block.Required)".ToLowerInvariant())
    $W.WriteAttributeString('variableLength', "$($Block.Type.EndsWith('[]'))".ToLowerInvariant())
    $W.WriteAttributeString('globbing', "$($Block.Globbing)".ToLowerInvariant())
    $W.WriteAttributeString('pipelineInput', $Block.PipelineInput)
    $W.WriteAttributeString('position', $Block.Position.ToLowerInvariant())
    $W.WriteAttributeString('aliases', $(if ($Block.Aliases) { $Block.Aliases -join ', ' } else { 'none' }))
    Write-Element $W 'maml' 'name' $Doc.Name
    Write-Para $W 'maml' 'description' $Doc.Description
    if (-not $isSwitch) {
        $W.WriteStartElement('command', 'parameterValue', $script:Ns.Command)
        $W.WriteAttributeString('required', 'true')
        $W.WriteAttributeString('variableLength', "$($Block.Type.EndsWith('[]'))".ToLowerInvariant())
        $W.WriteString($Block.Type)
        $W.WriteEndElement()
    }
    if ($Block.AcceptedValues) {
        $W.WriteStartElement('command', 'parameterValueGroup', $script:Ns.Command)
        foreach ($value in $Block.AcceptedValues) {
            $W.WriteStartElement('command', 'parameterValue', $script:Ns.Command)
            $W.WriteAttributeString('required', 'false')
            $W.WriteAttributeString('command', 'variableLength', $script:Ns.Command, 'false')
            $W.WriteString($value)
            $W.WriteEndElement()
        }
        $W.WriteEndElement()
    }
    Write-TypeElement $W $Block.Type
    if (-not $InSyntax) { Write-Element $W 'dev' 'defaultValue' $Block.DefaultValue }
    $W.WriteEndElement()
}

function Write-CommandHelp([System.Xml.XmlWriter] $W, [object] $Help, [System.Management.Automation.CommandInfo] $Command) {
    $verb, $noun = $Help.Name -split '-', 2
    $W.WriteStartElement('command', 'command', $script:Ns.Command)
    $W.WriteAttributeString('xmlns', 'maml', $null, $script:Ns.Maml)
    $W.WriteAttributeString('xmlns', 'command', $null, $script:Ns.Command)
    $W.WriteAttributeString('xmlns', 'dev', $null, $script:Ns.Dev)

    $W.WriteStartElement('command', 'details', $script:Ns.Command)
    Write-Element $W 'command' 'name' $Help.Name
    Write-Element $W 'command' 'verb' $verb
    Write-Element $W 'command' 'noun' $noun
    Write-Para $W 'maml' 'description' $Help.Synopsis
    $W.WriteEndElement()

    Write-Para $W 'maml' 'description' $Help.Description

    $W.WriteStartElement('command', 'syntax', $script:Ns.Command)
    foreach ($item in Get-SyntaxItem $Help $Command) {
        $W.WriteStartElement('command', 'syntaxItem', $script:Ns.Command)
        Write-Element $W 'maml' 'name' $Help.Name
        foreach ($p in $item.Parameters) { Write-Parameter $W $p.Doc $p.Block -InSyntax }
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteStartElement('command', 'parameters', $script:Ns.Command)
    foreach ($doc in $Help.Parameters) { Write-Parameter $W $doc $doc.Blocks[0] }
    $W.WriteEndElement()

    foreach ($kind in @(@('inputTypes', 'inputType', $Help.Inputs), @('returnValues', 'returnValue', $Help.Outputs))) {
        $W.WriteStartElement('command', $kind[0], $script:Ns.Command)
        foreach ($entry in $kind[2]) {
            $W.WriteStartElement('command', $kind[1], $script:Ns.Command)
            Write-TypeElement $W $entry.Type
            Write-Para $W 'maml' 'description' $entry.Description
            $W.WriteEndElement()
        }
        $W.WriteEndElement()
    }

    $W.WriteStartElement('maml', 'alertSet', $script:Ns.Maml)
    Write-Para $W 'maml' 'alert' $Help.Notes
    $W.WriteEndElement()

    $W.WriteStartElement('command', 'examples', $script:Ns.Command)
    foreach ($example in $Help.Examples) {
        $W.WriteStartElement('command', 'example', $script:Ns.Command)
        Write-Element $W 'maml' 'title' "-------------------------- $($example.Title) --------------------------"
        Write-Para $W 'maml' 'introduction' $example.Introduction
        Write-Element $W 'dev' 'code' $example.Code
        Write-Para $W 'dev' 'remarks' $example.Remarks
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteStartElement('command', 'relatedLinks', $script:Ns.Command)
    $links = @(if ($Help.OnlineVersion) { [pscustomobject]@{ Text = 'Online Version:'; Uri = $Help.OnlineVersion } }) + @($Help.Links)
    foreach ($link in $links) {
        $W.WriteStartElement('maml', 'navigationLink', $script:Ns.Maml)
        Write-Element $W 'maml' 'linkText' $link.Text
        Write-Element $W 'maml' 'uri' $link.Uri
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteEndElement() # command:command
}

# ---------------------------------------------------------------------------------------------------------------
# about_*.md -> about_*.help.txt
# ---------------------------------------------------------------------------------------------------------------

function ConvertTo-Wrapped([string] $Text, [int] $Width = 80) {
    $line = ''
    foreach ($word in $Text -split '\s+' | Where-Object { $_ }) {
        if ($line -and ($line.Length + 1 + $word.Length) -gt $Width) { $line; $line = $word }
        else { $line = if ($line) { "$line $word" } else { $word } }
    }
    if ($line) { $line }
}

function ConvertTo-AboutText([string] $Path, [System.Collections.Generic.List[string]] $Problems) {
    $doc = Split-Markdown $Path $Problems
    if ($doc.FrontMatter.Contains('schema') -and $doc.FrontMatter['schema'] -ne '2.0.0') {
        $Problems.Add("${Path}:1: front matter must say 'schema: 2.0.0'; found '$($doc.FrontMatter['schema'])'.")
    }
    $topic = [System.IO.Path]::GetFileNameWithoutExtension($Path)
    if ($doc.Headings.Count -eq 0 -or $doc.Headings[0].Title -ne $topic) {
        $Problems.Add("${Path}:1: an about page must start with '# $topic'.")
        return
    }
    if (-not ($doc.Headings | Where-Object Title -EQ 'SHORT DESCRIPTION')) {
        $Problems.Add("${Path}: missing '# SHORT DESCRIPTION' (Get-Help lists the topic with it).")
    }
    $out = [System.Collections.Generic.List[string]]::new()
    $out.Add('TOPIC'); $out.Add("    $topic"); $out.Add('')
    foreach ($h in $doc.Headings | Select-Object -Skip 1) {
        if ($h.Title -eq $topic) { continue } # PlatyPS's template repeats the topic as '## about_X'
        if ($h.Level -eq 1) { $out.Add($h.Title.ToUpperInvariant()) }
        else { $out.Add($h.Title); $out.Add('-' * $h.Title.Length) }
        $items = Split-Fence $h.Body
        foreach ($item in $items) {
            if ($item.Kind -eq 'Fence') {
                $item.Lines | ForEach-Object { $out.Add("    $_".TrimEnd()) }
                $out.Add('')
                continue
            }
            $paragraphs = ConvertTo-Paragraph $item.Lines
            foreach ($p in $paragraphs) {
                if ($p.Contains("`n")) { $p -split "`n" | ForEach-Object { $out.Add($_) } }
                else { ConvertTo-Wrapped $p | ForEach-Object { $out.Add($_) } }
                $out.Add('')
            }
        }
        if ($out[-1] -ne '') { $out.Add('') }
    }
    ($out -join "`n").TrimEnd() + "`n"
}

# ---------------------------------------------------------------------------------------------------------------
# Public entry point
# ---------------------------------------------------------------------------------------------------------------

function ConvertTo-KdcHaMaml {
    <#
    .SYNOPSIS
        Converts PlatyPS 2.0.0 markdown in -DocsPath into <ModuleName>.dll-Help.xml and about_*.help.txt.
    .DESCRIPTION
        Every <Cmdlet>.md becomes one command:command in <OutputPath>/<ModuleName>.dll-Help.xml; every about_*.md
        becomes <OutputPath>/about_*.help.txt. Other .md files are ignored only when listed in -Exclude (the
        module page <ModuleName>.md is excluded by default).
        With -Command (the CommandInfo objects exported by the built module) the syntax comes from the real
        parameter sets and the conversion fails when the markdown and the module disagree: an exported cmdlet
        without a page, a page for a cmdlet that is not exported, an undocumented or stale parameter, or a
        parameter whose Type, Parameter Sets, Aliases, Required, Position, Accept pipeline input or enum
        Accepted values differ from the cmdlet's. Every problem is collected, then one error lists them all
        (file:line: message). Nothing is written when there is any problem.
    .OUTPUTS
        System.IO.FileInfo for each file written.
    #>
    [CmdletBinding()]
    [OutputType([System.IO.FileInfo])]
    param(
        [Parameter(Mandatory)] [string] $DocsPath,
        [Parameter(Mandatory)] [string] $OutputPath,
        [ValidatePattern('^[\w.]+$')] [string] $ModuleName = 'KdcHa',
        [System.Management.Automation.CommandInfo[]] $Command,
        [string[]] $Exclude = @("$ModuleName.md", 'benchmarks.md', 'deploy.md', 'README.md')
    )
    $DocsPath = (Resolve-Path -LiteralPath $DocsPath -ErrorAction Stop).ProviderPath
    $problems = [System.Collections.Generic.List[string]]::new()
    $files = @(Get-ChildItem -LiteralPath $DocsPath -Filter *.md -File | Where-Object Name -NotIn $Exclude | Sort-Object Name)
    $aboutFiles = @($files | Where-Object Name -Like 'about_*.md')
    $pages = @($files | Where-Object Name -NotLike 'about_*.md' | ForEach-Object { Read-CmdletMarkdown $_.FullName $problems })
    $abouts = @(foreach ($file in $aboutFiles) {
            [pscustomobject]@{ Name = $file.BaseName; Text = ConvertTo-AboutText $file.FullName $problems }
        })
    if ($PSBoundParameters.ContainsKey('Command')) {
        Test-DocumentationDrift $pages $Command $DocsPath $problems
    }
    elseif ($pages.Count -eq 0) {
        $problems.Add("${DocsPath}: no cmdlet pages (*.md) found.")
    }
    if ($problems.Count) {
        throw "Help conversion failed with $($problems.Count) problem(s):`n  $($problems -join "`n  ")"
    }

    $OutputPath = [System.IO.Directory]::CreateDirectory($ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath)).FullName
    $mamlPath = Join-Path $OutputPath "$ModuleName.dll-Help.xml"
    $settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
    $writer = [System.Xml.XmlWriter]::Create($mamlPath, $settings)
    try {
        $writer.WriteStartDocument()
        $writer.WriteStartElement('helpItems', $script:Ns.Msh)
        $writer.WriteAttributeString('schema', 'maml')
        foreach ($page in $pages) {
            $real = if ($Command) { $Command | Where-Object Name -EQ $page.Name | Select-Object -First 1 }
            Write-CommandHelp $writer $page $real
        }
        $writer.WriteEndElement()
        $writer.WriteEndDocument()
    }
    finally {
        $writer.Dispose()
    }
    Get-Item -LiteralPath $mamlPath
    foreach ($about in $abouts) {
        $aboutPath = Join-Path $OutputPath "$($about.Name).help.txt"
        [System.IO.File]::WriteAllText($aboutPath, $about.Text, [System.Text.UTF8Encoding]::new($false))
        Get-Item -LiteralPath $aboutPath
    }
}

Export-ModuleMember -Function ConvertTo-KdcHaMaml
