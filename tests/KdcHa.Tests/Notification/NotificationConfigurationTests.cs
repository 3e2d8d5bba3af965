using System;
using System.IO;
using System.Linq;
using KdcHa.Notification;

namespace KdcHa.Tests.Notification;

public sealed class NotificationConfigurationTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void AHandWrittenFileWithCommentsAndTemplatesLoads()
    {
        var path = _directory.File("notification.json");
        File.WriteAllText(path, """
            {
              // read by the monitor and by cron jobs
              "spoolPath": "/var/spool/kdcha/notifications",
              "templates": { "VrrpStateChanged": "{Instance} 状态从 {OldState} 变为 {NewState}" },
              "channels": [
                { "name": "dingtalk", "type": "dingtalk", "url": "env:DINGTALK_URL", "signingSecret": "file:/etc/kdcha/dingtalk.key", "format": "text" },
                { "name": "mail", "type": "Email", "server": "smtp.example.com", "from": "kdcha@example.com", "to": ["oncall@example.com"],
                  "userName": "kdcha", "password": "vault:SmtpPassword", "minimumSeverity": "Critical" },
              ]
            }
            """);

        var configuration = NotificationConfigurationFile.Load(path);

        Assert.Equal(new[] { "dingtalk", "mail" }, configuration.Channels.Select(channel => channel.Name));
        Assert.False(configuration.Channels[1].Accepts(NotificationSeverity.Warning));
        var rendered = configuration.ToDispatcherOptions().Templates.Complete(Events.StateChange() with { Message = string.Empty });
        Assert.Equal("VI_1 状态从 BACKUP 变为 MASTER", rendered.Message);
    }

    [Theory]
    [InlineData("""{ "channels": [ { "name": "s", "type": "Slack", "url": "https://hooks.slack.com/services/T/B/secret" } ] }""", "must be a secret reference")]
    [InlineData("""{ "channels": [ { "name": "s", "type": "Pager", "url": "env:X" } ] }""", "'Pager' is not one of")]
    [InlineData("""{ "channels": [ { "name": "../etc", "type": "Slack", "url": "env:X" } ] }""", "name must be")]
    [InlineData("""{ "channels": [ { "name": "c", "type": "Command", "path": "notify-send" } ] }""", "absolute path")]
    [InlineData("""{ "chanels": [] }""", "chanels")]
    [InlineData("""{ "channels": [ { "name": "m", "type": "Email", "server": "smtp", "from": "kdcha@example.com\r\nBcc: x@example.invalid", "to": ["oncall@example.com"] } ] }""", "from address 'kdcha@example.com\\r\\nBcc: x@example.invalid' contains a line break")]
    [InlineData("""{ "channels": [ { "name": "m", "type": "Email", "server": "smtp", "from": "kdcha@example.com", "to": ["oncall@example.com", "KdcHa <b@example.com>"] } ] }""", "to address 'KdcHa <b@example.com>' is not a bare address")]
    [InlineData("""{ "channels": [ { "name": "a", "type": "Slack", "url": "env:X" }, { "name": "a", "type": "Teams", "url": "env:Y" } ] }""", "Two channels are named 'a'")]
    public void MistakesAreReportedWithTheFieldAtFault(string json, string expected)
    {
        var path = _directory.File("bad.json");
        File.WriteAllText(path, json);

        var failure = Assert.Throws<NotificationConfigurationException>(() => NotificationConfigurationFile.Load(path));

        Assert.Contains(expected, failure.Message);
    }

    [Fact]
    public void SaveRoundTripsAndLeavesAnOwnerOnlyFile()
    {
        var path = _directory.File("etc/kdcha/notification.json");
        var configuration = new NotificationConfiguration { SpoolPath = _directory.File("spool") };
        configuration.Channels.Add(new NotificationChannelDefinition { Name = "syslog", Type = "Syslog", Transport = "Tcp", Server = "logs", Port = 6514 });

        NotificationConfigurationFile.Save(path, configuration);
        NotificationConfigurationFile.Save(path, NotificationConfigurationFile.Load(path));

        var reloaded = NotificationConfigurationFile.Load(path);
        Assert.Equal("Tcp", reloaded.Channels.Single().Transport);
        Assert.Contains("\"type\": \"Syslog\"", File.ReadAllText(path));
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void TheExplicitPathWinsOverTheVariableWhichWinsOverTheDefault()
    {
        var previous = Environment.GetEnvironmentVariable(NotificationConfigurationFile.PathVariable);
        try
        {
            Environment.SetEnvironmentVariable(NotificationConfigurationFile.PathVariable, null);
            Assert.Equal("/etc/kdcha/notification.json", NotificationConfigurationFile.Resolve(null));
            Environment.SetEnvironmentVariable(NotificationConfigurationFile.PathVariable, "/srv/n.json");
            Assert.Equal("/srv/n.json", NotificationConfigurationFile.Resolve(null));
            Assert.Equal("/tmp/x.json", NotificationConfigurationFile.Resolve("/tmp/x.json"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(NotificationConfigurationFile.PathVariable, previous);
        }
    }
}
