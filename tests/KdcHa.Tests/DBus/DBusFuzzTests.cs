using System;
using System.Collections.Generic;
using System.Linq;
using KdcHa.Common.DBus;
using KdcHa.Tests.Fuzzing;
using Xunit.Abstractions;

namespace KdcHa.Tests.DBus;

/// <summary>
/// Hostile bytes from a bus end in <see cref="DBusProtocolException"/> and nothing else: 10,000+ messages derived
/// from real ones in both byte orders (every truncation, byte mutations, oversized lengths, random bytes), fixed seed.
/// </summary>
public class DBusFuzzTests
{
    private const int MinimumInputs = 10_000;
    private const int RandomInputs = 10_000;

    private readonly ITestOutputHelper _output;

    public DBusFuzzTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public void DecodeThrowsOnlyTheProtocolException()
    {
        var reply = DBusMessage.Decode(DBusSamples.KeepalivedGetAllReply);
        var samples = new[]
        {
            DBusSamples.BusctlGetAll,
            DBusSamples.KeepalivedGetAllReply,
            DBusSamples.BigEndianReturn,
            new DBusMessage(reply.Type, reply.Serial) { ReplySerial = reply.ReplySerial, Signature = reply.Signature, Body = reply.Body }.Encode(bigEndian: true),
        };
        var count = 0;
        var accepted = 0;
        var failures = new List<string>();
        foreach (var input in FuzzInputs.Generate(samples, RandomInputs))
        {
            count++;
            try
            {
                // The receive loop frames by the prefix first, then decodes exactly that many bytes.
                if (input.Length >= DBusMessage.PrefixLength && DBusMessage.FrameLength(input) <= input.Length)
                {
                    DBusMessage.Decode(input.Take(DBusMessage.FrameLength(input)).ToArray());
                    accepted++;
                }
                else
                {
                    DBusMessage.Decode(input);
                }
            }
            catch (DBusProtocolException)
            {
                // The expected outcome for most inputs.
            }
            catch (Exception e)
            {
                failures.Add($"input #{count} {Convert.ToHexString(input)}: {e.GetType().Name}: {e.Message}");
            }
        }

        _output.WriteLine($"{count} inputs, {accepted} accepted, seed {FuzzInputs.Seed}");
        Assert.True(count >= MinimumInputs, $"Only {count} inputs were generated.");
        Assert.True(failures.Count == 0, $"{failures.Count} of {count} inputs threw something else:\n" + string.Join("\n", failures.Take(10)));
    }
}
