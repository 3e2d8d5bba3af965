using System;
using System.Buffers.Binary;
using System.Text;

namespace KdcHa.Kerberos.Keytab;

/// <summary>
/// Bounds-checked cursor over keytab bytes. Version 0x0502 is big-endian; 0x0501 uses the writer's native order,
/// which MIT reads as the host's, so we do the same.
/// </summary>
internal ref struct KeytabReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly bool _bigEndian;
    private int _position;

    public KeytabReader(ReadOnlySpan<byte> data, bool bigEndian)
    {
        _data = data;
        _bigEndian = bigEndian;
        _position = 0;
    }

    public int Remaining => _data.Length - _position;

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw new KeytabFormatException($"Keytab record is truncated: needs {count} bytes at offset {_position}, {Remaining} left.");
        }

        var bytes = _data.Slice(_position, count);
        _position += count;
        return bytes;
    }

    public byte ReadByte() => ReadBytes(1)[0];

    public ushort ReadUInt16()
    {
        var bytes = ReadBytes(2);
        return _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : BinaryPrimitives.ReadUInt16LittleEndian(bytes);
    }

    public uint ReadUInt32()
    {
        var bytes = ReadBytes(4);
        return _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);
    }

    public int ReadInt32() => unchecked((int)ReadUInt32());

    /// <summary>A uint16-length-prefixed string; MIT writes bytes as given, UTF-8 is the common case.</summary>
    public string ReadCountedString() => Encoding.UTF8.GetString(ReadBytes(ReadUInt16()).ToArray());

    public KeytabReader ReadRecord(int size) => new(ReadBytes(size), _bigEndian);
}
