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
/// The files keepalived tracks for one node: the fault flag, written as a <see cref="TrackFileValue"/>, and the
/// heartbeat, which only needs a fresh modification time.
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

    public void WriteFault(bool fault) => TrackFileValue.Write(FaultFile, fault ? 1 : 0);

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

/// <summary>The one way KdcHa writes the number in a file that a keepalived track_file block names.</summary>
internal static class TrackFileValue
{
    // By rename, never in place. keepalived 2.2.7 (keepalived/trackers/track_file.c) watches the file's directory
    // for IN_CLOSE_WRITE | IN_DELETE | IN_MOVE (line 856) and re-reads the file on IN_CLOSE_WRITE or IN_MOVED_TO
    // for its name (745-756), reading whatever the file holds when it gets to the event; an empty file reads as 0
    // (new_status = 0 at 659, kept unless read() returns bytes, 665-667), and so does IN_DELETE or IN_MOVED_FROM
    // (748-752). An in-place write truncates before it writes, so a read for the previous write's event, or
    // keepalived's start-up read (861), can find the file empty: 0 lifts a maintenance demotion or clears FAULT
    // until the next event, and the VIP can move twice for nothing. A rename gives the name the complete new
    // value in one step (one IN_MOVED_TO), and the temporary file's own events carry another name, which
    // keepalived skips (745).
    public static void Write(string path, int value) =>
        AtomicFile.Replace(path, Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture) + "\n"));
}
