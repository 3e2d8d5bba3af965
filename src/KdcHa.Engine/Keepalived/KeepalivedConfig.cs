using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;

namespace KdcHa.Keepalived;

/// <summary>The VRRP instances and track files of one keepalived configuration, includes resolved.</summary>
public sealed class KeepalivedConfig
{
    /// <summary>Where keepalived reads its configuration when started without -f.</summary>
    public const string DefaultPath = "/etc/keepalived/keepalived.conf";

    public KeepalivedConfig(string path, IReadOnlyList<KeepalivedInstance> instances, IReadOnlyList<KeepalivedTrackFile> trackFiles, string? dbusServiceName = null)
    {
        Path = path;
        Instances = instances;
        TrackFiles = trackFiles;
        DBusServiceName = dbusServiceName;
    }

    public string Path { get; }

    public IReadOnlyList<KeepalivedInstance> Instances { get; }

    public IReadOnlyList<KeepalivedTrackFile> TrackFiles { get; }

    /// <summary>global_defs dbus_service_name: the bus name keepalived takes instead of org.keepalived.Vrrp1; null when not set.</summary>
    public string? DBusServiceName { get; }

    /// <summary>keepalived instance names are case-sensitive, so the lookup is too.</summary>
    public KeepalivedInstance GetInstance(string name) =>
        Instances.FirstOrDefault(instance => string.Equals(instance.Name, name, StringComparison.Ordinal))
        ?? throw new VrrpInstanceNotFoundException(name, Path, InstanceNames());

    /// <summary>
    /// The instance a command acts on when none is named: the only one, as on a node configured by
    /// New-KdcHaKeepalivedConfig. With none or several, guessing could demote the wrong VIP.
    /// </summary>
    public KeepalivedInstance GetOnlyInstance() =>
        Instances.Count == 1 ? Instances[0] : throw new VrrpInstanceRequiredException(Path, InstanceNames());

    public KeepalivedTrackFile? FindTrackFile(string name) =>
        TrackFiles.FirstOrDefault(track => string.Equals(track.Name, name, StringComparison.Ordinal));

    private string[] InstanceNames() => Instances.Select(instance => instance.Name).ToArray();
}

/// <summary>One keepalived statement (its words) with the statements of its block, if it opens one.</summary>
internal sealed class KeepalivedConfigNode
{
    public KeepalivedConfigNode(IReadOnlyList<string> words, IReadOnlyList<KeepalivedConfigNode> children)
    {
        Words = words;
        Children = children;
    }

    public IReadOnlyList<string> Words { get; }

    public IReadOnlyList<KeepalivedConfigNode> Children { get; set; }

    public string Keyword => Words.Count == 0 ? string.Empty : Words[0];

    public string? Argument(int index) => index < Words.Count ? Words[index] : null;
}

/// <summary>The parts of a <c>vrrp_instance</c> block that a switchover needs.</summary>
public sealed class KeepalivedInstance
{
    public string Name { get; init; } = string.Empty;

    public string? Interface { get; init; }

    public int VirtualRouterId { get; init; }

    public int Priority { get; init; }

    public bool Preempt { get; init; } = true;

    public IReadOnlyList<IPAddress> VirtualAddresses { get; init; } = Array.Empty<IPAddress>();

    public IReadOnlyList<KeepalivedTrackFileReference> TrackFiles { get; init; } = Array.Empty<KeepalivedTrackFileReference>();
}

/// <summary>A name in an instance's <c>track_file</c> list, with the weight it may override there.</summary>
public sealed class KeepalivedTrackFileReference
{
    public string Name { get; init; } = string.Empty;

    public int? Weight { get; init; }

    public bool Reverse { get; init; }
}
