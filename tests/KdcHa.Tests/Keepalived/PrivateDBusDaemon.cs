using System;
using System.Diagnostics;
using System.IO;

namespace KdcHa.Tests.Keepalived;

/// <summary>
/// A dbus-daemon of the test's own, on a socket in a temp directory, that lets everyone own any name and call
/// anything; killed on dispose. Tests never touch the machine's system bus.
/// </summary>
internal sealed class PrivateDBusDaemon : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly Process _process;

    public PrivateDBusDaemon()
    {
        SocketPath = _directory.File("bus");
        var config = _directory.File("bus.conf");
        File.WriteAllText(config, $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>system</type>
              <listen>unix:path={SocketPath}</listen>
              <auth>EXTERNAL</auth>
              <policy context="default">
                <allow user="*"/>
                <allow own="*"/>
                <allow send_destination="*"/>
                <allow receive_sender="*"/>
              </policy>
            </busconfig>
            """);
        var start = new ProcessStartInfo("dbus-daemon") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "--nofork", "--nopidfile", "--print-address", $"--config-file={config}" })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("dbus-daemon did not start.");
        var line = _process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(10)) || line.Result is not { Length: > 0 } address)
        {
            Dispose();
            throw new InvalidOperationException("dbus-daemon printed no address within 10 s.");
        }

        Address = address.Trim();
    }

    public string SocketPath { get; }

    public string Address { get; }

    public void Dispose()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        _process.Dispose();
        _directory.Dispose();
    }
}
