using System;

namespace KdcHa.Vip;

/// <summary>Whole Ethernet frames in and out of one interface.</summary>
public interface ILinkLayerChannel : IDisposable
{
    void Send(byte[] frame);

    /// <summary>The length of the next frame copied into <paramref name="buffer"/>, or 0 when none came within <paramref name="timeout"/>.</summary>
    int Receive(byte[] buffer, TimeSpan timeout);
}
