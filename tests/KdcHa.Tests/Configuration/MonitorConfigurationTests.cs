using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
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

        configuration.ApplyFile(path, _ => throw new InvalidOperationException("not a psd1"), givenAsParameters: Array.Empty<string>());
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

        configuration.ApplyFile(
            new Hashtable { ["NotifyFifo"] = "/run/ka.fifo", ["VrrpInterface"] = "eth0", ["NotificationChannel"] = "oncall", ["NotificationConfigurationPath"] = "/etc/n.json" },
            Array.Empty<string>());

        Assert.Equal(("/run/ka.fifo", "eth0", "/etc/n.json"), (configuration.NotifyFifoPath, configuration.VrrpInterface, configuration.NotificationConfigurationPath));
        Assert.Equal(new[] { "oncall" }, configuration.NotificationChannel);
        configuration.VrrpInterface = "../eth0";
        Assert.Equal("VrrpInterface", Assert.Throws<ConfigurationException>(() => Valid(configuration).Validate()).Setting);
    }

    [Fact]
    public void A_misspelt_setting_in_a_file_is_an_error_and_parameters_win_over_the_file()
    {
        // The cmdlet has bound its parameters (Fall, and common ones such as Verbose) before the file is read.
        var configuration = new MonitorConfiguration { Fall = 5 };

        var error = Assert.Throws<ConfigurationException>(() => configuration.ApplyFile(new Hashtable { ["Intervall"] = 100 }, Array.Empty<string>()));
        configuration.ApplyFile(new Hashtable { ["Rise"] = 4, ["fall"] = 3 }, new[] { "Verbose", "Fall" });

        Assert.Equal("Intervall", error.Setting);
        Assert.Equal(4, configuration.Rise);
        Assert.Equal(5, configuration.Fall);
    }

    [Fact]
    public void EverySettablePropertyIsOneSettingOfItsOwnType()
    {
        var properties = typeof(MonitorConfiguration).GetProperties().Where(property => property.CanWrite).ToDictionary(property => property.Name, property => property.PropertyType);

        Assert.Equal(properties.Keys.OrderBy(name => name), MonitorConfiguration.Settings.Select(setting => setting.Name).OrderBy(name => name));
        Assert.All(MonitorConfiguration.Settings, setting => Assert.Equal(properties[setting.Name], setting.Type));
    }

    [Fact]
    public void EverySettingBindsFromAFileValueOfItsType()
    {
        // As the JSON reader and Import-PowerShellDataFile give them: whole numbers as long, lists as object arrays.
        var fileValues = new Dictionary<Type, (object File, object Bound)>
        {
            [typeof(string)] = ("/x", "/x"),
            [typeof(int)] = (7L, 7),
            [typeof(bool)] = (false, false),
            [typeof(IReadOnlyList<string>)] = (new object[] { "a" }, new[] { "a" }),
        };
        var configuration = new MonitorConfiguration();

        configuration.ApplyFile(new Hashtable(MonitorConfiguration.Settings.ToDictionary(setting => setting.Name, setting => fileValues[setting.Type].File)), Array.Empty<string>());

        Assert.All(MonitorConfiguration.Settings, setting =>
            Assert.Equal(fileValues[setting.Type].Bound, typeof(MonitorConfiguration).GetProperty(setting.Name)!.GetValue(configuration)));
    }

    [Theory]
    [InlineData("Fall", "two")]
    [InlineData("IntervalMilliseconds", 1.5)]
    [InlineData("PeerKdc", 5)]
    public void A_value_of_the_wrong_type_is_an_error(string setting, object value)
    {
        var error = Assert.Throws<ConfigurationException>(() => new MonitorConfiguration().ApplyFile(new Hashtable { [setting] = value }, Array.Empty<string>()));

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

    [Theory]
    [InlineData("9464", "127.0.0.1:9464")]
    [InlineData("10.0.0.11", "10.0.0.11:9464")]
    [InlineData("10.0.0.11:9000", "10.0.0.11:9000")]
    [InlineData("0.0.0.0:9464", "0.0.0.0:9464")]
    [InlineData("::", "[::]:9464")]
    [InlineData("[::1]", "[::1]:9464")]
    [InlineData("[::1]:9000", "[::1]:9000")]
    public void A_metrics_address_is_a_port_on_loopback_an_address_on_9464_or_both(string text, string endPoint)
    {
        var configuration = Valid(new MonitorConfiguration { MetricsAddress = text });

        configuration.Validate();
        Assert.Equal(endPoint, configuration.MetricsEndPoint!.ToString());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("70000")]
    [InlineData("kdc1:9464")]
    [InlineData("10.0.0.11:")]
    [InlineData("[::1]:0")]
    public void A_metrics_address_that_is_none_of_those_names_the_setting(string text)
    {
        var configuration = Valid(new MonitorConfiguration { MetricsAddress = text });

        Assert.Equal("MetricsAddress", Assert.Throws<ConfigurationException>(configuration.Validate).Setting);
        Assert.Null(configuration.MetricsEndPoint);
    }

    private static MonitorConfiguration Valid(MonitorConfiguration configuration)
    {
        configuration.PeerKdc = new[] { "10.0.0.12" };
        configuration.Realm = "EXAMPLE.COM";
        return configuration;
    }
}
