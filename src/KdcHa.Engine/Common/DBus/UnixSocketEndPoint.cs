using System;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KdcHa.Common.DBus;

/// <summary>
/// An AF_UNIX address for <see cref="Socket"/>: netstandard2.0 has no UnixDomainSocketEndPoint, but Socket accepts
/// any EndPoint that serialises to a sockaddr_un. Abstract names (Linux) start with a NUL byte and have no terminator.
/// </summary>
internal sealed class UnixSocketEndPoint : EndPoint
{
    // sun_path is 108 bytes; a path needs its terminating NUL, an abstract name its leading one.
    private const int MaximumNameBytes = 107;
    private const int FamilyBytes = 2;

    private readonly byte[] _name;

    public UnixSocketEndPoint(string path, bool isAbstract)
    {
        _name = Encoding.UTF8.GetBytes(path);
        if (_name.Length == 0 || _name.Length > MaximumNameBytes)
        {
            throw new ArgumentException($"A unix socket name is 1 to {MaximumNameBytes} bytes long; '{path}' is {_name.Length}.", nameof(path));
        }

        Path = path;
        IsAbstract = isAbstract;
    }

    public string Path { get; }

    public bool IsAbstract { get; }

    public override AddressFamily AddressFamily => AddressFamily.Unix;

    public override SocketAddress Serialize()
    {
        var address = new SocketAddress(AddressFamily.Unix, FamilyBytes + 1 + _name.Length);
        var offset = IsAbstract ? FamilyBytes + 1 : FamilyBytes;
        for (var i = 0; i < _name.Length; i++)
        {
            address[offset + i] = _name[i];
        }

        return address;
    }

    public override EndPoint Create(SocketAddress socketAddress) => this;

    public override string ToString() => IsAbstract ? "unix:abstract=" + Path : "unix:path=" + Path;
}
