namespace KdcHa.Vip;

/// <summary>A top-level <c>track_file</c> block: keepalived reads a number from the file on every change.</summary>
public sealed class KeepalivedTrackFile
{
    public string Name { get; init; } = string.Empty;

    public string? FilePath { get; init; }

    /// <summary>keepalived's default when the block names none is 1.</summary>
    public int Weight { get; init; } = 1;

    public bool Reverse { get; init; }

    public bool HasInitFile { get; init; }

    /// <summary><c>init_file ... overwrite</c> resets the file at every start, which would end a maintenance.</summary>
    public bool InitFileOverwrites { get; init; }
}
