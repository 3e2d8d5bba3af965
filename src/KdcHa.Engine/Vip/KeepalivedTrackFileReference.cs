namespace KdcHa.Vip;

/// <summary>A name in an instance's <c>track_file</c> list, with the weight it may override there.</summary>
public sealed class KeepalivedTrackFileReference
{
    public string Name { get; init; } = string.Empty;

    public int? Weight { get; init; }

    public bool Reverse { get; init; }
}
