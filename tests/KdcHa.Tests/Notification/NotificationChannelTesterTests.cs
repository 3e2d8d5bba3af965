using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Notification;
using KdcHa.Notification.Channels;

namespace KdcHa.Tests.Notification;

/// <summary>One direct test send against a real HTTP listener on 127.0.0.1: the answer, or the reason, never the secret.</summary>
public sealed class NotificationChannelTesterTests : IDisposable
{
    private readonly LoopbackHttpReceiver _receiver = new();
    private readonly HttpClientPoster _poster = new();
    private readonly SecretRedactor _redactor = new();

    public void Dispose()
    {
        _receiver.Dispose();
        _poster.Dispose();
    }

    [Fact]
    public async Task ReportsTheHttpStatusOfAnAcceptedTest()
    {
        var result = await TestAsync();

        Assert.True(result.Success);
        Assert.Equal("HTTP 200", result.Reply);
        Assert.Equal("test", result.Channel);
        Assert.Equal(string.Empty, result.Message);
        Assert.Single(_receiver.WaitFor(1, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task ReportsARefusalWithTheStatusAndTheEchoedSecretMasked()
    {
        _receiver.StatusCode = 403;
        _receiver.ResponseBody = "bad token in /hook/s3cret-token-0123456789";

        var result = await TestAsync();

        Assert.False(result.Success);
        Assert.Equal("HTTP 403", result.Reply);
        Assert.Contains("HTTP 403", result.Message);
        Assert.DoesNotContain("s3cret-token-0123456789", result.Message);
    }

    [Fact]
    public async Task ReportsAnUnresolvableSecretAsAFailedTest()
    {
        var result = await TestAsync(url: "env:KDCHA_TESTER_UNSET");

        Assert.False(result.Success);
        Assert.Contains("KDCHA_TESTER_UNSET", result.Message);
    }

    private Task<NotificationChannelTestResult> TestAsync(string url = "env:URL")
    {
        var variables = new Dictionary<string, string> { ["URL"] = _receiver.Url("/hook/s3cret-token-0123456789") };
        var secrets = new SecretReferenceResolver(_redactor, environment: name => variables.TryGetValue(name, out var value) ? value : null);
        var channel = new NotificationChannelFactory(_poster, secrets, new ManualClock())
            .Create(new NotificationChannelDefinition { Name = "test", Type = "Webhook", Url = url });
        return NotificationChannelTester.TestAsync(channel, Events.Custom("test"), TimeSpan.FromSeconds(5), _redactor, TimeProvider.System, CancellationToken.None);
    }
}
