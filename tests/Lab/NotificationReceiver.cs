using System;
using System.Collections.Concurrent;
using System.IO;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

// An HTTP receiver for the notification tests and the demo: records each POST's Idempotency-Key, URL, body and
// arrival time (UTC, ISO 8601), and can be stopped (an outage) or made to hang (a request the sender never sees
// answered). It listens on loopback, or on a lab bridge address so monitors inside node namespaces reach it.
public sealed class NotificationReceiver : IDisposable
{
    private HttpListener _listener;
    private readonly ManualResetEventSlim _release = new ManualResetEventSlim(true);

    public NotificationReceiver(int port) : this("127.0.0.1", port) { }

    // Port 0 picks a free port, so parallel runs never collide.
    public NotificationReceiver(string host, int port)
    {
        Host = host;
        Port = port != 0 ? port : FreePort(host);
    }

    public string Host { get; }
    public int Port { get; }
    public ConcurrentQueue<string[]> Requests { get; } = new ConcurrentQueue<string[]>();
    public int StatusCode { get; set; } = 200;
    public string ResponseBody { get; set; } = "ok";

    public void Start()
    {
        _listener = new HttpListener();
        _listener.Prefixes.Add("http://" + Host + ":" + Port + "/");
        _listener.Start();
        var listener = _listener;
        Task.Run(() => Serve(listener));
    }

    // An outage that ends by itself while the pipeline thread is busy sending.
    public void StartAfter(int milliseconds) { Task.Delay(milliseconds).ContinueWith(_ => Start()); }

    public void Stop() { if (_listener != null) { _listener.Close(); _listener = null; } }
    public void Hang() { _release.Reset(); }
    public void Release() { _release.Set(); }
    public void Dispose() { Release(); Stop(); }

    private static int FreePort(string host)
    {
        var probe = new System.Net.Sockets.TcpListener(IPAddress.Parse(host), 0);
        probe.Start();
        try { return ((IPEndPoint)probe.LocalEndpoint).Port; } finally { probe.Stop(); }
    }

    private async Task Serve(HttpListener listener)
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await listener.GetContextAsync(); } catch (Exception) { return; }
            _ = Task.Run(() => Answer(context));
        }
    }

    private void Answer(HttpListenerContext context)
    {
        try
        {
            string body;
            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8)) { body = reader.ReadToEnd(); }
            Requests.Enqueue(new[] { context.Request.Headers["Idempotency-Key"] ?? "", context.Request.RawUrl ?? "", body, DateTime.UtcNow.ToString("o") });
            _release.Wait();
            var reply = Encoding.UTF8.GetBytes(ResponseBody);
            context.Response.StatusCode = StatusCode;
            context.Response.OutputStream.Write(reply, 0, reply.Length);
            context.Response.Close();
        }
        catch (Exception)
        {
            // The sender went away (killed mid-request); the request was recorded, which is what the tests look at.
        }
    }
}
