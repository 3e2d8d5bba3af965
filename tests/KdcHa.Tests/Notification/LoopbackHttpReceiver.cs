using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Tests.Notification;

/// <summary>A real HTTP listener on 127.0.0.1 that records every POST and answers with a scripted reply; it can be stopped and restarted on the same port to stage an outage.</summary>
internal sealed class LoopbackHttpReceiver : IDisposable
{
    private HttpListener? _listener;
    private Task _loop = Task.CompletedTask;

    public LoopbackHttpReceiver()
    {
        Port = FreePort();
        Start();
    }

    public int Port { get; }

    public string Url(string path = "/hook") => $"http://127.0.0.1:{Port}{path}";

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    public int StatusCode { get; set; } = 200;

    public string ResponseBody { get; set; } = "ok";

    public void Start()
    {
        _listener = new HttpListener();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        var listener = _listener;
        _loop = Task.Run(() => ServeAsync(listener));
    }

    public void Stop()
    {
        _listener?.Close();
        _listener = null;
    }

    public IReadOnlyList<ReceivedRequest> WaitFor(int count, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (Requests.Count < count && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }

        return Requests.ToList();
    }

    public void Dispose() => Stop();

    private async Task ServeAsync(HttpListener listener)
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync().ConfigureAwait(false);
            var headers = context.Request.Headers.AllKeys.Where(key => key is not null).ToDictionary(key => key!, key => context.Request.Headers[key]!, StringComparer.OrdinalIgnoreCase);
            Requests.Enqueue(new ReceivedRequest(context.Request.RawUrl ?? string.Empty, headers, body));
            var reply = Encoding.UTF8.GetBytes(ResponseBody);
            context.Response.StatusCode = StatusCode;
            await context.Response.OutputStream.WriteAsync(reply).ConfigureAwait(false);
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
