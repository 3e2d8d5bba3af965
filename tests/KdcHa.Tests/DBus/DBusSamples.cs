using System;
using KdcHa.Common.DBus;

namespace KdcHa.Tests.DBus;

/// <summary>DBus messages as other implementations put them on the wire, and small ones written out by hand from the specification.</summary>
internal static class DBusSamples
{
    /// <summary>busctl (sd-bus) calling Properties.GetAll on keepalived's instance, as busctl capture recorded it.</summary>
    public static readonly byte[] BusctlGetAll = Convert.FromHexString(
        "6c0104012200000002000000a600000001016f002b0000002f6f72672f6b656570616c697665642f56727270312f496e7374616e63652f65" +
        "7468302f35312f4950763400000000000301730006000000476574416c6c0000020173001f0000006f72672e667265656465736b746f702e" +
        "444275732e50726f706572746965730006017300140000006f72672e6b656570616c697665642e567272703100000000080167000173000007" +
        "017300050000003a312e31380000001d0000006f72672e6b656570616c697665642e56727270312e496e7374616e636500");

    /// <summary>keepalived 2.2.7 (GDBus) answering that GetAll: Name as (s), State as (us).</summary>
    public static readonly byte[] KeepalivedGetAllReply = Convert.FromHexString(
        "6c02010147000000150000003500000006017300050000003a312e31380000000801670005617b73767d0000000000000501750002000000" +
        "07017300040000003a312e30000000003f00000000000000040000004e616d650003287329000000070000004b44435f5649500000000000" +
        "0500000053746174650004287573290002000000060000004d617374657200");

    /// <summary>A method return (serial 7, reply to 3) carrying u 2, big-endian, field by field.</summary>
    public static readonly byte[] BigEndianReturn = Convert.FromHexString(
        "42020001" + "00000004" + "00000007" + "0000000F" + // 'B', return, no flags, v1; body 4; serial 7; fields 15 bytes
        "05017500" + "00000003" +                          // REPLY_SERIAL: variant 'u' 3
        "08016700" + "017500" +                            // SIGNATURE: variant 'g' "u"
        "00" +                                             // padding to the 8-aligned body
        "00000002");                                       // body: u 2

    /// <summary>The same message little-endian.</summary>
    public static readonly byte[] LittleEndianReturn = Convert.FromHexString(
        "6C020001" + "04000000" + "07000000" + "0F000000" +
        "05017500" + "03000000" +
        "08016700" + "017500" +
        "00" +
        "02000000");

    public static DBusMessage SmallReturn => new(DBusMessageType.MethodReturn, 7) { ReplySerial = 3, Signature = "u", Body = new object[] { 2u } };
}
