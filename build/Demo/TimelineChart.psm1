# Renders a failover timeline as SVG with no external service: who held the VIP, each node's KDC health, every
# client kinit attempt (green ok, red failed; height = duration) and the injected faults, on one time axis.

Set-StrictMode -Version 3.0

$script:Palette = @{
    Background = '#ffffff'; Grid = '#e5e7eb'; Text = '#111827'; Muted = '#6b7280'
    Healthy = '#16a34a'; Unhealthy = '#dc2626'; Unknown = '#d1d5db'; Fault = '#7c3aed'
    Nodes = @('#2563eb', '#ea580c', '#0891b2', '#9333ea')
}

function Get-NodeColor([string[]] $Nodes, [string] $Node) {
    $script:Palette.Nodes[[array]::IndexOf($Nodes, $Node) % $script:Palette.Nodes.Count]
}

# Turns time-stamped states into [from, to) spans that end where the next state starts, clipped to the chart's
# range: a state recorded before the chart starts (a monitor coming up) still colours the lane from its start.
function ConvertTo-Span([object[]] $Changes, [double] $StartMs, [double] $EndMs) {
    $ordered = @($Changes | Sort-Object MonoMs)
    for ($index = 0; $index -lt $ordered.Count; $index++) {
        $to = [math]::Min($EndMs, $(if ($index + 1 -lt $ordered.Count) { $ordered[$index + 1].MonoMs } else { $EndMs }))
        $from = [math]::Max($StartMs, $ordered[$index].MonoMs)
        if ($to -gt $from) {
            [pscustomobject]@{ FromMs = $from; ToMs = $to; Value = $ordered[$index].Value }
        }
    }
}

