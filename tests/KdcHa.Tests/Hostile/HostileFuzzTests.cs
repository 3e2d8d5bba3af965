using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Kerberos;
using KdcHa.Kerberos.Crypto;
using KdcHa.Kerberos.Health;
using KdcHa.Kerberos.Keytab;
using KdcHa.Tests.Kerberos.Health;
using KdcHa.Tests.Kerberos.Keytabs;
using KdcHa.Tests.Kerberos.Messages;
using KdcHa.Tests.Kerberos.Transport;
using static KdcHa.Tests.Kerberos.Health.ProbeMessages;
using Xunit.Abstractions;

namespace KdcHa.Tests.Hostile;

/// <summary>
/// Structurally valid but hostile input after pre-authentication, ETYPE-INFO2 s2kparams of every length, and damaged
/// keytabs: every generated input ends in a classified result (or, for a keytab, a KeytabFormatException) in time.
/// </summary>
[Collection(LoopbackSocketCollection.Name)]
public class HostileFuzzTests
{
    private const int Seed = 15_2026;
    private static readonly int[] EncryptionTypes = { 17, 18, 19, 20, 23, 1, 3, 16, 25, 26, -128, 0, int.MaxValue };
    private static readonly HashSet<string> Classified = new() { "Healthy", "Timeout", "Refused", "Unreachable", "KdcError", "PrincipalUnknown", "KeyMismatch", "ClockSkew", "ProtocolError" };
    private readonly ITestOutputHelper _output;

    public HostileFuzzTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task SixThousandHostileRepliesAfterPreAuthenticationAreAllClassifiedInTime()
    {
        _output.WriteLine($"seed {Seed}");
        var random = new Random(Seed);
        var keys = BobPassword();
        var statuses = new Dictionary<string, int>();
        for (var index = 0; index < 6_000; index++)
        {
            var etype = EncryptionTypes[random.Next(EncryptionTypes.Length)];
            var keyLength = random.Next(3) == 0 ? random.Next(0, 40) : 32;
            var cipherLength = random.Next(0, 200);
            var encrypt = random.Next(2) == 0;
            var outcome = await ProbeInTime(
                Request(KdcProbeLevel.Authenticated, keys: keys),
                $"reply {index} (etype {etype}, key {keyLength}, cipher {cipherLength}, encrypted {encrypt}, seed {Seed})",
                _ => PreAuthRequired(),
                second => Reply(random, etype, keyLength, cipherLength, encrypt, NonceOf(second)));
            statuses[outcome] = statuses.GetValueOrDefault(outcome) + 1;
        }

        _output.WriteLine(string.Join(", ", statuses.Select(pair => $"{pair.Key} {pair.Value}")));
    }

    [Fact]
    public async Task StringToKeyParametersOfEveryLengthUpToSixteenAreAllClassifiedInTime()
    {
        _output.WriteLine($"seed {Seed}");
        var random = new Random(Seed + 1);
        for (var index = 0; index < 1_700; index++)
        {
            var parameters = new byte[index % 17];
            random.NextBytes(parameters);
            if (parameters.Length == 4)
            {
                // Keeps the accepted counts cheap: the deadline test covers expensive ones.
                parameters[0] = parameters[1] = 0;
                parameters[2] &= 0x0F;
            }

            await ProbeInTime(
                Request(KdcProbeLevel.Authenticated, keys: BobPassword()),
                $"s2kparams {BitConverter.ToString(parameters)} (seed {Seed})",
                _ => PreAuthRequired(parameters),
                second => Ticket(BobKey, NonceOf(second)));
        }
    }

    [Fact]
    public void TwoThousandFiveHundredDamagedKeytabsLoadOrFailAsKeytabFormatException()
    {
        _output.WriteLine($"seed {Seed}");
        var random = new Random(Seed + 2);
        var valid = KeytabBytes.File(
            0x02,
            KeytabBytes.EntryV2("KDCHA.TEST", new[] { "bob" }, 3, 18, new byte[32]),
            KeytabBytes.EntryV2("KDCHA.TEST", new[] { "bob" }, 3, 17, new byte[16]));
        for (var index = 0; index < 2_500; index++)
        {
            var damaged = (index % 4) switch
            {
                0 => valid.Take(random.Next(valid.Length)).ToArray(),
                1 => Mutated(random, valid),
                2 => KeytabBytes.File(0x02, Enumerable.Range(0, random.Next(1, 50)).Select(_ => KeytabBytes.Int32BigEndian(random.Next(int.MinValue, int.MaxValue))).ToArray()),
                _ => KeytabBytes.File(0x02, KeytabBytes.EntryV2("KDCHA.TEST", new[] { "bob" }, 3, EncryptionTypes[random.Next(EncryptionTypes.Length)] & 0xFFFF, new byte[random.Next(0, 70)])),
            };
            var clock = Stopwatch.StartNew();
            try
            {
                var usable = Keytab.Parse(damaged).WithoutUnusableKeys();
                foreach (var type in new KeytabKeySource(usable, "bob@KDCHA.TEST").EncryptionTypes)
                {
                    Assert.Equal(KerberosEncryption.Get((EncryptionType)type).KeySize, usable.FindKey("bob@KDCHA.TEST", new[] { type })!.Key.Length);
                }
            }
            catch (KeytabFormatException)
            {
            }

            // A guard against parsing that follows a hostile length (a huge allocation or a quadratic walk), which
            // takes seconds; a scheduler stall on a loaded 2-core machine took over 100 ms once, so the bound is 1 s.
            Assert.True(clock.ElapsedMilliseconds < 1000, $"keytab {index} took {clock.ElapsedMilliseconds} ms");
        }
    }

    private static async Task<string> ProbeInTime(KdcProbeRequest request, string input, params Func<byte[], byte[]>[] replies)
    {
        var clock = Stopwatch.StartNew();
        var result = await new KdcHealthProbe(new ScriptedTransport(replies), new ProbeHints()).ProbeAsync(request, CancellationToken.None);
        Assert.True(Classified.Contains(result.Status), $"{input}: {result.Status}");
        Assert.True(clock.Elapsed < request.Timeout + TimeSpan.FromMilliseconds(100), $"{input} took {clock.ElapsedMilliseconds} ms");
        return result.Status;
    }

    private static byte[] Reply(Random random, int etype, int keyLength, int cipherLength, bool encrypt, uint nonce)
    {
        byte[] cipher;
        if (encrypt && KerberosEncryption.TryGet(etype, out var encryption) && encryption is not null)
        {
            var key = keyLength == encryption.KeySize ? (random.Next(2) == 0 ? BobKey.Take(encryption.KeySize).ToArray() : new byte[keyLength]) : new byte[encryption.KeySize];
            cipher = encryption.Encrypt(key, 3, SampleMessages.EncKdcReplyPart(26, random.Next(2) == 0 ? nonce : random.Next(), Now));
        }
        else
        {
            cipher = new byte[cipherLength];
            random.NextBytes(cipher);
        }

        return SampleMessages.AsReply(SampleMessages.EncryptedData(etype, random.Next(2) == 0 ? null : random.Next(0, 300), cipher));
    }

    private static byte[] Mutated(Random random, byte[] valid)
    {
        var mutated = (byte[])valid.Clone();
        for (var flips = random.Next(1, 4); flips > 0; flips--)
        {
            mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
        }

        return mutated;
    }
}
