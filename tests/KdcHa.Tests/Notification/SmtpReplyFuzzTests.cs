using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Notification;
using KdcHa.Notification.Channels;
using KdcHa.Tests.Kerberos.Transport;

namespace KdcHa.Tests.Notification;

/// <summary>The SMTP reply reader against a hostile server on loopback: garbage, over-long and endless replies at every step.</summary>
[Collection(LoopbackSocketCollection.Name)]
public sealed class SmtpReplyFuzzTests
{
    private const int Replies = 2000;

    // A Security None channel without AUTH: greeting, EHLO, MAIL, RCPT, DATA, the message, QUIT.
    private static readonly string[] WellBehaved =
    {
        "220 hostile ESMTP\r\n", "250-hostile\r\n250 8BITMIME\r\n", "250 ok\r\n", "250 ok\r\n", "354 go ahead\r\n", "250 queued\r\n", "221 bye\r\n",
    };

    private const int MessageStep = 5;

    [Fact]
    public async Task EveryHostileReplyEndsInAClassifiedResultWithinTheTimeout()
    {
        var random = new Random(ReplyFuzz.Seed);
        using var server = new HostileLoopbackServer(Enumerable.Range(0, Replies).Select(_ => Script(random)).ToList());
        var channel = Channel(server.Port);

        var outcomes = await ReplyFuzz.RunAsync(Replies, _ => channel);

        Assert.Equal(Replies, outcomes.Values.Sum());
        Assert.All(new[] { "Delivered", "Pending", "Rejected", "Timeout" }, outcome => Assert.True(outcomes.GetValueOrDefault(outcome) > 0, $"no send ended {outcome}"));
    }

    [Fact]
    public async Task AnEndlessMultiLineReplyIsRefusedAtItsCapLongBeforeTheTimeout()
    {
        var line = ReplyFuzz.Ascii("250-" + new string('x', 1000) + "\r\n");
        using var server = new HostileLoopbackServer(new Func<HostileConnection, Task>[] { connection => connection.WriteForeverAsync(line) });
        using var timer = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var failure = await Assert.ThrowsAsync<NotificationDeliveryException>(() => Channel(server.Port).SendAsync(Events.Custom("x"), timer.Token));

        Assert.False(failure.IsPermanent);
        Assert.Contains("reply of over 65536 bytes", failure.Message);
    }

    [Fact]
    public async Task AReplyFullOfControlCharactersIsQuotedAsOneShortLine()
    {
        var reply = "550 no\u001b[2J\u0007such\u0000user " + new string('y', 5000) + "\r\n";
        using var server = new HostileLoopbackServer(new Func<HostileConnection, Task>[] { connection => connection.WriteAsync(Encoding.UTF8.GetBytes(reply)) });

        var failure = await Assert.ThrowsAsync<NotificationDeliveryException>(() => Channel(server.Port).SendAsync(Events.Custom("x"), CancellationToken.None));

        Assert.True(failure.IsPermanent);
        Assert.StartsWith("The SMTP server answered 550 no [2J such user yyy", failure.Message);
        Assert.DoesNotContain(failure.Message, char.IsControl);
        Assert.True(failure.Message.Length < 600, failure.Message);
    }

    private static SmtpChannel Channel(int port)
    {
        var definition = new NotificationChannelDefinition
        {
            Name = "mail",
            Type = "Email",
            Server = "127.0.0.1",
            Port = port,
            Security = "None",
            From = "kdcha@example.com",
            To = new[] { "oncall@example.com" },
            TimeoutSeconds = 1,
        };
        definition.Validate();
        return new SmtpChannel(definition, new SecretReferenceResolver(new SecretRedactor(), environment: _ => null));
    }

    // Behaves until a random step (or to the end), answers that step with a hostile reply, and then goes on
    // behaving, closes, or never stops, as the reply has it.
    private static Func<HostileConnection, Task> Script(Random random)
    {
        var hostileStep = random.Next(WellBehaved.Length + 1);
        var (reply, goOn) = HostileReply(random);
        return async connection =>
        {
            for (var step = 0; step < WellBehaved.Length; step++)
            {
                if (step > 0 && await connection.ReadUntilAsync(step == MessageStep ? "\r\n.\r\n" : "\r\n") is null)
                {
                    return;
                }

                if (step != hostileStep)
                {
                    await connection.WriteAsync(WellBehaved[step]);
                    continue;
                }

                await reply(connection);
                if (!goOn)
                {
                    return;
                }
            }
        };
    }

    private static (Func<HostileConnection, Task> Reply, bool GoOn) HostileReply(Random random)
    {
        var garbage = ReplyFuzz.RandomBytes(random, random.Next(0, 300));
        var code = random.Next(0, 1000).ToString("D3");
        var goOn = random.Next(2) == 0;
        byte[] Bytes(string text) => ReplyFuzz.Ascii(text);
        switch (random.Next(40))
        {
            case < 4:
                return (connection => connection.WriteAsync(garbage), goOn);
            case < 8:
                return (connection => connection.WriteAsync(ReplyFuzz.Join(garbage, Bytes("\r\n"))), goOn);
            case < 14:
                return (connection => connection.WriteAsync($"{code} {Encoding.Latin1.GetString(garbage).Replace("\n", string.Empty)}\r\n"), goOn);
            case < 17:
                var codes = Enumerable.Range(0, random.Next(2, 6)).Select(_ => random.Next(200, 600)).ToArray();
                return (connection => connection.WriteAsync(string.Concat(codes.SkipLast(1).Select(c => $"{c}-part\r\n")) + $"{codes[^1]} end\r\n"), goOn);
            case < 19:
                var length = random.Next(8000, 40000);
                return (connection => connection.WriteAsync($"250 {new string('x', length)}\r\n"), goOn);
            case < 21:
                var lines = random.Next(1, 3000);
                return (connection => connection.WriteAsync(string.Concat(Enumerable.Repeat("250-" + new string('e', 40) + "\r\n", lines)) + "250 end\r\n"), goOn);
            case < 23:
                return (connection => connection.WriteForeverAsync(Bytes("250-" + new string('x', 1000) + "\r\n")), false);
            case < 25:
                return (connection => connection.WriteForeverAsync(garbage.Where(b => b != '\n').Append((byte)'z').ToArray()), false);
            case < 27:
                return (connection => connection.WriteAsync(code.Substring(0, random.Next(3))), false);
            case < 29:
                return (connection => connection.WriteAsync(new byte[] { (byte)'2', (byte)'5', (byte)'0', (byte)' ', 0xFF, 0xFE, 0xC0, 0x00, 0x1B, (byte)'[', (byte)'3', (byte)'1', (byte)'m', 0xED, 0xA0, 0x80, (byte)'\r', (byte)'\n' }), goOn);
            case < 31:
                return (connection => connection.WriteAsync(random.Next(2) == 0 ? "250 ok\n" : "250 ok\r"), goOn);
            case < 33:
                return (connection => connection.WriteAsync($"{code[0]}x{code[2]} ok\r\n"), goOn);
            case < 35:
                return (async connection =>
                {
                    foreach (var b in Bytes("250-split\r\n250 ok\r\n"))
                    {
                        await connection.WriteAsync(new[] { b });
                    }
                }, goOn);
            case < 36:
                return (connection => connection.WriteAsync(string.Empty), goOn);
            case < 38:
                return (connection => connection.HangAsync(), false);
            default:
                return (connection => connection.TrickleAsync((byte)'x', TimeSpan.FromMilliseconds(50)), false);
        }
    }
}
