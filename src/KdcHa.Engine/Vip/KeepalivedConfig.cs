using System;
using System.Collections.Generic;
using System.Linq;

namespace KdcHa.Vip;

/// <summary>The VRRP instances and track files of one keepalived configuration, includes resolved.</summary>
public sealed class KeepalivedConfig
{
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
        ?? throw new VrrpInstanceNotFoundException(name, Path, Instances.Select(instance => instance.Name).ToArray());

    public KeepalivedTrackFile? FindTrackFile(string name) =>
        TrackFiles.FirstOrDefault(track => string.Equals(track.Name, name, StringComparison.Ordinal));
}
