namespace KdcHa.Vip;

/// <summary>The value keepalived reads from the KdcHa track_file: set demotes the node, clear restores it.</summary>
public interface IMaintenanceFlag
{
    string Path { get; }

    bool IsSet { get; }

    void Set();

    void Clear();
}
