using System.Collections;
using System.IO;
using KdcHa.Configuration;

namespace KdcHa.Tests.Configuration;

public class MonitorConfigurationTests
{
    [Fact]
    public void Reads_a_json_file_over_the_defaults()
    {
        using var directory = new TempDirectory();
        var path = directory.File("monitor.json");
        File.WriteAllText(path, "{ \"Node\": \"kdc1\", \"localKdc\": \"10.0.0.11\", \"PeerKdc\": [\"10.0.0.12\"], \"Realm\": \"EXAMPLE.COM\", \"IntervalMilliseconds\": 150 }");
        var configuration = new MonitorConfiguration();

        MonitorConfigurationReader.Apply(MonitorConfigurationReader.ReadJson(path), configuration);
        configuration.Validate();

        Assert.Equal("kdc1", configuration.Node);
        Assert.Equal("10.0.0.11", configuration.LocalKdc);
        Assert.Equal(new[] { "10.0.0.12" }, configuration.PeerKdc);
        Assert.Equal(150, configuration.IntervalMilliseconds);
        Assert.Equal(100, configuration.TimeoutMilliseconds);
        Assert.Equal("/run/kdcha/status.json", configuration.StatusFile);
    }

    [Fact]
    public void Vrrp_and_notification_settings_are_read_and_the_fifo_defaults_to_the_state_directory()
    {
        var configuration = new MonitorConfiguration { StateDirectory = "/run/kdcha-a" };
        Assert.Equal("/run/kdcha-a/notify.fifo", configuration.NotifyFifoPath);

        MonitorConfigurationReader.Apply(
            new Hashtable { ["NotifyFifo"] = "/run/ka.fifo", ["VrrpInterface"] = "eth0", ["NotificationChannel"] = "oncall", ["NotificationConfigurationPath"] = "/etc/n.json" },
            configuration);

        Assert.Equal(("/run/ka.fifo", "eth0", "/etc/n.json"), (configuration.NotifyFifoPath, configuration.VrrpInterface, configuration.NotificationConfigurationPath));
        Assert.Equal(new[] { "oncall" }, configuration.NotificationChannel);
        configuration.VrrpInterface = "../eth0";
        Assert.Equal("VrrpInterface", Assert.Throws<ConfigurationException>(() => Valid(configuration).Validate()).Setting);
    }

    [Fact]
    public void A_misspelt_setting_in_a_file_is_an_error_but_foreign_parameters_are_ignored()
    {
        var configuration = new MonitorConfiguration();

        var error = Assert.Throws<ConfigurationException>(() => MonitorConfigurationReader.Apply(new Hashtable { ["Intervall"] = 100 }, configuration));
        MonitorConfigurationReader.Apply(new Hashtable { ["Verbose"] = true, ["Rise"] = 4 }, configuration, ignoreUnknown: true);

        Assert.Equal("Intervall", error.Setting);
        Assert.Equal(4, configuration.Rise);
    }

    [Theory]
    [InlineData("Fall", "two")]
    [InlineData("IntervalMilliseconds", 1.5)]
    [InlineData("PeerKdc", 5)]
    public void A_value_of_the_wrong_type_is_an_error(string setting, object value)
    {
        var error = Assert.Throws<ConfigurationException>(() => MonitorConfigurationReader.Apply(new Hashtable { [setting] = value }, new MonitorConfiguration()));

        Assert.Equal(setting, error.Setting);
    }

    [Theory]
    [InlineData("PeerKdc")]
    [InlineData("TimeoutMilliseconds")]
    [InlineData("LocalKdc")]
    [InlineData("Realm")]
    public void Validation_names_the_wrong_setting(string setting)
    {
        var configuration = new MonitorConfiguration { PeerKdc = new[] { "10.0.0.12" }, Realm = "EXAMPLE.COM" };
        switch (setting)
        {
            case "PeerKdc": configuration.PeerKdc = new string[0]; break;
            case "TimeoutMilliseconds": configuration.TimeoutMilliseconds = 500; break;
            case "LocalKdc": configuration.LocalKdc = "a:b:c"; break;
            default: configuration.Realm = null; break;
        }

        Assert.Equal(setting, Assert.Throws<ConfigurationException>(configuration.Validate).Setting);
    }

    private static MonitorConfiguration Valid(MonitorConfiguration configuration)
    {
        configuration.PeerKdc = new[] { "10.0.0.12" };
        configuration.Realm = "EXAMPLE.COM";
        return configuration;
    }
}
