using System;
using KdcHa.Common;

namespace KdcHa.Vrrp;

/// <summary>What a state source is asked: which keepalived (its pid file), which interface to listen on, for how long.</summary>
public sealed class VrrpQuery
{
    private KeepalivedProcess? _keepalived;
    private KdcHaException? _keepalivedError;

    public string PidFile { get; init; } = KeepalivedProcess.DefaultPidFile;

    /// <summary>The interface the Wire source listens on; by default keepalived's instance interfaces, or the host's only interface.</summary>
    public string? Interface { get; init; }

    /// <summary>How long the Wire source listens: three advertisement intervals at keepalived's default of 1 s.</summary>
    public TimeSpan ListenTime { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long to wait for keepalived to write a dump after the signal.</summary>
    public TimeSpan DumpTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the DBus source waits for the bus's handshake and for each reply.</summary>
    public TimeSpan BusTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The keepalived of <see cref="PidFile"/>, found once per query.</summary>
    /// <exception cref="KeepalivedNotRunningException"/>
    /// <exception cref="PidFileStaleException"/>
    /// <exception cref="VrrpPermissionException"/>
    public KeepalivedProcess FindKeepalived()
    {
        if (_keepalived is null && _keepalivedError is null)
        {
            try
            {
                _keepalived = KeepalivedProcess.Find(PidFile);
            }
            catch (Exception e) when (e is KeepalivedNotRunningException or PidFileStaleException or VrrpPermissionException)
            {
                _keepalivedError = (KdcHaException)e;
            }
        }

        return _keepalived ?? throw _keepalivedError!;
    }

    /// <summary>True when <see cref="FindKeepalived"/> succeeds.</summary>
    public bool HasKeepalived()
    {
        try
        {
            FindKeepalived();
            return true;
        }
        catch (KdcHaException)
        {
            return false;
        }
    }
}
