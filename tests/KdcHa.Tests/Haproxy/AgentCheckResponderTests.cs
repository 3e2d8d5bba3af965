using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using KdcHa.Haproxy;

namespace KdcHa.Tests.Haproxy;

/// <summary>The agent-check responder on a real loopback socket, asked as HAProxy asks: connect, read one line.</summary>
public sealed class AgentCheckResponderTests : IAsyncLifetime
{
    private AgentCheckResponder _responder = null!;

    public Task InitializeAsync()
    {
        _responder = AgentCheckResponder.Listen(new IPEndPoint(IPAddress.Loopback, 0));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _responder.DisposeAsync();

    [Fact]
    public async Task AnswersTheCurrentLineAndClosesTheConnection()
    {
        _responder.Answer(AgentAnswer.Up(70));

        Assert.Equal("up ready 70%\n", await AskAsync());

        _responder.Answer(AgentAnswer.Down("Timeout"));
        Assert.Equal("down #Timeout\n", await AskAsync());
    }

    [Fact]
    public async Task SendsNoLineBeforeTheFirstAnswer()
    {
        Assert.Equal(string.Empty, await AskAsync());
    }

    [Fact]
    public async Task ClientsThatNeverReadOrCloseDoNotKeepOthersWaiting()
    {
        _responder.Answer(AgentAnswer.Drain);
        var idle = new List<Socket>();
        try
        {
            for (var i = 0; i < 200; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                idle.Add(socket);
                await socket.ConnectAsync(_responder.LocalEndPoint);
            }

            var clock = Stopwatch.StartNew();
            Assert.Equal("drain\n", await AskAsync());
            Assert.True(clock.ElapsedMilliseconds < 1000, $"answered after {clock.ElapsedMilliseconds} ms");
        }
        finally
        {
            idle.ForEach(socket => socket.Dispose());
        }
    }

    [Fact]
    public async Task ClosingTellsEveryClientThatAskedTheLastAnswerThenStopsListening()
    {
        _responder.Answer(AgentAnswer.Up(100));
        Assert.Equal("up ready 100%\n", await AskAsync());

        var closing = _responder.CloseAsync(AgentAnswer.Maint, TimeSpan.FromSeconds(20));
        await Task.Delay(100);
        Assert.False(closing.IsCompleted, "closed before the client that asked heard 'maint'");
        Assert.Equal("maint\n", await AskAsync());
        Assert.Same(closing, await Task.WhenAny(closing, Task.Delay(5000)));

        var refused = await Assert.ThrowsAsync<SocketException>(() => AskAsync());
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task ClosingWithoutAnyClientIsImmediate()
    {
        _responder.Answer(AgentAnswer.Up(100));
        var clock = Stopwatch.StartNew();

        await _responder.CloseAsync(AgentAnswer.Maint, TimeSpan.FromSeconds(20));

        Assert.True(clock.ElapsedMilliseconds < 1000, $"closed after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task ListeningOnAnAddressInUseThrowsAgentCheckListenException()
    {
        var error = Assert.Throws<AgentCheckListenException>(() => AgentCheckResponder.Listen(_responder.LocalEndPoint));

        Assert.Equal(_responder.LocalEndPoint.ToString(), error.Address);
        await Task.CompletedTask;
    }

    [Theory]
    [InlineData("Timeout", "down #Timeout")]
    [InlineData("Protocol Error\nup 100%", "down #ProtocolErrorup100")]
    [InlineData("", "down")]
    public void ADownReasonStaysOneWordOfOneLine(string reason, string line)
    {
        Assert.Equal(line, AgentAnswer.Down(reason).Line);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void AnUpWeightOutsideOneToOneHundredIsRefused(int weight)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AgentAnswer.Up(weight));
    }

    private async Task<string> AskAsync()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(_responder.LocalEndPoint);
        using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
        var read = reader.ReadToEndAsync();
        Assert.Same(read, await Task.WhenAny(read, Task.Delay(5000)));
        return await read;
    }
}
