using System;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using KdcHa.Kerberos;
using KdcHa.Kerberos.Transport;

namespace KdcHa.Tests.Kerberos.Transport;

internal static class TransportTestKit
{
    /// <summary>Slack for deadline bounds: the deadline must be honoured, not hit to the millisecond.</summary>
    public static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(100);

    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(5);

    public static KdcEndpoint ToKdcEndpoint(this IPEndPoint endPoint) => KdcEndpoint.Parse(endPoint.ToString());

    public static IPAddress Loopback(string family) => family == "v6" ? IPAddress.IPv6Loopback : IPAddress.Loopback;

    public static byte[] Request(int length = 200)
    {
        var request = new byte[length];
        Random.Shared.NextBytes(request);
        return request;
    }

    public static async Task<(KdcTransportException Failure, TimeSpan Elapsed)> FailureOf(Func<Task<KdcExchange>> exchange)
    {
        var stopwatch = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<KdcTransportException>(exchange);
        return (failure, stopwatch.Elapsed);
    }

    public static byte[] Reversed(byte[] bytes) => bytes.Reverse().ToArray();
}
