namespace KdcHa.Kerberos.Messages;

/// <summary>RFC 4120 §5.10 application tag numbers of the messages this client sends or reads.</summary>
internal static class ApplicationTag
{
    public const int Ticket = 1;
    public const int AsRequest = 10;
    public const int AsReply = 11;
    public const int EncAsReplyPart = 25;
    public const int EncTgsReplyPart = 26;
    public const int KrbError = 30;

    public const int ProtocolVersion = 5;
}
