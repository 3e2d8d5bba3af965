# Shared arithmetic for the benchmark scripts: every figure in docs/benchmarks.md is a median over repeated runs.

function Get-Median {
    param([Parameter(Mandatory)] [double[]] $Value)
    $sorted = $Value | Sort-Object
    $middle = [math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { $sorted[$middle] } else { ($sorted[$middle - 1] + $sorted[$middle]) / 2 }
}

function Format-Milliseconds {
    param([Parameter(Mandatory)] [double] $Value)
    '{0:N1} ms' -f $Value
}

Export-ModuleMember -Function Get-Median, Format-Milliseconds
