using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Notification;
using KdcHa.Notification.Channels;

namespace KdcHa.Tests.Notification;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CommandChannelTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task HostileFieldsArriveVerbatimAndExecuteNothing()
    {
        var canary = _directory.File("canary");
        var hostile = $"$(touch {canary}) `touch {canary}` ; touch {canary} && touch {canary} | touch {canary} \"quoted\" 'single'\nsecond line";
        var script = WriteScript("""
            #!/bin/sh
            cat > "$1/stdin.json"
            printf '%s' "$KDCHA_EVENT_MESSAGE" > "$1/message.txt"
            printf '%s' "$KDCHA_DETAIL_NOTE_TEXT" > "$1/detail.txt"
            printf '%s\n' "$@" > "$1/args.txt"
            """);
        var channel = new CommandChannel(new NotificationChannelDefinition
        {
            Name = "hook",
            Type = "Command",
            Path = script,
            Arguments = new[] { _directory.Path, hostile },
        });

        await channel.SendAsync(Events.Custom(hostile) with { Details = new Dictionary<string, string> { ["note-text"] = hostile } }, CancellationToken.None);

        Assert.Equal(hostile, File.ReadAllText(_directory.File("message.txt")));
        Assert.Equal(hostile, File.ReadAllText(_directory.File("detail.txt")));
        Assert.Equal(_directory.Path + "\n" + hostile + "\n", File.ReadAllText(_directory.File("args.txt")));
        using var stdin = JsonDocument.Parse(File.ReadAllText(_directory.File("stdin.json")));
        Assert.Equal(hostile, stdin.RootElement.GetProperty("message").GetString());
        Assert.False(File.Exists(canary), "a field was executed by a shell");
    }

    [Fact]
    public async Task ANonZeroExitIsATransientFailureWithTheProgramsLastWords()
    {
        var channel = Channel(WriteScript("#!/bin/sh\necho 'pager gateway down' >&2\nexit 3\n"));

        var failure = await Assert.ThrowsAsync<NotificationDeliveryException>(() => channel.SendAsync(Events.Custom("x"), CancellationToken.None));

        Assert.False(failure.IsPermanent);
        Assert.Contains("exited with code 3: pager gateway down", failure.Message);
    }

    [Fact]
    public async Task AMissingProgramIsPermanent()
    {
        var failure = await Assert.ThrowsAsync<NotificationDeliveryException>(
            () => Channel(_directory.File("absent")).SendAsync(Events.Custom("x"), CancellationToken.None));

        Assert.True(failure.IsPermanent);
    }

    [Fact]
    public async Task AHungProgramIsKilledAtTheTimeout()
    {
        var channel = Channel(WriteScript("#!/bin/sh\nexec sleep 30\n"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => channel.SendAsync(Events.Custom("x"), timeout.Token));
    }

    private CommandChannel Channel(string path) => new(new NotificationChannelDefinition { Name = "hook", Type = "Command", Path = path });

    private string WriteScript(string content)
    {
        var path = _directory.File("hook-" + Guid.NewGuid().ToString("N") + ".sh");
        File.WriteAllText(path, content.Replace("\r\n", "\n"));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
