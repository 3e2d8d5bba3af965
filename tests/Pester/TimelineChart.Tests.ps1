# The demo report's timeline chart: our own SVG renderer, checked as XML rather than by eye.
BeforeAll {
    Import-Module "$PSScriptRoot/../../build/Demo/TimelineChart.psm1" -Force
    $svgNamespace = @{ s = 'http://www.w3.org/2000/svg' }

    function New-Timeline {
        [pscustomobject]@{
            Title      = 'Hung <KDC> & "friends"'
            StartMs    = 10000
            EndMs      = 20000
            Nodes      = 'kdc1', 'kdc2'
            VipHolders = @(
                [pscustomobject]@{ MonoMs = 10000; Holders = @('kdc1') }
                [pscustomobject]@{ MonoMs = 14000; Holders = @('kdc1', 'kdc2') }
                [pscustomobject]@{ MonoMs = 15000; Holders = @('kdc2') }
            )
            Health     = @(
                [pscustomobject]@{ MonoMs = 10000; Node = 'kdc1'; Healthy = $true }
                [pscustomobject]@{ MonoMs = 10000; Node = 'kdc2'; Healthy = $true }
                [pscustomobject]@{ MonoMs = 13500; Node = 'kdc1'; Healthy = $false }
            )
            Attempts   = @(0..9 | ForEach-Object { [pscustomobject]@{ StartMonoMs = 10000 + $_ * 1000; DurationMs = 20; ExitCode = [int]($_ -eq 4) } })
            Markers    = @([pscustomobject]@{ MonoMs = 13000; Label = 'SIGSTOP kdc1' })
        }
    }
}

Describe 'ConvertTo-KdcHaTimelineSvg' {
    BeforeAll {
        $timeline = New-Timeline
        [xml] $svg = ConvertTo-KdcHaTimelineSvg -Timeline $timeline -Width 1000
    }

    It 'is well-formed SVG with the title escaped' {
        $svg.DocumentElement.LocalName | Should -Be 'svg'
        $svg.DocumentElement.NamespaceURI | Should -Be 'http://www.w3.org/2000/svg'
        (Select-Xml -Xml $svg -XPath '//s:text' -Namespace $svgNamespace).Node.InnerText | Should -Contain 'Hung <KDC> & "friends"'
    }

    It 'draws one bar per client attempt, red for failures and tall enough to see' {
        $bars = @((Select-Xml -Xml $svg -XPath '//s:rect[@width="2"]' -Namespace $svgNamespace).Node)
        $bars.Count | Should -Be 10
        @($bars | Where-Object fill -EQ '#dc2626').Count | Should -Be 1
        [double] ($bars | Where-Object fill -EQ '#dc2626').height | Should -BeGreaterThan 20
    }

    It 'splits the VIP lane in two while two nodes hold the VIP' {
        $halfBars = @((Select-Xml -Xml $svg -XPath '//s:rect[@height="13"]' -Namespace $svgNamespace).Node)
        $halfBars.Count | Should -Be 2
        # 14000..15000 ms of a 10000 ms range over 1000 - 150 - 20 = 830 px: 83 px wide.
        [double] $halfBars[0].width | Should -Be 83
    }

    It 'marks each fault with a labelled line at its time' {
        $line = (Select-Xml -Xml $svg -XPath '//s:line[@stroke-dasharray]' -Namespace $svgNamespace).Node
        [double] $line.x1 | Should -Be (150 + 0.3 * 830)
        (Select-Xml -Xml $svg -XPath '//s:text' -Namespace $svgNamespace).Node.InnerText | Should -Contain 'SIGSTOP kdc1'
    }

    It 'keeps states recorded before the chart starts inside the plot area' {
        $early = New-Timeline
        $early.Health = @([pscustomobject]@{ MonoMs = 4000; Node = 'kdc1'; Healthy = $true }) + $early.Health
        [xml] $clipped = ConvertTo-KdcHaTimelineSvg -Timeline $early -Width 1000
        $bars = @((Select-Xml -Xml $clipped -XPath '//s:rect[@fill="#16a34a" or @fill="#dc2626"]' -Namespace $svgNamespace).Node)
        $bars | ForEach-Object { [double] $_.x | Should -BeGreaterOrEqual 150 }
        $bars | ForEach-Object { [double] $_.x + [double] $_.width | Should -BeLessOrEqual 980 }
    }

    It 'renders a PNG when rsvg-convert is installed' -Skip:(-not (Get-Command rsvg-convert -CommandType Application -ErrorAction Ignore)) {
        $svgPath = Join-Path ([IO.Path]::GetTempPath()) "kdcha-chart-$PID.svg"
        try {
            Set-Content -LiteralPath $svgPath -Value $svg.OuterXml
            $png = ConvertTo-KdcHaTimelinePng -SvgPath $svgPath
            $png | Should -Exist
            [IO.File]::ReadAllBytes($png)[1..3] | Should -Be ([byte[]][char[]]'PNG')
        }
        finally {
            Remove-Item -LiteralPath $svgPath, ([IO.Path]::ChangeExtension($svgPath, '.png')) -ErrorAction Ignore
        }
    }
}
