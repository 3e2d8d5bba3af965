using System;
using System.Collections.Concurrent;
using System.IO;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

// An HTTP receiver for the Pester notification tests, on loopback or another local address (the lab bridge, which
// monitors inside node namespaces reach): records each POST's Idempotency-Key, URL and body,
// and can be stopped (an outage) or made to hang (a request the sender never sees answered).
public sealed class NotificationReceiver : IDisposable
{
    private HttpListener _listener;
    private readonly ManualResetEventSlim _release = new ManualResetEventSlim(true);

    public NotificationReceiver(int port) : this("127.0.0.1", port) { }
    public NotificationReceiver(string address, int port) { Address = address; Port = port; }

    public string Address { get; }

    public int Port { get; }
    public ConcurrentQueue<string[]> Requests { get; } = new ConcurrentQueue<string[]>();
    public int StatusCode { get; set; } = 200;
    public string ResponseBody { get; set; } = "ok";

    public void Start()
    {
        _listener = new HttpListener();
        _listener.Prefixes.Add("http://" + Address + ":" + Port + "/");
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
            Requests.Enqueue(new[] { context.Request.Headers["Idempotency-Key"] ?? "", context.Request.RawUrl ?? "", body });
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
