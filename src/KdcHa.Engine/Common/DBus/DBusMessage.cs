using System;
using System.Collections.Generic;
using System.Linq;

namespace KdcHa.Common.DBus;

/// <summary>
/// One DBus message: the fixed header, the header fields and the body values, with encoding to and decoding from
/// the wire format in either byte order.
/// </summary>
public sealed class DBusMessage
{
    /// <summary>
    /// The specification allows 128 MiB. KdcHa reads keepalived's properties and introspection data, a few KiB at
    /// most, so a larger message is refused before its bytes are read.
    /// </summary>
    public const int MaximumLength = 1 << 20;

    /// <summary>The fixed header plus the length of the header field array: what frames a message on the wire.</summary>
    public const int PrefixLength = 16;

    private const byte LittleEndianMark = (byte)'l';
    private const byte BigEndianMark = (byte)'B';
    private const byte ProtocolVersion = 1;
    private const string HeaderFieldsType = "a(yv)";
    private const byte PathField = 1;
    private const byte InterfaceField = 2;
    private const byte MemberField = 3;
    private const byte ErrorNameField = 4;
    private const byte ReplySerialField = 5;
    private const byte DestinationField = 6;
    private const byte SenderField = 7;
    private const byte SignatureField = 8;
    private const byte UnixFdsField = 9;

    public DBusMessage(DBusMessageType type, uint serial)
    {
        Type = type;
        Serial = serial;
    }

    public DBusMessageType Type { get; }

    public uint Serial { get; }

    public byte Flags { get; init; }

    public string? Path { get; init; }

    public string? Interface { get; init; }

    public string? Member { get; init; }

    public string? ErrorName { get; init; }

    public uint? ReplySerial { get; init; }

    public string? Destination { get; init; }

    public string? Sender { get; init; }

    public string Signature { get; init; } = string.Empty;

    public IReadOnlyList<object> Body { get; init; } = Array.Empty<object>();

    /// <summary>The first body value as a string, or null: what an error reply carries as its message.</summary>
    public string? FirstString => Body.Count > 0 ? Body[0] as string : null;

    /// <summary>The total length of the message whose first <see cref="PrefixLength"/> bytes are given.</summary>
    /// <exception cref="DBusProtocolException">Not a DBus message start, or longer than <see cref="MaximumLength"/>.</exception>
    public static int FrameLength(byte[] prefix)
    {
        if (prefix.Length < PrefixLength)
        {
            throw new DBusProtocolException($"A DBus message is at least {PrefixLength} bytes; {prefix.Length} were given.");
        }

        var bigEndian = ByteOrder(prefix[0]);
        if (prefix[3] != ProtocolVersion)
        {
            throw new DBusProtocolException($"DBus protocol version {prefix[3]} is not 1.");
        }

        var reader = new DBusReader(prefix, 4, PrefixLength, bigEndian);
        var bodyLength = (long)reader.ReadUInt32();
        reader.ReadUInt32();
        var fieldsLength = (long)reader.ReadUInt32();
        var length = Pad8(PrefixLength + fieldsLength) + bodyLength;
        return length <= MaximumLength
            ? (int)length
            : throw new DBusProtocolException($"A DBus message of {length} bytes is longer than the {MaximumLength} this client accepts.");
    }

    /// <exception cref="DBusProtocolException">Not exactly one valid message.</exception>
    public static DBusMessage Decode(byte[] bytes)
    {
        var length = FrameLength(bytes);
        if (bytes.Length != length)
        {
            throw new DBusProtocolException($"A DBus message of {length} bytes was given {bytes.Length}.");
        }

        var bigEndian = ByteOrder(bytes[0]);
        var header = new DBusReader(bytes, 4, length, bigEndian);
        var bodyLength = (int)header.ReadUInt32();
        var serial = header.ReadUInt32();
        var type = bytes[1] is >= (byte)DBusMessageType.MethodCall and <= (byte)DBusMessageType.Signal
            ? (DBusMessageType)bytes[1]
            : throw new DBusProtocolException($"DBus message type {bytes[1]} is not one this client knows.");
        if (serial == 0)
        {
            throw new DBusProtocolException("A DBus message has serial 0.");
        }

        var fields = new Dictionary<byte, DBusVariant>();
        foreach (object[] field in (object[])header.ReadValue(HeaderFieldsType))
        {
            fields[(byte)field[0]] = (DBusVariant)field[1];
        }

        var bodyStart = length - bodyLength;
        if (header.Position > bodyStart || bytes.Skip(header.Position).Take(bodyStart - header.Position).Any(b => b != 0))
        {
            throw new DBusProtocolException("A DBus message's header is not followed by zero padding to its body.");
        }

        if (Field(fields, UnixFdsField, "u") is uint descriptors && descriptors != 0)
        {
            throw new DBusProtocolException("A DBus message carries file descriptors, which this client never negotiated.");
        }

        var signature = (string?)Field(fields, SignatureField, "g") ?? string.Empty;
        var message = new DBusMessage(type, serial)
        {
            Flags = bytes[2],
            Path = (string?)Field(fields, PathField, "o"),
            Interface = (string?)Field(fields, InterfaceField, "s"),
            Member = (string?)Field(fields, MemberField, "s"),
            ErrorName = (string?)Field(fields, ErrorNameField, "s"),
            ReplySerial = (uint?)Field(fields, ReplySerialField, "u"),
            Destination = (string?)Field(fields, DestinationField, "s"),
            Sender = (string?)Field(fields, SenderField, "s"),
            Signature = signature,
            Body = ReadBody(bytes, bodyStart, signature, bigEndian),
        };
        return message.MissingFields() is { } missing
            ? throw new DBusProtocolException($"A DBus {type} message needs {missing}.")
            : message;
    }

