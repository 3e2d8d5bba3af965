using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KdcHa.Tests.Notification;

/// <summary>
/// A real SMTP server on loopback: Debian's aiosmtpd (python3-aiosmtpd) with a self-signed certificate, STARTTLS or
/// implicit TLS, AUTH required, delivering into a Maildir. Stopped and removed on dispose.
/// </summary>
internal sealed class SmtpSink : IDisposable
{
    public const string UserName = "alerts";
    public const string Password = "sm7p-Pa55word";

    private const string Server = """
        import sys, ssl
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Mailbox
        from aiosmtpd.smtp import AuthResult, LoginPassword
        host, port, maildir, cert, key, mode, user, password = sys.argv[1:9]
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        def authenticate(server, session, envelope, mechanism, data):
            return AuthResult(success=isinstance(data, LoginPassword) and data.login == user.encode() and data.password == password.encode(), handled=False)
        options = dict(hostname=host, port=int(port), authenticator=authenticate, auth_required=True)
        if mode == "tls":
            options.update(ssl_context=context, auth_require_tls=False)
        else:
            options.update(tls_context=context, require_starttls=True)
        controller = Controller(Mailbox(maildir), **options)
        controller.start()
        print("ready", flush=True)
        sys.stdin.read()
        controller.stop()
        """;

    private readonly TempDirectory _directory = new();
    private readonly Process _process;

    public SmtpSink(string mode)
    {
        Port = FreePort();
        var certificate = _directory.File("cert.pem");
        var key = _directory.File("key.pem");
        Run("openssl", $"req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -days 1 -keyout {key} -out {certificate}");
        CertificateSha256 = Convert.ToHexString(SHA256.HashData(X509Certificate2.CreateFromPem(File.ReadAllText(certificate)).RawData));
        File.WriteAllText(_directory.File("server.py"), Server);
        _process = Process.Start(new ProcessStartInfo("/usr/bin/python3")
        {
            ArgumentList = { _directory.File("server.py"), "127.0.0.1", Port.ToString(), Maildir, certificate, key, mode, UserName, Password },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var ready = _process.StandardOutput.ReadLineAsync();
        if (!ready.Wait(TimeSpan.FromSeconds(20)) || ready.Result != "ready")
        {
            _process.Kill();
            throw new InvalidOperationException("aiosmtpd did not start (is python3-aiosmtpd installed?): " + _process.StandardError.ReadToEnd());
        }
    }

    public int Port { get; }

    public string CertificateSha256 { get; }

    public string Maildir => _directory.File("Maildir");

    public string[] Messages() =>
        Directory.Exists(Path.Combine(Maildir, "new")) ? Directory.GetFiles(Path.Combine(Maildir, "new")).Select(File.ReadAllText).ToArray() : Array.Empty<string>();

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        _directory.Dispose();
    }

    private static void Run(string program, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed: {process.StandardError.ReadToEnd()}");
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
