using System;
using System.Collections.Generic;
using KdcHa.Common;

namespace KdcHa.Keepalived;

/// <summary>The keepalived configuration cannot be read or does not have the shape KdcHa relies on.</summary>
public sealed class KeepalivedConfigException : KdcHaException
{
    public KeepalivedConfigException(string message)
        : base(message)
    {
    }
}

/// <summary>A keepalived dump (JSON or .data) or configuration that does not have the expected shape.</summary>
public sealed class KeepalivedDumpFormatException : KdcHaException
{
    public KeepalivedDumpFormatException(string message)
        : base(message)
    {
    }

    public KeepalivedDumpFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>No keepalived runs for the pid file given: the file is missing or empty.</summary>
public sealed class KeepalivedNotRunningException : KdcHaException
{
    public KeepalivedNotRunningException(string message)
        : base(message)
    {
    }

    public KeepalivedNotRunningException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The pid file is left from a keepalived that is gone: the pid is dead or now belongs to another program.</summary>
public sealed class PidFileStaleException : KdcHaException
{
    public PidFileStaleException(string message)
        : base(message)
    {
    }

    public PidFileStaleException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The instance does not track the KdcHa maintenance file in a way that can demote it, so writing the file would
/// change nothing (or would not survive a keepalived restart).
/// </summary>
public sealed class MaintenanceTrackException : KdcHaException
{
    public MaintenanceTrackException(string message)
        : base(message)
    {
    }
}

/// <summary>The keepalived configuration has no <c>vrrp_instance</c> of the requested name.</summary>
public sealed class VrrpInstanceNotFoundException : KdcHaException
{
    public VrrpInstanceNotFoundException(string instance, string configPath, IReadOnlyList<string> knownInstances)
        : base(knownInstances.Count == 0
            ? $"{configPath} defines no vrrp_instance, so there is no instance '{instance}'."
            : $"{configPath} defines no vrrp_instance '{instance}'. It defines: {string.Join(", ", knownInstances)}.")
    {
        Instance = instance;
    }

    public string Instance { get; }
}

/// <summary>
/// No instance was named and the configuration does not have exactly one, so there is no instance to take as meant.
/// </summary>
public sealed class VrrpInstanceRequiredException : KdcHaException
{
    public VrrpInstanceRequiredException(string configPath, IReadOnlyList<string> knownInstances)
        : base(knownInstances.Count == 0
            ? $"{configPath} defines no vrrp_instance, so there is none to act on."
            : $"{configPath} defines {knownInstances.Count} vrrp_instances ({string.Join(", ", knownInstances)}): name the one to act on.")
    {
        ConfigPath = configPath;
    }

    public string ConfigPath { get; }
}
