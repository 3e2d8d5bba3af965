using System;
using System.Collections.Generic;
using System.Text;

namespace KdcHa.Common.DBus;

/// <summary>
/// Reads DBus-marshalled values from a message buffer in either byte order. Alignment is relative to the start of
/// the message, which is where the buffer starts. Every length is checked against what remains before anything is
/// allocated, so hostile input ends in <see cref="DBusProtocolException"/> and never in a large allocation.
/// </summary>
/// <remarks>
/// Values: y byte, b bool, n short, q ushort, i int, u uint, x long, t ulong, d double, s/o string, g signature
/// string, v <see cref="DBusVariant"/>, arrays and structs object[], a{..} Dictionary&lt;object, object&gt;.
/// </remarks>
internal sealed class DBusReader
{
    // The specification's bound on containers nested in one another, variants included.
    private const int MaximumNesting = 64;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[] _buffer;
    private readonly int _end;
    private readonly bool _bigEndian;

    public DBusReader(byte[] buffer, int position, int end, bool bigEndian)
    {
        _buffer = buffer;
        Position = position;
        _end = end;
        _bigEndian = bigEndian;
    }

    public int Position { get; private set; }

    public object ReadValue(string type) => ReadValue(type, 0, 0);

    public uint ReadUInt32()
    {
        Align(4);
        var bytes = Take(4);
        return _bigEndian
            ? (uint)(_buffer[bytes] << 24 | _buffer[bytes + 1] << 16 | _buffer[bytes + 2] << 8 | _buffer[bytes + 3])
            : (uint)(_buffer[bytes + 3] << 24 | _buffer[bytes + 2] << 16 | _buffer[bytes + 1] << 8 | _buffer[bytes]);
    }

    private string ReadSignature()
    {
        var length = _buffer[Take(1)];
        var text = Encoding.ASCII.GetString(_buffer, Take(length + 1), length);
        if (_buffer[Position - 1] != 0)
        {
            throw new DBusProtocolException("A DBus signature is not NUL-terminated.");
        }

        DBusSignature.CompleteTypes(text);
        return text;
    }

    private object ReadValue(string type, int start, int nesting)
    {
        if (nesting > MaximumNesting)
        {
            throw new DBusProtocolException($"DBus values are nested more than {MaximumNesting} deep.");
        }

        switch (type[start])
        {
            case 'y':
                return _buffer[Take(1)];
            case 'b':
                return ReadUInt32() switch
                {
                    0 => false,
                    1 => true,
                    var other => throw new DBusProtocolException($"A DBus boolean is 0 or 1, not {other}."),
                };
            case 'n':
                return (short)ReadUInt16();
            case 'q':
                return ReadUInt16();
            case 'i':
                return (int)ReadUInt32();
            case 'u':
                return ReadUInt32();
            case 'x':
                return (long)ReadUInt64();
            case 't':
                return ReadUInt64();
            case 'd':
                return BitConverter.Int64BitsToDouble((long)ReadUInt64());
            case 's':
                return ReadString();
            case 'o':
                return DBusObjectPath.Validate(ReadString());
            case 'g':
                return ReadSignature();
            case 'v':
                var signature = ReadSignature();
                DBusSignature.RequireSingleCompleteType(signature);
                return new DBusVariant(signature, ReadValue(signature, 0, nesting + 1));
            case 'a':
                return ReadArray(type, start, nesting);
            case '(':
                Align(8);
                var fields = new List<object>();
                var field = start + 1;
                while (type[field] != ')')
                {
                    fields.Add(ReadValue(type, field, nesting + 1));
                    field = DBusSignature.CompleteTypeEnd(type, field);
                }

                return fields.ToArray();
            default:
                throw new DBusProtocolException($"The DBus type '{type[start]}' cannot be read here.");
        }
    }

    private object ReadArray(string type, int start, int nesting)
    {
        var length = ReadUInt32();
        var element = start + 1;
        Align(DBusSignature.Alignment(type[element]));
        if (length > _end - Position)
        {
            throw new DBusProtocolException($"A DBus array claims {length} bytes where {_end - Position} remain.");
        }

        var end = Position + (int)length;
        if (type[element] == '{')
        {
            var entries = new Dictionary<object, object>();
            var valueType = element + 2;
            while (Position < end)
            {
                Align(8);
                var key = ReadValue(type, element + 1, nesting + 1);
                entries[key] = ReadValue(type, valueType, nesting + 1);
            }

            return Ended(entries, end);
        }

        var items = new List<object>();
        while (Position < end)
        {
            items.Add(ReadValue(type, element, nesting + 1));
        }

        return Ended(items.ToArray(), end);
    }

    private object Ended(object array, int end) =>
        Position == end ? array : throw new DBusProtocolException("A DBus array's last element runs past the array's length.");

    private string ReadString()
    {
        var length = ReadUInt32();
        if (length >= _end - Position)
        {
            throw new DBusProtocolException($"A DBus string claims {length} bytes where {_end - Position} remain.");
        }

        var start = Take((int)length + 1);
        if (_buffer[start + (int)length] != 0 || Array.IndexOf(_buffer, (byte)0, start, (int)length) >= 0)
        {
            throw new DBusProtocolException("A DBus string is not NUL-terminated or holds a NUL.");
        }

        try
        {
            return StrictUtf8.GetString(_buffer, start, (int)length);
        }
        catch (DecoderFallbackException e)
        {
            throw new DBusProtocolException("A DBus string is not UTF-8.", e);
        }
    }

    private ushort ReadUInt16()
    {
        Align(2);
        var bytes = Take(2);
        return _bigEndian ? (ushort)(_buffer[bytes] << 8 | _buffer[bytes + 1]) : (ushort)(_buffer[bytes + 1] << 8 | _buffer[bytes]);
    }

    private ulong ReadUInt64()
    {
        var first = ReadUInt32Aligned8();
        var second = ReadUInt32();
        return _bigEndian ? (ulong)first << 32 | second : (ulong)second << 32 | first;
    }

    private uint ReadUInt32Aligned8()
    {
        Align(8);
        return ReadUInt32();
    }

    private void Align(int alignment)
    {
        var padding = (alignment - (Position % alignment)) % alignment;
        Take(padding);
    }

    private int Take(int count)
    {
        if (count > _end - Position)
        {
            throw new DBusProtocolException($"A DBus message ends {count - (_end - Position)} byte(s) early.");
        }

        var start = Position;
        Position += count;
        return start;
    }
}
