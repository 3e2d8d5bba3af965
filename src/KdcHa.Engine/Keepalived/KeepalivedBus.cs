using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using System.Xml;
using KdcHa.Common;
using KdcHa.Common.DBus;
using KdcHa.Vrrp;

namespace KdcHa.Keepalived;

/// <summary>
/// keepalived's DBus interface (<c>enable_dbus</c>) as 2.2 publishes it: the bus name org.keepalived.Vrrp1 (or
/// global_defs dbus_service_name), owned by the VRRP process; one object per instance at
/// <c>/org/keepalived/Vrrp1/[netns/][name/]Instance/&lt;interface&gt;/&lt;vrid&gt;/IPv4|IPv6</c> with the
/// properties Name and State (code, name). Every DBus failure leaves here as the Vrrp exception the cmdlet maps.
/// </summary>
internal sealed class KeepalivedBus : IDisposable
{
    public const string DefaultServiceName = "org.keepalived.Vrrp1";
    public const string InstanceInterface = "org.keepalived.Vrrp1.Instance";

    private const string RootPath = "/org/keepalived/Vrrp1";
    private const string PropertiesInterface = "org.freedesktop.DBus.Properties";
    private const string IntrospectableInterface = "org.freedesktop.DBus.Introspectable";

    // Instance objects are at most six levels below the root (netns, name, Instance, interface, vrid, family);
    // the limits only stop a hostile or broken peer from walking this client through an endless tree.
    private const int MaximumDepth = 8;
    private const int MaximumObjects = 4096;
    private const int MaximumIntrospectionCharacters = 1 << 20;

    private readonly DBusConnection _connection;
    private readonly TimeSpan _timeout;

    private KeepalivedBus(DBusConnection connection, string serviceName, TimeSpan timeout)
    {
        _connection = connection;
        ServiceName = serviceName;
        _timeout = timeout;
    }

    public string ServiceName { get; }

    private string Where => $"{ServiceName} on {_connection.Endpoint}";

    /// <summary>The bus keepalived publishes on: its own DBUS_SYSTEM_BUS_ADDRESS, else ours, else the default system bus.</summary>
    /// <exception cref="VrrpSourceUnavailableException">The address names no unix socket.</exception>
    public static DBusAddress AddressOf(KeepalivedProcess keepalived) =>
        Translate(() => DBusAddress.SystemBus(keepalived.SystemBusAddress ?? Environment.GetEnvironmentVariable(DBusAddress.SystemBusVariable)), "the DBus system bus");

