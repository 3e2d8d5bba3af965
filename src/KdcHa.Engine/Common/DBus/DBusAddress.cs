using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace KdcHa.Common.DBus;

/// <summary>
/// A DBus server address such as <c>unix:path=/run/dbus/system_bus_socket</c>: semicolon-separated alternatives,
/// each <c>transport:key=value,...</c> with %-escaped values. Only the unix transport's path= and abstract= are
/// usable by a client here; other alternatives (tcp, unixexec, ...) are skipped.
/// </summary>
public sealed class DBusAddress
{
    public const string SystemBusVariable = "DBUS_SYSTEM_BUS_ADDRESS";
    public const string DefaultSystemBus = "unix:path=/run/dbus/system_bus_socket";

    // Far more than any real address; a longer one is a mistake, not an address.
    private const int MaximumLength = 4096;

    private DBusAddress(string text, IReadOnlyList<UnixSocketEndPoint> endpoints)
    {
        Text = text;
        Endpoints = endpoints;
    }

    public string Text { get; }

    internal IReadOnlyList<UnixSocketEndPoint> Endpoints { get; }

    /// <summary>The system bus as a process with <paramref name="variableValue"/> as its DBUS_SYSTEM_BUS_ADDRESS sees it.</summary>
    public static DBusAddress SystemBus(string? variableValue) => Parse(string.IsNullOrEmpty(variableValue) ? DefaultSystemBus : variableValue!);

    /// <exception cref="DBusConnectionException">No alternative in the text is a unix socket this client can connect to.</exception>
    public static DBusAddress Parse(string text)
    {
        if (text.Length > MaximumLength)
        {
            throw new DBusConnectionException($"A DBus address is at most {MaximumLength} characters; this one has {text.Length}.");
        }

        var endpoints = new List<UnixSocketEndPoint>();
        foreach (var alternative in text.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = alternative.IndexOf(':');
            if (colon <= 0 || alternative.Substring(0, colon) != "unix")
            {
                continue;
            }

            var keys = alternative.Substring(colon + 1)
                .Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries)
                .Select(pair => pair.Split(new[] { '=' }, 2))
                .Where(pair => pair.Length == 2)
                .GroupBy(pair => pair[0], StringComparer.Ordinal)
                .ToDictionary(group => group.Key, group => Unescape(group.Last()[1], text), StringComparer.Ordinal);
            if (keys.TryGetValue("path", out var path) && path.Length > 0)
            {
                endpoints.Add(EndPoint(path, isAbstract: false, text));
            }
            else if (keys.TryGetValue("abstract", out var name) && name.Length > 0)
            {
                endpoints.Add(EndPoint(name, isAbstract: true, text));
            }
        }

        return endpoints.Count > 0
            ? new DBusAddress(text, endpoints)
            : throw new DBusConnectionException($"The DBus address '{text}' names no unix:path= or unix:abstract= socket.");
    }

    /// <summary>True when some alternative could answer: an abstract name, or a socket file that exists.</summary>
    public bool MayBeListening() => Endpoints.Any(endpoint => endpoint.IsAbstract || File.Exists(endpoint.Path));

    public override string ToString() => Text;

    private static UnixSocketEndPoint EndPoint(string name, bool isAbstract, string text)
    {
        try
        {
            return new UnixSocketEndPoint(name, isAbstract);
        }
        catch (ArgumentException e)
        {
            throw new DBusConnectionException($"The DBus address '{text}' names an unusable socket: {e.Message}", e);
        }
    }

    private static string Unescape(string value, string text)
    {
        var bytes = new List<byte>(value.Length);
        var i = 0;
        while (i < value.Length)
        {
            var percent = value.IndexOf('%', i);
            if (percent != i)
            {
                var end = percent < 0 ? value.Length : percent;
                bytes.AddRange(Encoding.UTF8.GetBytes(value.Substring(i, end - i)));
                i = end;
                continue;
            }

            if (i + 2 >= value.Length || !byte.TryParse(value.Substring(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var escaped))
            {
                throw new DBusConnectionException($"The DBus address '{text}' has a % that is not followed by two hex digits.");
            }

            bytes.Add(escaped);
            i += 3;
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
