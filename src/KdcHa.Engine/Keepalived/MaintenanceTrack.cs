using System;
using System.IO;
using System.Linq;
using KdcHa.Vrrp;

namespace KdcHa.Keepalived;

/// <summary>
/// The KdcHa-owned keepalived track_file of one VRRP instance: named <c>kdcha_maint_&lt;instance&gt;</c>, defined with
/// a file path, and listed in the instance's track_file block. Writing 1 to the file demotes the node; 0 restores it.
/// </summary>
public sealed class MaintenanceTrack
{
    public const string NamePrefix = "kdcha_maint_";
    public const string DefaultDirectory = "/var/lib/kdcha/maintenance";

    /// <summary>How New-KdcHaKeepalivedConfig names an instance's maintenance file in the monitor's state directory, before the instance name.</summary>
    public const string StateDirectoryFilePrefix = "maintenance-";

    // Below -253 keepalived turns a weighted drop into FAULT, so -253 is the deepest drop that stays a drop.
    public const int DeepestStandbyWeight = -253;

    private MaintenanceTrack(KeepalivedInstance instance, string trackFileName, string filePath, int weight)
    {
        Instance = instance;
        TrackFileName = trackFileName;
        FilePath = filePath;
        Weight = weight;
    }

    public KeepalivedInstance Instance { get; }

    public string TrackFileName { get; }

    public string FilePath { get; }

    public int Weight { get; }

    public DemotionMode Mode => Weight == 0 ? DemotionMode.Fault : DemotionMode.Standby;

    public static string NameFor(string instance) => NamePrefix + instance;

    /// <summary>The configuration snippet that makes <paramref name="instance"/> demotable by KdcHa.</summary>
    public static string SnippetFor(string instance) =>
        $"track_file {NameFor(instance)} {{\n    file {DefaultDirectory}/{instance}\n    weight {DeepestStandbyWeight}\n    init_file\n}}\n" +
        $"vrrp_instance {instance} {{\n    ...\n    track_file {{\n        {NameFor(instance)}\n    }}\n}}";

    /// <summary>The maintenance track of the named instance, or with a null name of the configuration's only one.</summary>
    public static MaintenanceTrack Resolve(KeepalivedConfig config, string? instanceName)
    {
        if (config is null)
        {
            throw new ArgumentNullException(nameof(config));
        }

        var instance = instanceName is null ? config.GetOnlyInstance() : config.GetInstance(instanceName);
        var name = NameFor(instance.Name);
        var fix = $" Add this to {config.Path} and reload keepalived:\n{SnippetFor(instance.Name)}";
        var reference = instance.TrackFiles.FirstOrDefault(track => track.Name == name)
            ?? throw new MaintenanceTrackException($"vrrp_instance {instance.Name} does not track the KdcHa maintenance file {name}, so KdcHa cannot demote it.{fix}");
        var definition = config.FindTrackFile(name)
            ?? throw new MaintenanceTrackException($"vrrp_instance {instance.Name} tracks {name}, but no track_file block defines it.{fix}");
        if (string.IsNullOrEmpty(definition.FilePath))
        {
            throw new MaintenanceTrackException($"track_file {name} names no file.{fix}");
        }

        if (definition.InitFileOverwrites)
        {
            throw new MaintenanceTrackException($"track_file {name} has 'init_file overwrite', which resets the file when keepalived starts and so ends a maintenance on every restart. Use plain 'init_file'.");
        }

        var weight = reference.Weight ?? definition.Weight;
        if (reference.Reverse || definition.Reverse || weight > 0 || weight < DeepestStandbyWeight)
        {
            throw new MaintenanceTrackException(
                $"track_file {name} has weight {weight}{(reference.Reverse || definition.Reverse ? " reverse" : string.Empty)} in vrrp_instance {instance.Name}: " +
                $"a demotion needs weight 0 (FAULT) or {DeepestStandbyWeight}..-1 without reverse (lower priority); {DeepestStandbyWeight} is recommended.");
        }

        if (instance.VirtualAddresses.Count == 0 || string.IsNullOrEmpty(instance.Interface) || instance.VirtualRouterId is < 1 or > 255)
        {
            throw new KeepalivedConfigException($"vrrp_instance {instance.Name} needs an interface, a virtual_router_id and a virtual_ipaddress for a switchover.");
        }

        return new MaintenanceTrack(instance, name, definition.FilePath!, weight);
    }
}

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

/// <summary>The track_file on disk, which keepalived watches with inotify.</summary>
public sealed class MaintenanceFlagFile : IMaintenanceFlag
{
    public MaintenanceFlagFile(string path)
    {
        Path = string.IsNullOrEmpty(path) ? throw new ArgumentException("A path is required.", nameof(path)) : path;
    }

    public string Path { get; }

    /// <summary>keepalived treats a missing or empty file as 0, so only a non-zero number counts as set.</summary>
    public bool IsSet
    {
        get
        {
            try
            {
                var text = File.ReadAllText(Path).Trim();
                return text.Length > 0 && !(long.TryParse(text, out var value) && value == 0);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return false;
            }
        }
    }

    public void Set() => Write(1);

    public void Clear() => Write(0);

    private void Write(int value)
    {
        try
        {
            TrackFileValue.Write(Path, value);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InsufficientPrivilegeException($"Cannot write the maintenance file {Path}: {e.Message} Run as root.", e);
        }
    }
}

/// <summary>The value keepalived reads from the KdcHa track_file: set demotes the node, clear restores it.</summary>
public interface IMaintenanceFlag
{
    string Path { get; }

    bool IsSet { get; }

    void Set();

    void Clear();
}

/// <summary>What keepalived does with a demoted node, decided by the weight of the KdcHa track_file.</summary>
public enum DemotionMode
{
    /// <summary>
    /// A negative weight drops the priority: the node stays a backup, keeps the VIP until a peer takes it (no gap),
    /// and still takes it back if every peer fails during the maintenance.
    /// </summary>
    Standby,

    /// <summary>Weight 0: the instance enters FAULT, sends a priority-0 advert and drops the VIP at once.</summary>
    Fault,
}
