using KdcHa.Common;

namespace KdcHa.Configuration;

/// <summary>A setting that is missing or out of range; <see cref="Setting"/> names it.</summary>
public sealed class ConfigurationException : KdcHaException
{
    public ConfigurationException(string setting, string message)
        : base(message)
    {
        Setting = setting;
    }

    public string Setting { get; }

    /// <summary>Throws naming <paramref name="setting"/> unless <paramref name="condition"/> holds.</summary>
    public static void ThrowUnless(bool condition, string setting, string problem)
    {
        if (!condition)
        {
            throw new ConfigurationException(setting, $"{setting} {problem}.");
        }
    }
}
