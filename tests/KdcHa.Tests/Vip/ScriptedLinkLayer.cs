using System;
using System.Collections.Generic;
using KdcHa.Vip;

namespace KdcHa.Tests.Vip;

/// <summary>A link that records every frame sent and hands out the frames queued in <see cref="Incoming"/>.</summary>
internal sealed class ScriptedLinkLayer : ILinkLayer, ILinkLayerChannel
{
    public List<(ushort EtherType, byte[] Frame)> Sent { get; } = new();

    public Queue<byte[]> Incoming { get; } = new();

    private ushort _etherType;

    public ILinkLayerChannel Open(LinkInterface link, ushort etherType)
    {
        _etherType = etherType;
        return this;
    }

    public void Send(byte[] frame) => Sent.Add((_etherType, frame));

    public int Receive(byte[] buffer, TimeSpan timeout)
    {
        if (Incoming.Count == 0)
        {
            return 0;
        }

        var frame = Incoming.Dequeue();
        frame.CopyTo(buffer, 0);
        return frame.Length;
    }

    public void Dispose()
    {
    }
}
