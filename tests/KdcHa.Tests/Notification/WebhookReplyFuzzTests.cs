using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Notification;
using KdcHa.Notification.Channels;
using KdcHa.Tests.Kerberos.Transport;

namespace KdcHa.Tests.Notification;

/// <summary>The HTTP reply reader and the robots' errcode check against a hostile HTTP server on loopback.</summary>
[Collection(LoopbackSocketCollection.Name)]
public sealed class WebhookReplyFuzzTests : IDisposable
{
    private const int Replies = 2000;
    private static readonly string[] Types = { "Webhook", "Slack", "DingTalk", "WeCom", "Feishu" };

    // Made once: the fuzz test times every send, and 2,000 replies' worth of 10 MB bodies would time the GC instead.
    private static readonly byte[] HugeBody = new byte[10 * 1024 * 1024];

    private static readonly byte[][] RobotBodies = new[]
    {
        string.Empty, "null", "[]", "[1,2]", "1", "\"ok\"", "true", "{}", "ok", """{"errcode":0,"errmsg":"ok"}""", """{"code":0,"msg":"success"}""",
        """{"errcode":"0"}""", """{"errcode":1e300}""", """{"errcode":-1}""", """{"errcode":0.5}""", """{"errcode":99999999999999999999}""",
        """{"errcode":null}""", """{"errcode":{}}""", """{"errcode":[0]}""", """{"errcode":130101,"errmsg":"send too fast"}""", """{"code":11232}""",
        """{"errcode":310000,"errmsg":{"a":[1,2]}}""", """{"errcode":0,"errcode":1}""", "\uFEFF{\"errcode\":0}", """{"errcode":0""", """{"errcode":0}garbage""",
        """{'errcode':0}""", """{"errcode":0,}""", """/*x*/{"errcode":0}""", """{"errmsg":"\u001b[31mred\u0007","errcode":5}""",
        "{\"errcode\":0,\"errmsg\":\"" + new string('m', 70_000) + "\"}", string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "0" + new string('}', 10_000),
    }.Select(Encoding.UTF8.GetBytes).ToArray();

    private readonly HttpClientPoster _poster = new();

    public void Dispose() => _poster.Dispose();

