using System.Collections.Generic;

namespace KdcHa.Notification.Channels;

internal sealed class SmtpReply
{
    public SmtpReply(int code, IReadOnlyList<string> lines)
    {
        Code = code;
        Lines = lines;
    }

    public int Code { get; }

    /// <summary>The text after each "250-"/"250 " prefix; EHLO lists one extension per line.</summary>
    public IReadOnlyList<string> Lines { get; }

    public override string ToString() => $"{Code} {string.Join(" / ", Lines)}";
}
