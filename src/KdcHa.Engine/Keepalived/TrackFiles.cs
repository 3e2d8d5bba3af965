using System;
using System.Globalization;
using System.IO;
using System.Text;
using KdcHa.Common;

namespace KdcHa.Keepalived;

/// <summary>How the monitor talks to keepalived: through files keepalived tracks.</summary>
public interface IKeepalivedTracking
{
    /// <summary>The fault flag as keepalived sees it now (left by a previous run, say).</summary>
    bool ReadFault();

    /// <summary>Sets or clears the health fault flag (a weight-0 track_file: non-zero means FAULT).</summary>
    void WriteFault(bool fault);

    /// <summary>Proves the monitor is alive and not stalled; keepalived lowers the node's priority when it goes stale.</summary>
    void Heartbeat();

    /// <summary>Makes the heartbeat stale at once, so a clean stop hands the VIP to a supervised peer without waiting.</summary>
    void StopHeartbeat();
}

/// <summary>
/// The files keepalived tracks for one node. The fault flag is replaced atomically (a temp file in the same
/// directory, then rename): keepalived watches it with inotify, and a rename is one event carrying the whole new
/// value, where an in-place write could be read half-way. The heartbeat only needs a fresh modification time.
/// </summary>
public sealed class TrackFiles : IKeepalivedTracking
{
    public TrackFiles(string faultFile, string heartbeatFile)
    {
        FaultFile = faultFile ?? throw new ArgumentNullException(nameof(faultFile));
        HeartbeatFile = heartbeatFile ?? throw new ArgumentNullException(nameof(heartbeatFile));
    }

    public string FaultFile { get; }

    public string HeartbeatFile { get; }

    public bool ReadFault()
    {
        try
        {
            return int.TryParse(File.ReadAllText(FaultFile).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value != 0;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }

    public void WriteFault(bool fault) => AtomicFile.Replace(FaultFile, Encoding.ASCII.GetBytes(fault ? "1\n" : "0\n"));

    public void Heartbeat()
    {
        try
        {
            File.SetLastWriteTimeUtc(HeartbeatFile, DateTime.UtcNow);
        }
        catch (FileNotFoundException)
        {
            AtomicFile.Replace(HeartbeatFile, Encoding.ASCII.GetBytes("kdcha-monitor heartbeat: keepalived checks this file's age\n"));
        }
    }

    public void StopHeartbeat() => File.Delete(HeartbeatFile);
}
