using System;
using System.Collections.Generic;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Kerberos;
using KdcHa.Kerberos.Transport;
using static KdcHa.Tests.Kerberos.Transport.TransportTestKit;

namespace KdcHa.Tests.Kerberos.Transport;

[Collection(LoopbackSocketCollection.Name)]
public sealed class AbandonedOperationTests
{
    [Fact]
    public async Task Operations_aborted_at_a_deadline_leave_no_unobserved_exceptions()
    {
        var unobserved = new List<Exception>();
        void Record(object? sender, UnobservedTaskExceptionEventArgs args)
        {
            lock (unobserved)
            {
                unobserved.Add(args.Exception);
            }
        }

        // The event is process-wide: flush tasks other tests left unobserved so only this test's are counted.
        CollectGarbageAndFinalizers();
        TaskScheduler.UnobservedTaskException += Record;
        try
        {
            using var udpKdc = LoopbackUdpResponder.Silent(IPAddress.Loopback);
            using var tcpKdc = LoopbackTcpResponder.Mute(IPAddress.Loopback);
            var never = new TaskCompletionSource<IPAddress[]>();
            var transport = new SocketKdcTransport();
            var shortDeadline = TimeSpan.FromMilliseconds(50);

            for (var i = 0; i < 10; i++)
            {
                await Assert.ThrowsAsync<KdcTransportException>(() => transport.SendAsync(
                    udpKdc.EndPoint.ToKdcEndpoint(), Request(), KdcTransportProtocol.Udp, shortDeadline, shortDeadline, CancellationToken.None));
                await Assert.ThrowsAsync<KdcTransportException>(() => transport.SendAsync(
                    tcpKdc.EndPoint.ToKdcEndpoint(), Request(), KdcTransportProtocol.Tcp, shortDeadline, shortDeadline, CancellationToken.None));
                using var cancellation = new CancellationTokenSource(shortDeadline);
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => transport.SendAsync(
                    tcpKdc.EndPoint.ToKdcEndpoint(), Request(), KdcTransportProtocol.Tcp, Generous, Generous, cancellation.Token));
            }

            await Task.Delay(200);
            CollectGarbageAndFinalizers();

            Assert.True(unobserved.Count == 0, string.Join(Environment.NewLine, unobserved));
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= Record;
        }
    }

    private static void CollectGarbageAndFinalizers()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
