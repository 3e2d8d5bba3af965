using System;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Kerberos.Transport;

namespace KdcHa.Tests.Kerberos.Transport;

public sealed class DeadlineTests
{
    [Fact]
    public async Task Reports_false_only_once_the_deadline_has_passed()
    {
        for (var i = 0; i < 20; i++)
        {
            var deadline = Deadline.After(TimeSpan.FromMilliseconds(15.3));
            var pending = new TaskCompletionSource<bool>();

            Assert.False(await deadline.WaitAsync(pending.Task, CancellationToken.None));
            Assert.True(deadline.HasPassed);
        }
    }

    [Fact]
    public async Task Reports_true_when_the_operation_completes_first_even_if_it_faulted()
    {
        var deadline = Deadline.After(TimeSpan.FromSeconds(5));

        Assert.True(await deadline.WaitAsync(Task.Delay(10), CancellationToken.None));
        Assert.True(await deadline.WaitAsync(Task.FromException(new InvalidOperationException()), CancellationToken.None));
    }

    [Fact]
    public void A_phase_cap_never_extends_the_overall_deadline()
    {
        var overall = Deadline.After(TimeSpan.FromMilliseconds(100));

        Assert.True(overall.CappedAt(TimeSpan.FromSeconds(10)).Remaining <= TimeSpan.FromMilliseconds(100));
        Assert.True(overall.CappedAt(TimeSpan.FromMilliseconds(10)).Remaining <= TimeSpan.FromMilliseconds(10));
    }
}
