using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Notification;
using KdcHa.Notification.Channels;

namespace KdcHa.Tests.Notification;

/// <summary>Every vendor's payload, as a real HTTP listener on 127.0.0.1 receives it.</summary>
public sealed class WebhookChannelTests : IDisposable
{
    private const string SigningKey = "SEC-signing-key-0123456789";
    private readonly LoopbackHttpReceiver _receiver = new();
    private readonly ManualClock _clock = new();
    private readonly HttpClientPoster _poster = new();
    private readonly SecretRedactor _redactor = new();

    public void Dispose()
    {
        _receiver.Dispose();
        _poster.Dispose();
    }

    [Fact]
    public async Task GenericWebhookPostsTheEventWithHeadersAndAVerifiableSignature()
    {
        var request = await SendAsync(new() { Type = "Webhook", SigningSecret = "env:KEY", Headers = new() { ["Authorization"] = "env:AUTH", ["X-Team"] = "kdc" } });

        var body = request.Json;
        Assert.Equal("VrrpStateChanged", body.GetProperty("kind").GetString());
        Assert.Equal("Warning", body.GetProperty("severity").GetString());
        Assert.Equal("VI_1", body.GetProperty("instance").GetString());
        Assert.Equal("150", body.GetProperty("details").GetProperty("priority").GetString());
        Assert.Equal("Bearer t0ken-value", request.Headers["Authorization"]);
        Assert.Equal("kdc", request.Headers["X-Team"]);
        Assert.Equal(body.GetProperty("id").GetString(), request.Headers["Idempotency-Key"]);
        var timestamp = request.Headers[GenericWebhookPayloadBuilder.TimestampHeader];
        Assert.Equal(new DateTimeOffset(_clock.UtcNow).ToUnixTimeSeconds().ToString(), timestamp);
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(SigningKey));
        var expected = "sha256=" + Convert.ToHexStringLower(hmac.ComputeHash(Encoding.UTF8.GetBytes(timestamp + "." + request.Body)));
        Assert.Equal(expected, request.Headers[GenericWebhookPayloadBuilder.SignatureHeader]);
    }

    [Fact]
    public async Task SlackGetsFallbackTextAndBlockKitBlocks()
    {
        var body = (await SendAsync(new() { Type = "Slack" })).Json;

        Assert.Contains("VI_1 BACKUP -> MASTER", body.GetProperty("text").GetString());
        var blocks = body.GetProperty("blocks").EnumerateArray().ToList();
        Assert.Equal(new[] { "header", "section", "context" }, blocks.Select(block => block.GetProperty("type").GetString()));
        Assert.Equal("plain_text", blocks[0].GetProperty("text").GetProperty("type").GetString());
        Assert.Equal("mrkdwn", blocks[1].GetProperty("text").GetProperty("type").GetString());
        Assert.Contains("*Host:* kdc1", blocks[2].GetProperty("elements")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task TeamsGetsAnAdaptiveCardAttachment()
    {
        _receiver.StatusCode = 202;
        var body = (await SendAsync(new() { Type = "Teams" })).Json;

        Assert.Equal("message", body.GetProperty("type").GetString());
        var attachment = body.GetProperty("attachments")[0];
        Assert.Equal("application/vnd.microsoft.card.adaptive", attachment.GetProperty("contentType").GetString());
        Assert.Equal(JsonValueKind.Null, attachment.GetProperty("contentUrl").ValueKind);
        var card = attachment.GetProperty("content");
        Assert.Equal("AdaptiveCard", card.GetProperty("type").GetString());
        Assert.Equal("http://adaptivecards.io/schemas/adaptive-card.json", card.GetProperty("$schema").GetString());
        Assert.Equal("Warning", card.GetProperty("body")[0].GetProperty("color").GetString());
        var facts = card.GetProperty("body")[2].GetProperty("facts").EnumerateArray().ToDictionary(f => f.GetProperty("title").GetString()!, f => f.GetProperty("value").GetString());
        Assert.Equal("BACKUP -> MASTER", facts["State"]);
    }

    [Fact]
    public async Task DingTalkSignsTheUrlWithTimestampAndSign()
    {
        _receiver.ResponseBody = """{"errcode":0,"errmsg":"ok"}""";
        var request = await SendAsync(new() { Type = "DingTalk", Url = "env:URL_WITH_TOKEN", SigningSecret = "env:KEY" });

        var query = System.Web.HttpUtility.ParseQueryString(new Uri("http://x" + request.RawUrl).Query);
        Assert.Equal("abc", query["access_token"]);
        var timestamp = query["timestamp"]!;
        Assert.Equal(new DateTimeOffset(_clock.UtcNow).ToUnixTimeMilliseconds().ToString(), timestamp);
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(SigningKey));
        Assert.Equal(Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(timestamp + "\n" + SigningKey))), query["sign"]);
        Assert.Contains("sign=" + Uri.EscapeDataString(query["sign"]!), request.RawUrl);
        var body = request.Json;
        Assert.Equal("markdown", body.GetProperty("msgtype").GetString());
        Assert.Equal("Warning: VrrpStateChanged on kdc1 (VI_1)", body.GetProperty("markdown").GetProperty("title").GetString());
        Assert.StartsWith("#### ", body.GetProperty("markdown").GetProperty("text").GetString());
    }

    [Fact]
    public async Task WeComSendsMarkdownOrText()
    {
        _receiver.ResponseBody = """{"errcode":0,"errmsg":"ok"}""";
        var markdown = (await SendAsync(new() { Type = "WeCom" })).Json;
        var text = (await SendAsync(new() { Type = "WeCom", Format = "Text" })).Json;

        Assert.Equal("markdown", markdown.GetProperty("msgtype").GetString());
        Assert.Contains("**Instance:** VI_1", markdown.GetProperty("markdown").GetProperty("content").GetString());
        Assert.Equal("text", text.GetProperty("msgtype").GetString());
        Assert.Contains("Instance: VI_1", text.GetProperty("text").GetProperty("content").GetString());
    }

    [Fact]
    public void WeComClipsToTheRobotsByteLimitOnACharacterBoundary()
    {
        var clipped = WeComPayloadBuilder.ClipUtf8(new string('告', 3000), 4096);

        Assert.True(Encoding.UTF8.GetByteCount(clipped) <= 4096);
        Assert.EndsWith("…", clipped);
        Assert.All(clipped.TrimEnd('…'), c => Assert.Equal('告', c));
    }

    [Fact]
    public async Task FeishuSignsTheBodyWithTheTimestampAndSecretAsKey()
    {
        _receiver.ResponseBody = """{"code":0,"msg":"success","data":{}}""";
        var body = (await SendAsync(new() { Type = "Feishu", SigningSecret = "env:KEY" })).Json;

        var timestamp = body.GetProperty("timestamp").GetString()!;
        Assert.Equal(new DateTimeOffset(_clock.UtcNow).ToUnixTimeSeconds().ToString(), timestamp);
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(timestamp + "\n" + SigningKey));
        Assert.Equal(Convert.ToBase64String(hmac.ComputeHash(Array.Empty<byte>())), body.GetProperty("sign").GetString());
        Assert.Equal("text", body.GetProperty("msg_type").GetString());
        Assert.Contains("VI_1 BACKUP -> MASTER", body.GetProperty("content").GetProperty("text").GetString());
    }

    [Theory]
    [InlineData(500, false)]
    [InlineData(429, false)]
    [InlineData(404, true)]
    [InlineData(400, true)]
    public async Task HttpStatusDecidesBetweenRetryAndRejection(int status, bool permanent)
    {
        _receiver.StatusCode = status;
        _receiver.ResponseBody = "no_service";

        var failure = await Assert.ThrowsAsync<NotificationDeliveryException>(() => SendAsync(new() { Type = "Slack" }));

        Assert.Equal(permanent, failure.IsPermanent);
        Assert.Contains($"HTTP {status}", failure.Message);
    }

    [Theory]
    [InlineData("DingTalk", """{"errcode":310000,"errmsg":"sign not match"}""", true)]
    [InlineData("DingTalk", """{"errcode":130101,"errmsg":"send too fast"}""", false)]
    [InlineData("WeCom", """{"errcode":93000,"errmsg":"invalid webhook url"}""", true)]
    [InlineData("Feishu", """{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}""", true)]
    [InlineData("Feishu", """not json""", true)]
    public async Task RobotsThatRefuseInsideA200AreNotCountedAsDelivered(string type, string reply, bool permanent)
    {
        _receiver.ResponseBody = reply;

        var failure = await Assert.ThrowsAsync<NotificationDeliveryException>(() => SendAsync(new() { Type = type }));

        Assert.Equal(permanent, failure.IsPermanent);
    }

    [Fact]
    public async Task AClosedPortIsATransientFailureThatNamesNoSecret()
    {
        _receiver.Stop();

        var failure = await Assert.ThrowsAsync<NotificationDeliveryException>(() => SendAsync(new() { Type = "Slack" }));

        Assert.False(failure.IsPermanent);
        Assert.DoesNotContain("t0ken", _redactor.Redact(failure.ToString()));
        Assert.DoesNotContain("/hook/t0ken", failure.ToString());
    }

    [Fact]
    public void PreviewShowsReferencesNeverSecrets()
    {
        var channel = Channel(new() { Type = "DingTalk", Url = "env:URL_WITH_TOKEN", SigningSecret = "env:KEY", Headers = new() { ["Authorization"] = "env:AUTH" } });

        var preview = channel.Preview(Events.StateChange());

        Assert.Contains("POST env:URL_WITH_TOKEN", preview);
        Assert.Contains("Authorization: env:AUTH", preview);
        Assert.DoesNotContain(SigningKey, preview);
        Assert.DoesNotContain("t0ken", preview);
        Assert.DoesNotContain("access_token=abc", preview);
    }

    [Fact]
    public async Task AnUnsetVariableFailsWithItsReferenceOnly()
    {
        var failure = await Assert.ThrowsAsync<NotificationSecretException>(() => SendAsync(new() { Type = "Slack", Url = "env:NOT_SET" }));

        Assert.Equal("env:NOT_SET", failure.Reference);
    }

    private async Task<ReceivedRequest> SendAsync(NotificationChannelDefinition definition)
    {
        var before = _receiver.Requests.Count;
        await Channel(definition).SendAsync(Events.StateChange(), CancellationToken.None);
        return _receiver.WaitFor(before + 1, TimeSpan.FromSeconds(5)).Last();
    }

    private INotificationChannel Channel(NotificationChannelDefinition definition)
    {
        definition.Name = "test";
        definition.Url ??= "env:URL";
        var variables = new Dictionary<string, string>
        {
            ["URL"] = _receiver.Url("/hook/t0ken"),
            ["URL_WITH_TOKEN"] = _receiver.Url("/robot/send?access_token=abc"),
            ["KEY"] = SigningKey,
            ["AUTH"] = "Bearer t0ken-value",
        };
        var secrets = new SecretReferenceResolver(_redactor, environment: name => variables.TryGetValue(name, out var value) ? value : null);
        return new NotificationChannelFactory(_poster, secrets, _clock).Create(definition);
    }
}
