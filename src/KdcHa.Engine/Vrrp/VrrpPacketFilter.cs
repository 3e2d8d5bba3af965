using System;
using System.Runtime.InteropServices;
using KdcHa.Common;

namespace KdcHa.Vrrp;

/// <summary>
/// A classic BPF program for packet sockets that passes IPv4 and IPv6 packets carrying IP protocol 112 directly after
/// the IP header and drops everything else in the kernel. A packet socket sees every frame on the link; without
/// the filter each one would wake the listener.
/// </summary>
internal static class VrrpPacketFilter
{
    private const int SolSocket = 1;
    private const int SoAttachFilter = 26;

    // Classic BPF opcodes (linux/filter.h).
    private const ushort LoadHalfAbsolute = 0x28;
    private const ushort LoadByteAbsolute = 0x30;
    private const ushort JumpIfEqual = 0x15;
    private const ushort Return = 0x06;

    // SKF_AD_OFF + SKF_AD_PROTOCOL: the frame's ethertype, whatever the link layer.
    private const uint EthertypeOffset = 0xFFFFF000;
    private const uint EthertypeIPv4 = 0x0800;
    private const uint EthertypeIPv6 = 0x86DD;
    private const uint IPv4ProtocolOffset = 9;
    private const uint IPv6NextHeaderOffset = 6;
    private const uint WholePacket = 0xFFFF;

    // Jump offsets count from the next instruction.
    private static readonly (ushort Code, byte JumpIfTrue, byte JumpIfFalse, uint Operand)[] Program =
    {
        (LoadHalfAbsolute, 0, 0, EthertypeOffset),
        (JumpIfEqual, 0, 2, EthertypeIPv4),
        (LoadByteAbsolute, 0, 0, IPv4ProtocolOffset),
        (JumpIfEqual, 3, 4, VrrpAdvertisement.ProtocolNumber),
        (JumpIfEqual, 0, 3, EthertypeIPv6),
        (LoadByteAbsolute, 0, 0, IPv6NextHeaderOffset),
        (JumpIfEqual, 0, 1, VrrpAdvertisement.ProtocolNumber),
        (Return, 0, 0, WholePacket),
        (Return, 0, 0, 0),
    };

    /// <summary>SO_ATTACH_FILTER on <paramref name="socket"/>; false with the errno when the kernel refuses it.</summary>
    public static bool TryAttach(int socket, out int errno)
    {
        // struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }, and struct sock_fprog { u16 len; sock_filter *filter; },
        // whose pointer is aligned to its size. The kernel copies the program during the call.
        var instructions = Marshal.AllocHGlobal(Program.Length * 8);
        try
        {
            for (var i = 0; i < Program.Length; i++)
            {
                var (code, jumpIfTrue, jumpIfFalse, operand) = Program[i];
                Marshal.WriteInt16(instructions, i * 8, (short)code);
                Marshal.WriteByte(instructions, (i * 8) + 2, jumpIfTrue);
                Marshal.WriteByte(instructions, (i * 8) + 3, jumpIfFalse);
                Marshal.WriteInt32(instructions, (i * 8) + 4, unchecked((int)operand));
            }

            var program = new byte[2 * IntPtr.Size];
            BitConverter.GetBytes((ushort)Program.Length).CopyTo(program, 0);
            var pointer = IntPtr.Size == 8 ? BitConverter.GetBytes(instructions.ToInt64()) : BitConverter.GetBytes(instructions.ToInt32());
            pointer.CopyTo(program, IntPtr.Size);
            var attached = LibC.SetSocketOption(socket, SolSocket, SoAttachFilter, program, (uint)program.Length) == 0;
            errno = attached ? 0 : Marshal.GetLastWin32Error();
            return attached;
        }
        finally
        {
            Marshal.FreeHGlobal(instructions);
        }
    }
}