    [Fact]
    public async Task EveryHostileReplyEndsInAClassifiedResultWithinTheTimeout()
    {
        var random = new Random(ReplyFuzz.Seed);
        using var server = new HostileLoopbackServer(Enumerable.Range(0, Replies).Select(_ => Script(HostileReply(random))).ToList());
        var channels = Types.Select(type => Channel(type, server.Port)).ToArray();

        var outcomes = await ReplyFuzz.RunAsync(Replies, number => channels[number % channels.Length]);

        Assert.Equal(Replies, outcomes.Values.Sum());
        Assert.All(new[] { "Delivered", "Pending", "Rejected", "Timeout" }, outcome => Assert.True(outcomes.GetValueOrDefault(outcome) > 0, $"no send ended {outcome}"));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"ok\"")]
    [InlineData("7")]
    [InlineData("null")]
    [InlineData("""{"errcode":"0","errmsg":"ok"}""")]
    [InlineData("""{"errcode":[0]}""")]
    [InlineData("""{"errcode":1e300}""")]
    public async Task ARobotReplyThatIsNotAnObjectWithANumericCodeIsARejection(string body)
    {
        using var server = new HostileLoopbackServer(new[] { Script(Http(200, Encoding.UTF8.GetBytes(body))) });

        var failure = await Assert.ThrowsAsync<NotificationDeliveryException>(() => Channel("DingTalk", server.Port).SendAsync(Events.Custom("x"), CancellationToken.None));

        Assert.True(failure.IsPermanent);
        Assert.Contains("no numeric 'errcode'", failure.Message);
    }

    [Fact]
    public async Task ABodyThatBreaksOffIsReadAsFarAsItCame()
    {
        var truncated = ReplyFuzz.Ascii("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n{\"errcode\":0,");
        using var server = new HostileLoopbackServer(new[] { Script(connection => connection.WriteAsync(truncated)) });

        var failure = await Assert.ThrowsAsync<NotificationDeliveryException>(() => Channel("DingTalk", server.Port).SendAsync(Events.Custom("x"), CancellationToken.None));

        Assert.Contains("The reply is not JSON: {\"errcode\":0,", failure.Message);
    }

    [Fact]
    public async Task AnEchoedErrorMessageIsQuotedAsOneShortLine()
    {
        var body = """{"errcode":310000,"errmsg":"sign\u001b[2J\nnot match """ + new string('m', 5000) + "\"}";
        using var server = new HostileLoopbackServer(new[] { Script(Http(200, Encoding.UTF8.GetBytes(body))) });

        var failure = await Assert.ThrowsAsync<NotificationDeliveryException>(() => Channel("DingTalk", server.Port).SendAsync(Events.Custom("x"), CancellationToken.None));

        Assert.StartsWith("The robot refused the message: errcode 310000, sign [2J not match mmm", failure.Message);
        Assert.DoesNotContain(failure.Message, char.IsControl);
        Assert.True(failure.Message.Length < 300, failure.Message);
    }

    private INotificationChannel Channel(string type, int port)
    {
        var url = $"http://127.0.0.1:{port}/robot/send?access_token=fuzz";
        var secrets = new SecretReferenceResolver(new SecretRedactor(), environment: name => name == "URL" ? url : null);
        var definition = new NotificationChannelDefinition { Name = type.ToLowerInvariant(), Type = type, Url = "env:URL", TimeoutSeconds = 1 };
        return new NotificationChannelFactory(_poster, secrets, TimeProvider.System).Create(definition);
    }

    // Reads the request (its head, then Content-Length bytes of body) and answers with the reply.
    private static Func<HostileConnection, Task> Script(Func<HostileConnection, Task> reply) => async connection =>
    {
        var head = await connection.ReadUntilAsync("\r\n\r\n");
        if (head is null)
        {
            return;
        }

        var length = Regex.Match(head, @"(?im)^content-length:\s*(\d+)");
        await connection.SkipAsync(length.Success ? int.Parse(length.Groups[1].Value, CultureInfo.InvariantCulture) : 0);
        await reply(connection);
    };

    private static Func<HostileConnection, Task> Http(int status, byte[] body, string headers = "") =>
        async connection =>
        {
            await connection.WriteAsync($"HTTP/1.1 {status} X\r\nContent-Length: {body.Length}\r\nConnection: close\r\n{headers}\r\n");
            await connection.WriteAsync(body);
        };

    private static Func<HostileConnection, Task> HostileReply(Random random)
    {
        var garbage = ReplyFuzz.RandomBytes(random, random.Next(0, 400));
        var status = random.Next(4) == 0 ? random.Next(100, 1000) : new[] { 200, 201, 202, 204, 400, 404, 408, 429, 500, 503 }[random.Next(10)];
        switch (random.Next(40))
        {
            case < 14:
                return Http(random.Next(3) == 0 ? status : 200, RobotBody(random));
            case < 17:
                return Http(status, garbage);
            case < 18:
                return Http(200, HugeBody);
            case < 19:
                return connection => connection.WriteAsync(ReplyFuzz.Join(ReplyFuzz.Ascii("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n"), garbage));
            case < 21:
                return async connection =>
                {
                    await connection.WriteAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
                    await connection.WriteForeverAsync(ReplyFuzz.Ascii("1000\r\n" + new string('c', 4096) + "\r\n"));
                };
            case < 23:
                return connection => connection.WriteAsync(ReplyFuzz.Join(ReplyFuzz.Ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"err\r\nzz\r\n"), garbage));
            case < 25:
                return connection => connection.WriteAsync(ReplyFuzz.Join(garbage, ReplyFuzz.Ascii("\r\n\r\n")));
            case < 26:
                return connection => connection.WriteAsync($"HTTP/1.1 200 OK\r\nX-Big: {new string('h', 100 * 1024)}\r\nContent-Length: 0\r\n\r\n");
            case < 27:
                return async connection =>
                {
                    await connection.WriteAsync("HTTP/1.1 200 OK\r\nX-Endless: ");
                    await connection.WriteForeverAsync(ReplyFuzz.Ascii(new string('a', 4096)));
                };
            case < 29:
                return connection => connection.WriteAsync($"HTTP/1.1 {status} X\r\n");
            case < 30:
                return connection => connection.WriteAsync(ReplyFuzz.Join(ReplyFuzz.Ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n"), garbage));
            case < 31:
                return async connection =>
                {
                    await connection.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n");
                    await Http(200, RobotBody(random))(connection);
                };
            case < 33:
                return connection => connection.WriteAsync(ReplyFuzz.Join(ReplyFuzz.Ascii("HTTP/1.0 200 OK\r\n\r\n"), RobotBody(random)));
            case < 34:
                return Http(200, Encoding.UTF8.GetBytes(new string('[', 100_000)));
            case < 35:
                return Http(200, Encoding.Unicode.GetBytes("""{"errcode":0}"""), "Content-Type: application/json; charset=utf-16\r\n");
            case < 36:
                return connection => Task.CompletedTask;
            case < 38:
                return connection => connection.HangAsync();
            default:
                return connection => connection.TrickleAsync((byte)'H', TimeSpan.FromMilliseconds(50));
        }
    }

    // What a DingTalk, WeCom or Feishu robot might answer, and what a broken or hostile one might.
    private static byte[] RobotBody(Random random)
    {
        var body = (byte[])RobotBodies[random.Next(RobotBodies.Length)].Clone();
        if (body.Length > 0 && random.Next(4) == 0)
        {
            body[random.Next(body.Length)] = (byte)random.Next(256);
        }

        return body;
    }
}
