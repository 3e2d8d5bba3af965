using System;
using System.Collections.Generic;
using System.Linq;
using KdcHa.Kerberos;
using KdcHa.Kerberos.Keytab;
using KdcHa.Kerberos.Messages;
using KdcHa.Tests.Kerberos.Keytabs;
using KdcHa.Tests.Kerberos.Messages;
using Xunit.Abstractions;

namespace KdcHa.Tests.Fuzzing;

/// <summary>Every decoder of untrusted bytes may throw only its own format exception, whatever it is fed.</summary>
public class DecoderFuzzTests
{
    private const int MinimumInputs = 10_000;
    private const int RandomInputs = 10_000;

    private readonly ITestOutputHelper _output;

    public DecoderFuzzTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public static TheoryData<string> Decoders => new() { "KerberosReply", "EncKdcReplyPart", "EncryptedData", "Keytab" };

    [Theory]
    [MemberData(nameof(Decoders))]
    public void Decoder_ThrowsOnlyItsFormatException(string decoder)
    {
        var (samples, decode, allowed) = Target(decoder);
        _output.WriteLine($"Fuzzing {decoder} with seed {FuzzInputs.Seed}");

        var count = 0;
        var accepted = 0;
        var failures = new List<string>();
        foreach (var input in FuzzInputs.Generate(samples, RandomInputs))
        {
            count++;
            try
            {
                decode(input);
                accepted++;
            }
            catch (Exception ex) when (ex.GetType() != allowed)
            {
                failures.Add($"input #{count} {Convert.ToHexString(input)}: {ex.GetType().Name}: {ex.Message}");
            }
            catch (Exception)
            {
                // The decoder's own format exception: the expected outcome for most inputs.
            }
        }

        _output.WriteLine($"{count} inputs, {accepted} accepted");
        Assert.True(count >= MinimumInputs, $"Only {count} inputs were generated.");
        Assert.True(
            failures.Count == 0,
            $"Seed {FuzzInputs.Seed}: {failures.Count} of {count} inputs threw an unexpected exception:\n" + string.Join("\n", failures.Take(10)));
    }

    private static (IReadOnlyList<byte[]> Samples, Action<byte[]> Decode, Type Allowed) Target(string decoder) => decoder switch
    {
        "KerberosReply" => (
            new[]
            {
                SampleMessages.KrbError(25, Der.Hex(SampleMessages.MitPreAuthRequiredEDataHex)),
                SampleMessages.AsReply(SampleMessages.EncryptedData(18, 2, new byte[48])),
            },
            input => KerberosReply.Decode(input),
            typeof(KerberosProtocolException)),
        "EncKdcReplyPart" => (
            new[] { SampleMessages.EncKdcReplyPart(25), SampleMessages.EncKdcReplyPart(26) },
            input => EncKdcReplyPart.Decode(input),
            typeof(KerberosProtocolException)),
        "EncryptedData" => (
            new[] { SampleMessages.EncryptedData(18, 3, new byte[60]), SampleMessages.EncryptedData(23, null, new byte[200]) },
            input => EncryptedData.Decode(input),
            typeof(KerberosProtocolException)),
        "Keytab" => (
            new[]
            {
                KeytabBytes.File(
                    0x02,
                    KeytabBytes.EntryV2("KDCHA.TEST", new[] { "bob" }, 3, 18, new byte[32]),
                    KeytabBytes.Hole(12),
                    KeytabBytes.EntryV2("EXAMPLE.COM", new[] { "host", "kdc1.example.com" }, 300, 17, new byte[16])),
                KeytabBytes.File(0x01, KeytabBytes.EntryV1("R", new[] { "a", "b" }, 1, 23, new byte[16])),
            },
            input => Keytab.Parse(input),
            typeof(KeytabFormatException)),
        _ => throw new ArgumentOutOfRangeException(nameof(decoder), decoder, null),
    };
}
