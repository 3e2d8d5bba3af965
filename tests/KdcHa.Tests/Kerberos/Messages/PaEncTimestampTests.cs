using System;
using KdcHa.Kerberos.Messages;

namespace KdcHa.Tests.Kerberos.Messages;

public class PaEncTimestampTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(123456)]
    [InlineData(999999)]
    public void Encode_WritesWholeSecondsAndMicroseconds(int microseconds)
    {
        var time = new DateTime(2026, 11, 24, 19, 37, 18, 765, DateTimeKind.Utc);

        var expected = Der.Sequence(Der.Explicit(0, Der.Time("20261124193718Z")), Der.Explicit(1, Der.Integer(microseconds)));
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(PaEncTimestamp.Encode(time, microseconds)));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1_000_000)]
    public void Encode_RejectsMicrosecondsOutOfRange(int microseconds)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PaEncTimestamp.Encode(DateTime.UtcNow, microseconds));
    }
}
