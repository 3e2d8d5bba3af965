using System;
using System.Diagnostics;
using System.IO;
using System.Text.RegularExpressions;

namespace KdcHa.Tests.Keepalived;

/// <summary>
/// Real keepalived with enable_dbus and a dbus_service_name of its own, alone on a veth pair in a network namespace
/// of the test's own, publishing on a private dbus-daemon. Its instance KDC_VIP tracks the file <see cref="BrokenFile"/>
/// with weight 0: writing 1 there puts it in FAULT. Needs root; everything is removed on dispose.
/// </summary>
internal sealed class KeepalivedOnPrivateBus : IDisposable
{
    private readonly string _namespace = "kdchatest-" + Guid.NewGuid().ToString("N").Substring(0, 6);
    private readonly TempDirectory _directory = new();
    private readonly PrivateDBusDaemon _bus = new();
    private Process? _keepalived;

    public KeepalivedOnPrivateBus()
    {
        try
        {
            Run("ip", "netns", "add", _namespace);
            Run("ip", "-n", _namespace, "link", "add", "eth0", "type", "veth", "peer", "name", "eth1");
            foreach (var link in new[] { "lo", "eth0", "eth1" })
            {
                Run("ip", "-n", _namespace, "link", "set", link, "up");
            }

            Run("ip", "-n", _namespace, "address", "add", "192.0.2.1/24", "dev", "eth0");
            File.WriteAllText(BrokenFile, "0\n");
            File.WriteAllText(ConfigFile, $$"""
                global_defs {
                    router_id kdchatest
                    enable_dbus
                    dbus_service_name {{ServiceName}}
                }
                track_file broken {
                    file "{{BrokenFile}}"
                }
                vrrp_instance KDC_VIP {
                    state BACKUP
                    interface eth0
                    virtual_router_id 51
                    priority 90
                    advert_int 1
                    virtual_ipaddress {
                        192.0.2.100/32 dev eth0
                    }
                    track_file {
                        broken weight 0
                    }
                }
                """);
            var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "netns", "exec", _namespace, "keepalived", "--dont-fork", "--dont-respawn", "--log-console", "--no-syslog", "--vrrp", "-f", ConfigFile, "-p", PidFile, "-r", _directory.File("vrrp.pid") })
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["DBUS_SYSTEM_BUS_ADDRESS"] = _bus.Address;
            start.Environment["TMPDIR"] = _directory.Path;
            _keepalived = Process.Start(start) ?? throw new InvalidOperationException("keepalived did not start.");
            _keepalived.OutputDataReceived += (_, _) => { };
            _keepalived.ErrorDataReceived += (_, _) => { };
            _keepalived.BeginOutputReadLine();
            _keepalived.BeginErrorReadLine();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string ServiceName => "org.keepalived.Vrrp1.kdchatest";

    public string PidFile => _directory.File("keepalived.pid");

    public string BusAddress => _bus.Address;

    public string BrokenFile => _directory.File("broken");

    /// <summary>
    /// Rewrites dbus_service_name in the configuration file. The running keepalived keeps its name (it reads the file
    /// at start), so readers that go by the file now look for a name keepalived does not hold.
    /// </summary>
    public void RewriteServiceName(string name) =>
        File.WriteAllText(ConfigFile, Regex.Replace(File.ReadAllText(ConfigFile), @"dbus_service_name \S+", "dbus_service_name " + name));

    private string ConfigFile => _directory.File("keepalived.conf");

    public void Dispose()
    {
        if (_keepalived is not null)
        {
            try
            {
                _keepalived.Kill(entireProcessTree: true);
                _keepalived.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }

            _keepalived.Dispose();
        }

        Run("ip", new[] { "netns", "delete", _namespace }, allowFailure: true);
        _bus.Dispose();
        _directory.Dispose();
    }

    private static void Run(string program, params string[] arguments) => Run(program, arguments, allowFailure: false);

    private static void Run(string program, string[] arguments, bool allowFailure)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 && !allowFailure)
        {
            throw new InvalidOperationException($"{program} {string.Join(" ", arguments)} failed (run the tests as root): {error}");
        }
    }
}
