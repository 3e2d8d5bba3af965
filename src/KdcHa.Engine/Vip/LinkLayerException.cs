using System.ComponentModel;
using KdcHa.Common;

namespace KdcHa.Vip;

/// <summary>A packet socket call failed (the interface went down or away, the frame was refused), with its errno.</summary>
public sealed class LinkLayerException : KdcHaException
{
    public LinkLayerException(string action, int errno)
        : base($"{action} failed: {new Win32Exception(errno).Message} (errno {errno}).", new Win32Exception(errno))
    {
        Errno = errno;
    }

    public int Errno { get; }
}
