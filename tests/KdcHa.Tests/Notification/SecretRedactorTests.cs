using KdcHa.Notification;

namespace KdcHa.Tests.Notification;

public sealed class SecretRedactorTests
{
    [Fact]
    public void AWebhookUrlIsMaskedWholeAndByItsTokenParts()
    {
        var redactor = new SecretRedactor();
        redactor.Add("https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef");
        redactor.Add("https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX");

        Assert.Equal("POST *** failed", redactor.Redact("POST https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef failed"));
        Assert.Equal("bad token ***", redactor.Redact("bad token 0123456789abcdef"));
        Assert.Equal("no_service for ***", redactor.Redact("no_service for /services/T000/B000/XXXXXXXXXXXXXXXX"));
        Assert.Equal("robot send services", redactor.Redact("robot send services"));
    }

    [Fact]
    public void ShortValuesAreNotTreatedAsSecrets()
    {
        var redactor = new SecretRedactor();
        redactor.Add("abc");

        Assert.Equal("abc", redactor.Redact("abc"));
    }
}
