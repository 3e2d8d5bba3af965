using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Vrrp;

/// <summary>
/// Hears every IPv4 VRRP advertisement on one interface: a raw socket for protocol 112, bound to the interface with
/// SO_BINDTODEVICE, member of 224.0.0.18 there. Needs CAP_NET_RAW (root). IPv6 (VRRPv3 to ff02::12) is not heard:
/// keepalived's IPv6 instances are outside what this listener reports.
/// </summary>
public sealed class VrrpAdvertisementListener : IDisposable
{
    private const int SolSocket = 1;
    private const int SoBindToDevice = 25;
    private static readonly IPAddress VrrpGroup = IPAddress.Parse("224.0.0.18");

    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[65535];
    private readonly PendingRead<int> _receive = new();

    /// <exception cref="VrrpPermissionException">The process may not open raw sockets.</exception>
    /// <exception cref="VrrpInterfaceNotFoundException">No such interface in this network namespace.</exception>
    public VrrpAdvertisementListener(string interfaceName)
    {
        InterfaceName = interfaceName;
        var index = InterfaceIndex(interfaceName);
        try
        {
            _socket = new Socket(AddressFamily.InterNetwork, SocketType.Raw, (ProtocolType)VrrpAdvertisement.ProtocolNumber);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied)
        {
            throw new VrrpPermissionException($"Listening for VRRP on {interfaceName} needs a raw socket (root or CAP_NET_RAW).", e);
        }

        try
        {
            var name = Encoding.ASCII.GetBytes(interfaceName + "\0");
            if (SetSocketOption((int)_socket.Handle, SolSocket, SoBindToDevice, name, (uint)name.Length) != 0)
            {
                throw new VrrpPermissionException($"Binding the VRRP listener to {interfaceName} failed (errno {Marshal.GetLastWin32Error()}).");
            }

            _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(VrrpGroup, index));
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
    }

    public string InterfaceName { get; }

    /// <summary>The next advertisement that parses; packets that do not are dropped. Null once disposed.</summary>
    public async Task<VrrpAdvertisement?> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int count;
            try
            {
                count = await _receive.NextAsync(() => _socket.ReceiveAsync(new ArraySegment<byte>(_buffer), SocketFlags.None), cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return null;
            }

            if (VrrpAdvertisement.TryParse(new ReadOnlySpan<byte>(_buffer, 0, count), DateTime.UtcNow, out var advertisement))
            {
                return advertisement;
            }
        }
    }

    public void Dispose() => _socket.Dispose();

    private static int InterfaceIndex(string interfaceName)
    {
        // /sys/class/net shows the interfaces of the reader's network namespace, as the socket will.
        var path = $"/sys/class/net/{interfaceName}/ifindex";
        if (interfaceName.IndexOfAny(new[] { '/', '\0' }) >= 0 || interfaceName is "." or ".." || !File.Exists(path))
        {
            throw new VrrpInterfaceNotFoundException(interfaceName);
        }

        return int.Parse(File.ReadAllText(path).Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [DllImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static extern int SetSocketOption(int socket, int level, int optionName, byte[] optionValue, uint optionLength);
}
