using System.Globalization;

namespace KdcHa.Vrrp;

/// <summary>Plain decimal numbers in keepalived's text (config, data dump), accepted only within their range.</summary>
internal static class KeepalivedNumbers
{
    public static int? Parse(string value, int minimum, int maximum) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= minimum && n <= maximum ? n : null;
}
