using KdcHa.Common.DBus;

namespace KdcHa.Tests.DBus;

public class DBusAddressTests
{
    [Fact]
    public void TheSystemBusDefaultsToItsWellKnownSocket()
    {
        var address = DBusAddress.SystemBus(null);

        var endpoint = Assert.Single(address.Endpoints);
        Assert.Equal("/run/dbus/system_bus_socket", endpoint.Path);
        Assert.False(endpoint.IsAbstract);
    }

    [Fact]
    public void SkipsTransportsItCannotUseAndUnescapesValues()
    {
        var address = DBusAddress.Parse("tcp:host=localhost,port=1;unix:abstract=%2Fkdcha%20bus,guid=0123;unix:path=/tmp/b%2cus");

        Assert.Collection(
            address.Endpoints,
            abstractName =>
            {
                Assert.True(abstractName.IsAbstract);
                Assert.Equal("/kdcha bus", abstractName.Path);
            },
            path => Assert.Equal("/tmp/b,us", path.Path));
    }

    [Theory]
    [InlineData("tcp:host=localhost,port=1")]
    [InlineData("unix:runtime=yes")]
    [InlineData("unix:path=/tmp/%zz")]
    [InlineData("unix:path=/tmp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void RefusesAddressesWithoutAUsableUnixSocket(string text)
    {
        Assert.Throws<DBusConnectionException>(() => DBusAddress.Parse(text));
    }
}
