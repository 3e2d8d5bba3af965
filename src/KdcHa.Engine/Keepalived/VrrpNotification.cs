using System;
using System.Globalization;
using KdcHa.Vrrp;

namespace KdcHa.Keepalived;

/// <summary>
/// One line keepalived wrote to its notify FIFO: <c>INSTANCE "VI_1" MASTER 100</c>, <c>GROUP "G1" BACKUP 0</c>, and
/// 2.2's priority events (<c>MASTER_RX_LOWER_PRI</c>, <c>MASTER_PRIORITY</c>, <c>BACKUP_PRIORITY</c>). Checker lines
/// (<c>VS</c>, <c>RS</c>) are not VRRP and do not parse.
/// </summary>
public sealed class VrrpNotification
{
    /// <summary>Longer lines are not keepalived's: it writes a kind, a name of at most a few hundred bytes, a state and a number.</summary>
    public const int MaximumLineLength = 1024;

    private VrrpNotification(DateTime receivedUtc, string kind, string name, string eventName, VrrpState state, int? priority)
    {
        ReceivedUtc = receivedUtc;
        Kind = kind;
        Name = name;
        Event = eventName;
        State = state;
        Priority = priority;
    }

    public DateTime ReceivedUtc { get; }

    /// <summary>"INSTANCE" or "GROUP".</summary>
    public string Kind { get; }

    public string Name { get; }

    /// <summary>keepalived's word as written: a state name, or a priority event such as MASTER_RX_LOWER_PRI.</summary>
    public string Event { get; }

    /// <summary>The state the event implies: MASTER_RX_LOWER_PRI and MASTER_PRIORITY happen in Master, BACKUP_PRIORITY in Backup.</summary>
    public VrrpState State { get; }

    public int? Priority { get; }

    /// <summary>An instance's state change that arrived another way than the FIFO (keepalived's DBus signal).</summary>
    public static VrrpNotification ForInstance(DateTime receivedUtc, string name, VrrpState state) =>
        new(receivedUtc, "INSTANCE", name, state.ToString().ToUpperInvariant(), state, priority: null);

    public static bool TryParse(string line, DateTime receivedUtc, out VrrpNotification? notification)
    {
        notification = null;
        if (line is null || line.Length > MaximumLineLength)
        {
            return false;
        }

        var text = line.Trim();
        var space = text.IndexOf(' ');
        if (space < 0)
        {
            return false;
        }

        var kind = text.Substring(0, space);
        if (kind != "INSTANCE" && kind != "GROUP")
        {
            return false;
        }

        var rest = text.Substring(space + 1).TrimStart();
        if (rest.Length < 2 || rest[0] != '"')
        {
            return false;
        }

        var closing = rest.IndexOf('"', 1);
        if (closing < 2)
        {
            return false;
        }

        var name = rest.Substring(1, closing - 1);
        var words = rest.Substring(closing + 1).Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length is < 1 or > 2)
        {
            return false;
        }

        var state = StateOf(words[0]);
        if (state == VrrpState.Unknown)
        {
            return false;
        }

        int? priority = null;
        if (words.Length == 2)
        {
            if (!int.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > 255)
            {
                return false;
            }

            priority = value;
        }

        notification = new VrrpNotification(receivedUtc, kind, name, words[0], state, priority);
        return true;
    }

    private static VrrpState StateOf(string word) => word switch
    {
        "MASTER_RX_LOWER_PRI" or "MASTER_PRIORITY" => VrrpState.Master,
        "BACKUP_PRIORITY" => VrrpState.Backup,
        _ => KeepalivedStateCodes.FromName(word),
    };

    public override string ToString() => $"{Kind} \"{Name}\" {Event}{(Priority is { } p ? " " + p.ToString(CultureInfo.InvariantCulture) : string.Empty)}";
}
