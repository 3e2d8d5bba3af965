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

function Get-ProcessCpuMilliseconds {
    # User plus system CPU time of processes, from /proc/<pid>/stat (fields 14 and 15, in USER_HZ = 100 per second).
    param([Parameter(Mandatory)] [int[]] $ProcessId)
    ($ProcessId | ForEach-Object {
            $stat = [IO.File]::ReadAllText("/proc/$_/stat")
            $fields = $stat.Substring($stat.LastIndexOf(')') + 2).Split(' ')
            ([long]$fields[11] + [long]$fields[12]) * 10
        } | Measure-Object -Sum).Sum
}

Export-ModuleMember -Function Get-Median, Format-Milliseconds, Get-ProcessCpuMilliseconds
