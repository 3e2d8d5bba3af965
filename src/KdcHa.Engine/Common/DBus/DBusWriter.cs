using System;
using System.Collections;
using System.Collections.Generic;
using System.Text;

namespace KdcHa.Common.DBus;

/// <summary>
/// Marshals values in either byte order, the mirror of <see cref="DBusReader"/>: the same .NET types per DBus type;
/// arrays take any IEnumerable, a{..} any IDictionary, structs an object list. Alignment is relative to the start of
/// the message, which is where the writer starts.
/// </summary>
internal sealed class DBusWriter
{
    private readonly List<byte> _bytes = new();
    private readonly bool _bigEndian;

    public DBusWriter(bool bigEndian)
    {
        _bigEndian = bigEndian;
    }

    public int Length => _bytes.Count;

    public byte[] ToArray() => _bytes.ToArray();

    public void WriteByte(byte value) => _bytes.Add(value);

    public void WriteUInt32(uint value)
    {
        Align(4);
        AddOrdered(value, 4);
    }

    public void Align(int alignment)
    {
        while (_bytes.Count % alignment != 0)
        {
            _bytes.Add(0);
        }
    }

    /// <summary>Writes one value of <paramref name="type"/>, a single complete type.</summary>
    public void WriteValue(string type, object value) => WriteValue(type, 0, value);

    private void WriteValue(string type, int start, object value)
    {
        switch (type[start])
        {
            case 'y':
                WriteByte((byte)value);
                break;
            case 'b':
                WriteUInt32((bool)value ? 1u : 0u);
                break;
            case 'n':
                WriteUInt16(unchecked((ushort)(short)value));
                break;
            case 'q':
                WriteUInt16((ushort)value);
                break;
            case 'i':
                WriteUInt32(unchecked((uint)(int)value));
                break;
            case 'u':
                WriteUInt32((uint)value);
                break;
            case 'x':
                WriteUInt64(unchecked((ulong)(long)value));
                break;
            case 't':
                WriteUInt64((ulong)value);
                break;
            case 'd':
                WriteUInt64(unchecked((ulong)BitConverter.DoubleToInt64Bits((double)value)));
                break;
            case 's' or 'o':
                WriteString((string)value);
                break;
            case 'g':
                WriteSignature((string)value);
                break;
            case 'v':
                var variant = (DBusVariant)value;
                WriteSignature(variant.Signature);
                WriteValue(variant.Signature, 0, variant.Value);
                break;
            case 'a':
                WriteArray(type, start, value);
                break;
            case '(':
                WriteStruct(type, start, (IEnumerable<object>)value);
                break;
            default:
                throw new ArgumentException($"'{type[start]}' is not a type this writer marshals.", nameof(type));
        }
    }

    private void WriteStruct(string type, int start, IEnumerable<object> fields)
    {
        Align(8);
        var position = start + 1;
        foreach (var field in fields)
        {
            if (type[position] == ')')
            {
                throw new ArgumentException($"A struct of type {type.Substring(start)} was given too many fields.", nameof(fields));
            }

            WriteValue(type, position, field);
            position = DBusSignature.CompleteTypeEnd(type, position);
        }

        if (type[position] != ')')
        {
            throw new ArgumentException($"A struct of type {type.Substring(start)} was given too few fields.", nameof(fields));
        }
    }

    private void WriteArray(string type, int start, object value)
    {
        WriteUInt32(0);
        var lengthAt = _bytes.Count - 4;
        var element = start + 1;
        Align(DBusSignature.Alignment(type[element]));
        var contentStart = _bytes.Count;
        if (type[element] == '{')
        {
            foreach (DictionaryEntry entry in (IDictionary)value)
            {
                Align(8);
                WriteValue(type, element + 1, entry.Key);
                WriteValue(type, element + 2, entry.Value!);
            }
        }
        else
        {
            foreach (var item in (IEnumerable)value)
            {
                WriteValue(type, element, item);
            }
        }

        var length = Ordered((uint)(_bytes.Count - contentStart), 4);
        for (var i = 0; i < length.Length; i++)
        {
            _bytes[lengthAt + i] = length[i];
        }
    }

    private void WriteString(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        WriteUInt32((uint)bytes.Length);
        _bytes.AddRange(bytes);
        _bytes.Add(0);
    }

    private void WriteSignature(string value)
    {
        var bytes = Encoding.ASCII.GetBytes(value);
        _bytes.Add((byte)bytes.Length);
        _bytes.AddRange(bytes);
        _bytes.Add(0);
    }

    private void WriteUInt16(ushort value)
    {
        Align(2);
        AddOrdered(value, 2);
    }

    private void WriteUInt64(ulong value)
    {
        Align(8);
        AddOrdered(value, 8);
    }

    private void AddOrdered(ulong value, int size) => _bytes.AddRange(Ordered(value, size));

    private byte[] Ordered(ulong value, int size)
    {
        var bytes = new byte[size];
        for (var i = 0; i < size; i++)
        {
            bytes[_bigEndian ? size - 1 - i : i] = (byte)(value >> (8 * i));
        }

        return bytes;
    }
}
