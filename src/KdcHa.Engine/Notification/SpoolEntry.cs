namespace KdcHa.Notification;

/// <summary>One notification waiting for one channel: a file named &lt;sequence&gt;-&lt;event id&gt;.json in the channel's folder.</summary>
public sealed class SpoolEntry
{
    public SpoolEntry(string channel, string path, long sequence, string eventId)
    {
        Channel = channel;
        Path = path;
        Sequence = sequence;
        EventId = eventId;
    }

    public string Channel { get; }

    public string Path { get; }

    public long Sequence { get; }

    public string EventId { get; }
}