function ConvertTo-KdcHaTimelineSvg {
    <#
    .SYNOPSIS
    Renders a timeline to an SVG document (string).
    .PARAMETER Timeline
    An object with: Title; StartMs and EndMs (monotonic milliseconds); Nodes (names); VipHolders (MonoMs, Holders:
    node names holding the VIP from then on); Health (MonoMs, Node, Healthy); Attempts (StartMonoMs, DurationMs,
    ExitCode); Markers (MonoMs, Label).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] $Timeline, [int] $Width = 1200)

    $nodes = @($Timeline.Nodes)
    $left = 150; $right = 20; $top = 50; $laneHeight = 26; $laneGap = 10; $attemptHeight = 120
    $plotWidth = $Width - $left - $right
    $duration = [math]::Max(1.0, $Timeline.EndMs - $Timeline.StartMs)
    $x = { param([double] $ms) [math]::Round($left + ($ms - $Timeline.StartMs) / $duration * $plotWidth, 2) }
    $lanes = @('VIP holder') + ($nodes | ForEach-Object { "$_ KDC health" })
    $attemptsTop = $top + $lanes.Count * ($laneHeight + $laneGap) + 10
    $axisY = $attemptsTop + $attemptHeight + 10
    $height = $axisY + 60
    $maxDuration = [math]::Max(1000.0, (@($Timeline.Attempts | ForEach-Object DurationMs) + 0 | Measure-Object -Maximum).Maximum)

    $settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; OmitXmlDeclaration = $true }
    $buffer = [System.Text.StringBuilder]::new()
    $svg = [System.Xml.XmlWriter]::Create($buffer, $settings)
    $element = {
        param([string] $Name, [hashtable] $Attributes, [string] $Text)
        $svg.WriteStartElement($Name, 'http://www.w3.org/2000/svg')
        foreach ($key in $Attributes.Keys | Sort-Object) { $svg.WriteAttributeString($key, [string] $Attributes[$key]) }
        if ($Text) { $svg.WriteString($Text) }
        $svg.WriteEndElement()
    }

    $svg.WriteStartElement('svg', 'http://www.w3.org/2000/svg')
    $svg.WriteAttributeString('width', $Width)
    $svg.WriteAttributeString('height', $height)
    $svg.WriteAttributeString('viewBox', "0 0 $Width $height")
    $svg.WriteAttributeString('font-family', 'DejaVu Sans, Arial, sans-serif')
    & $element 'rect' @{ x = 0; y = 0; width = $Width; height = $height; fill = $Palette.Background }
    & $element 'text' @{ x = 10; y = 24; 'font-size' = 16; 'font-weight' = 'bold'; fill = $Palette.Text } $Timeline.Title

    for ($index = 0; $index -lt $lanes.Count; $index++) {
        $y = $top + $index * ($laneHeight + $laneGap)
        & $element 'text' @{ x = 10; y = $y + 17; 'font-size' = 12; fill = $Palette.Text } $lanes[$index]
        & $element 'rect' @{ x = $left; y = $y; width = $plotWidth; height = $laneHeight; fill = $Palette.Unknown; 'fill-opacity' = 0.3 }
    }

    # Lane 0: the VIP holder; two holders at once (split brain) draw as two half-height bars.
    $holderChanges = @($Timeline.VipHolders | ForEach-Object { [pscustomobject]@{ MonoMs = $_.MonoMs; Value = @($_.Holders) } })
    foreach ($span in ConvertTo-Span $holderChanges $Timeline.StartMs $Timeline.EndMs) {
        $holders = @($span.Value)
        for ($index = 0; $index -lt $holders.Count; $index++) {
            $barHeight = $laneHeight / $holders.Count
            & $element 'rect' @{
                x = & $x $span.FromMs; y = $top + $index * $barHeight; height = $barHeight
                width = [math]::Max(0.5, (& $x $span.ToMs) - (& $x $span.FromMs)); fill = Get-NodeColor $nodes $holders[$index]
            }
        }
    }

    for ($nodeIndex = 0; $nodeIndex -lt $nodes.Count; $nodeIndex++) {
        $y = $top + ($nodeIndex + 1) * ($laneHeight + $laneGap)
        $changes = @($Timeline.Health | Where-Object Node -EQ $nodes[$nodeIndex] | ForEach-Object { [pscustomobject]@{ MonoMs = $_.MonoMs; Value = [bool] $_.Healthy } })
        foreach ($span in ConvertTo-Span $changes $Timeline.StartMs $Timeline.EndMs) {
            & $element 'rect' @{
                x = & $x $span.FromMs; y = $y; height = $laneHeight
                width = [math]::Max(0.5, (& $x $span.ToMs) - (& $x $span.FromMs)); fill = if ($span.Value) { $Palette.Healthy } else { $Palette.Unhealthy }
            }
        }
    }

    & $element 'text' @{ x = 10; y = $attemptsTop + 14; 'font-size' = 12; fill = $Palette.Text } 'client kinit'
    & $element 'text' @{ x = 10; y = $attemptsTop + 30; 'font-size' = 10; fill = $Palette.Muted } "height = duration (max $([math]::Round($maxDuration / 1000, 1)) s)"
    & $element 'line' @{ x1 = $left; x2 = $left + $plotWidth; y1 = $attemptsTop + $attemptHeight; y2 = $attemptsTop + $attemptHeight; stroke = $Palette.Grid }
    foreach ($attempt in $Timeline.Attempts) {
        # A refused attempt fails fast: give failures a height that shows, whatever their duration.
        $minimumHeight = if ($attempt.ExitCode -eq 0) { 2 } else { $attemptHeight / 4 }
        $barHeight = [math]::Max($minimumHeight, $attempt.DurationMs / $maxDuration * $attemptHeight)
        & $element 'rect' @{
            x = & $x $attempt.StartMonoMs; y = $attemptsTop + $attemptHeight - $barHeight; width = 2; height = [math]::Round($barHeight, 2)
            fill = if ($attempt.ExitCode -eq 0) { $Palette.Healthy } else { $Palette.Unhealthy }
        }
    }

    foreach ($marker in $Timeline.Markers) {
        $markerX = & $x $marker.MonoMs
        & $element 'line' @{ x1 = $markerX; x2 = $markerX; y1 = $top - 8; y2 = $axisY; stroke = $Palette.Fault; 'stroke-dasharray' = '4 3' }
        & $element 'text' @{ x = $markerX + 3; y = $top - 10; 'font-size' = 10; fill = $Palette.Fault } $marker.Label
    }

    $step = @(1, 2, 5, 10, 15, 30, 60, 120, 300) | Where-Object { $duration / 1000 / $_ -le 12 } | Select-Object -First 1
    for ($second = 0; $second * 1000 -le $duration; $second += $step) {
        $tickX = & $x ($Timeline.StartMs + $second * 1000)
        & $element 'line' @{ x1 = $tickX; x2 = $tickX; y1 = $axisY; y2 = $axisY + 5; stroke = $Palette.Muted }
        & $element 'text' @{ x = $tickX; y = $axisY + 18; 'font-size' = 10; 'text-anchor' = 'middle'; fill = $Palette.Muted } "$second s"
    }

    $legendX = $left
    foreach ($entry in @($nodes | ForEach-Object { @{ Label = "$_ holds VIP"; Color = Get-NodeColor $nodes $_ } }) + @(
            @{ Label = 'healthy / kinit ok'; Color = $Palette.Healthy }, @{ Label = 'unhealthy / kinit failed'; Color = $Palette.Unhealthy }, @{ Label = 'fault injected'; Color = $Palette.Fault })) {
        & $element 'rect' @{ x = $legendX; y = $axisY + 32; width = 12; height = 12; fill = $entry.Color }
        & $element 'text' @{ x = $legendX + 16; y = $axisY + 42; 'font-size' = 11; fill = $Palette.Text } $entry.Label
        $legendX += 24 + 7 * $entry.Label.Length
    }

    $svg.WriteEndElement()
    $svg.Flush()
    $svg.Dispose()
    $buffer.ToString()
}

function ConvertTo-KdcHaTimelinePng {
    <#
    .SYNOPSIS
    Converts an SVG file to PNG with rsvg-convert when it is installed; returns the PNG path, or nothing.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $SvgPath)
    $renderer = Get-Command rsvg-convert -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    if (-not $renderer) {
        Write-Verbose 'rsvg-convert (Debian package librsvg2-bin) is not installed: no PNG.'
        return
    }
    $pngPath = [IO.Path]::ChangeExtension($SvgPath, '.png')
    & $renderer.Source --format png --output $pngPath $SvgPath
    if ($LASTEXITCODE -ne 0) { throw "rsvg-convert failed on $SvgPath (exit $LASTEXITCODE)." }
    $pngPath
}

Export-ModuleMember -Function ConvertTo-KdcHaTimelineSvg, ConvertTo-KdcHaTimelinePng