    public byte[] Encode(bool bigEndian = false)
    {
        if (MissingFields() is { } missing)
        {
            throw new InvalidOperationException($"A DBus {Type} message needs {missing}.");
        }

        var types = DBusSignature.CompleteTypes(Signature);
        if (types.Count != Body.Count)
        {
            throw new ArgumentException($"The signature '{Signature}' has {types.Count} type(s) for {Body.Count} body value(s).");
        }

        // The body is marshalled on its own: its alignment starts at the 8-aligned body offset, which is the same.
        var body = new DBusWriter(bigEndian);
        for (var i = 0; i < types.Count; i++)
        {
            body.WriteValue(types[i], Body[i]);
        }

        var fields = new List<object>();
        void Add(byte code, string type, object? value)
        {
            if (value is not null)
            {
                fields.Add(new object[] { code, new DBusVariant(type, value) });
            }
        }

        Add(PathField, "o", Path);
        Add(InterfaceField, "s", Interface);
        Add(MemberField, "s", Member);
        Add(ErrorNameField, "s", ErrorName);
        Add(ReplySerialField, "u", ReplySerial);
        Add(DestinationField, "s", Destination);
        Add(SenderField, "s", Sender);
        Add(SignatureField, "g", Signature.Length > 0 ? Signature : null);

        var message = new DBusWriter(bigEndian);
        message.WriteByte(bigEndian ? BigEndianMark : LittleEndianMark);
        message.WriteByte((byte)Type);
        message.WriteByte(Flags);
        message.WriteByte(ProtocolVersion);
        message.WriteUInt32((uint)body.Length);
        message.WriteUInt32(Serial);
        message.WriteValue(HeaderFieldsType, fields);
        message.Align(8);
        var bytes = message.ToArray().Concat(body.ToArray()).ToArray();
        return bytes.Length <= MaximumLength ? bytes : throw new ArgumentException($"The message would be {bytes.Length} bytes, more than {MaximumLength}.");
    }

    public override string ToString() => $"{Type} #{Serial} {Path} {Interface}.{Member}{ErrorName} ({Signature})";

    private static bool ByteOrder(byte mark) => mark switch
    {
        LittleEndianMark => false,
        BigEndianMark => true,
        _ => throw new DBusProtocolException($"A DBus message starts with byte 0x{mark:X2}, not 'l' or 'B'."),
    };

    private static long Pad8(long value) => (value + 7) & ~7L;

    private static object? Field(Dictionary<byte, DBusVariant> fields, byte code, string type)
    {
        if (!fields.TryGetValue(code, out var variant))
        {
            return null;
        }

        return variant.Signature == type
            ? variant.Value
            : throw new DBusProtocolException($"DBus header field {code} has type '{variant.Signature}', not '{type}'.");
    }

    private static IReadOnlyList<object> ReadBody(byte[] bytes, int bodyStart, string signature, bool bigEndian)
    {
        var reader = new DBusReader(bytes, bodyStart, bytes.Length, bigEndian);
        var values = DBusSignature.CompleteTypes(signature).Select(reader.ReadValue).ToList();
        return reader.Position == bytes.Length
            ? values
            : throw new DBusProtocolException($"A DBus message body is {bytes.Length - reader.Position} byte(s) longer than its signature '{signature}'.");
    }

    private string? MissingFields() => Type switch
    {
        DBusMessageType.MethodCall when Path is null || Member is null => "a path and a member",
        DBusMessageType.Signal when Path is null || Interface is null || Member is null => "a path, an interface and a member",
        DBusMessageType.Error when ErrorName is null || ReplySerial is null => "an error name and a reply serial",
        DBusMessageType.MethodReturn when ReplySerial is null => "a reply serial",
        _ => null,
    };
}