    /// <summary>Connects and checks that the service name belongs to this keepalived, not to another one on the same bus.</summary>
    public static async Task<KeepalivedBus> ConnectAsync(KeepalivedProcess keepalived, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var address = AddressOf(keepalived);
        var connection = await TranslateAsync(() => DBusConnection.ConnectAsync(address, timeout, cancellationToken), $"the DBus system bus {address}").ConfigureAwait(false);
        try
        {
            var bus = new KeepalivedBus(connection, ServiceNameOf(keepalived), timeout);
            await bus.RequireOwnerAsync(keepalived, cancellationToken).ConfigureAwait(false);
            return bus;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Every object below /org/keepalived/Vrrp1 that implements the instance interface, found by introspection.</summary>
    public async Task<IReadOnlyList<string>> InstancePathsAsync(CancellationToken cancellationToken)
    {
        var instances = new List<string>();
        var visited = 0;
        var pending = new Queue<(string Path, int Depth)>();
        pending.Enqueue((RootPath, 0));
        while (pending.Count > 0)
        {
            var (path, depth) = pending.Dequeue();
            if (++visited > MaximumObjects || depth > MaximumDepth)
            {
                throw new KeepalivedDumpFormatException($"{Where} publishes more than {MaximumObjects} objects or nests them deeper than {MaximumDepth}: that is not keepalived.");
            }

            var reply = await CallAsync(path, IntrospectableInterface, "Introspect", string.Empty, Array.Empty<object>(), "s", cancellationToken).ConfigureAwait(false);
            var (interfaces, children) = ParseIntrospection((string)reply[0], path);
            if (interfaces.Contains(InstanceInterface))
            {
                instances.Add(path);
            }

            foreach (var child in children)
            {
                pending.Enqueue((path + "/" + child, depth + 1));
            }
        }

        return instances;
    }

    /// <summary>One instance: Name and State from its properties; interface, VRID and family from its object path.</summary>
    public async Task<VrrpInstanceState> ReadInstanceAsync(string path, CancellationToken cancellationToken)
    {
        var reply = await CallAsync(path, PropertiesInterface, "GetAll", "s", new object[] { InstanceInterface }, "a{sv}", cancellationToken).ConfigureAwait(false);
        var properties = (Dictionary<object, object>)reply[0];
        var name = properties.TryGetValue("Name", out var nameValue) ? NameFrom((DBusVariant)nameValue, path) : throw Unexpected(path, "has no Name property");
        var state = properties.TryGetValue("State", out var stateValue) && ((DBusVariant)stateValue).Value is object[] { Length: 2 } pair && pair[0] is uint code
            ? KeepalivedStateCodes.FromCode(code)
            : throw Unexpected(path, "has no State property of type (us)");
        var segments = path.Split('/');
        var (interfaceName, vrid, family) = (segments[segments.Length - 3], segments[segments.Length - 2], segments[segments.Length - 1]);
        return new VrrpInstanceState(name, KeepalivedNumbers.Parse(vrid, 1, 255) ?? throw Unexpected(path, "does not end in /<interface>/<vrid>/<family>"), state, "DBus")
        {
            Interface = interfaceName,
            Family = family,
        };
    }

    public void Dispose() => _connection.Dispose();

    private static string ServiceNameOf(KeepalivedProcess keepalived)
    {
        try
        {
            return KeepalivedConfigReader.Read(keepalived.ConfigFile).DBusServiceName ?? DefaultServiceName;
        }
        catch (KeepalivedConfigException)
        {
            // The default name is still checked against keepalived's pid, so a wrong guess is reported, not believed.
            return DefaultServiceName;
        }
    }

    private static string NameFrom(DBusVariant value, string path) => value.Value switch
    {
        string name => name,

        // keepalived 2.2 wraps the name in a one-field struct: the property's value is (s), not s.
        object[] { Length: 1 } wrapped when wrapped[0] is string name => name,
        _ => throw Unexpected(path, $"has a Name of type {value.Signature}"),
    };

    private static KeepalivedDumpFormatException Unexpected(string path, string what) =>
        new($"keepalived's DBus object {path} {what}: that is not keepalived 2.2's interface.");

    private static (HashSet<string> Interfaces, List<string> Children) ParseIntrospection(string xml, string path)
    {
        var interfaces = new HashSet<string>(StringComparer.Ordinal);
        var children = new List<string>();
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null, MaxCharactersInDocument = MaximumIntrospectionCharacters };
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element || reader.Depth != 1)
                {
                    continue;
                }

                var name = reader.GetAttribute("name");
                if (reader.Name == "interface" && name is not null)
                {
                    interfaces.Add(name);
                }
                else if (reader.Name == "node" && name is not null)
                {
                    children.Add(DBusObjectPath.IsElement(name) ? name : throw Unexpected(path, $"names a child '{name}' that is not a path element"));
                }
            }
        }
        catch (XmlException e)
        {
            throw new KeepalivedDumpFormatException($"keepalived's DBus object {path} answered Introspect with XML that does not parse: {e.Message}", e);
        }

        return (interfaces, children);
    }

    private async Task<IReadOnlyList<object>> CallAsync(string path, string @interface, string member, string signature, IReadOnlyList<object> arguments, string replySignature, CancellationToken cancellationToken)
    {
        var reply = await TranslateAsync(() => _connection.CallAsync(ServiceName, path, @interface, member, signature, arguments, _timeout, cancellationToken), Where).ConfigureAwait(false);
        return reply.Signature == replySignature ? reply.Body : throw Unexpected(path, $"answered {member} with '{reply.Signature}', not '{replySignature}'");
    }

    private async Task RequireOwnerAsync(KeepalivedProcess keepalived, CancellationToken cancellationToken)
    {
        DBusMessage reply;
        try
        {
            reply = await _connection.CallAsync(DBusConnection.BusName, DBusConnection.BusPath, DBusConnection.BusName, "GetConnectionUnixProcessID", "s", new object[] { ServiceName }, _timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (DBusErrorException e) when (e.ErrorName == DBusErrorException.NameHasNoOwner)
        {
            throw new VrrpSourceUnavailableException(
                $"keepalived (pid {keepalived.ProcessId}) publishes nothing on {_connection.Endpoint}: nobody owns {ServiceName}. It needs enable_dbus in global_defs, " +
                $"and a dbus_service_name of its own when several keepalived share the bus.", e);
        }
        catch (KdcHaException e) when (e is DBusErrorException or DBusConnectionException or DBusProtocolException)
        {
            throw Translated(e, Where);
        }

        var owner = reply.Signature == "u" ? (uint)reply.Body[0] : throw new KeepalivedDumpFormatException($"The bus at {_connection.Endpoint} answered GetConnectionUnixProcessID with '{reply.Signature}'.");
        var keepalivedProcesses = new HashSet<long>(keepalived.ChildProcessIds().Select(id => (long)id)) { keepalived.ProcessId };
        if (!keepalivedProcesses.Contains(owner))
        {
            throw new VrrpSourceUnavailableException(
                $"{Where} belongs to pid {owner}, which is not keepalived pid {keepalived.ProcessId} or its VRRP process: another keepalived holds the name. " +
                "Give each keepalived on one bus its own dbus_service_name.");
        }
    }

    private static T Translate<T>(Func<T> operation, string where)
    {
        try
        {
            return operation();
        }
        catch (KdcHaException e) when (e is DBusErrorException or DBusConnectionException or DBusProtocolException)
        {
            throw Translated(e, where);
        }
    }

    private static async Task<T> TranslateAsync<T>(Func<Task<T>> operation, string where)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (KdcHaException e) when (e is DBusErrorException or DBusConnectionException or DBusProtocolException)
        {
            throw Translated(e, where);
        }
    }

    private static KdcHaException Translated(KdcHaException e, string where) => e switch
    {
        DBusErrorException { ErrorName: DBusErrorException.AccessDenied } => new VrrpPermissionException(
            $"The bus policy does not let this user read {where}: {e.Message} keepalived's policy file allows everyone to read org.keepalived.Vrrp1; " +
            "another dbus_service_name needs a policy of its own.", e),
        DBusConnectionException { PermissionDenied: true } => new VrrpPermissionException($"{where} refused this user: {e.Message}", e),
        DBusProtocolException => new KeepalivedDumpFormatException($"{where} sent bytes that are not DBus: {e.Message}", e),
        _ => new VrrpSourceUnavailableException($"{where} did not answer: {e.Message}", e),
    };
}
