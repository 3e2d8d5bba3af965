using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using System.Xml;
using KdcHa.Vrrp;
using Tmds.DBus.Protocol;

namespace KdcHa.Keepalived;

/// <summary>
/// keepalived's DBus interface (<c>enable_dbus</c>) as 2.2 publishes it: the bus name org.keepalived.Vrrp1 (or
/// global_defs dbus_service_name), owned by the VRRP process; one object per instance at
/// <c>/org/keepalived/Vrrp1/[netns/][name/]Instance/&lt;interface&gt;/&lt;vrid&gt;/IPv4|IPv6</c> with the
/// properties Name and State (code, name). The wire protocol is Tmds.DBus.Protocol's; every DBus failure leaves
/// here as the Vrrp or Keepalived exception the cmdlet maps, and every call has a deadline.
/// </summary>
internal sealed class KeepalivedBus : IDisposable
{
    public const string DefaultServiceName = "org.keepalived.Vrrp1";
    public const string SystemBusVariable = "DBUS_SYSTEM_BUS_ADDRESS";
    public const string DefaultSystemBus = "unix:path=/run/dbus/system_bus_socket";
    public const string InstanceInterface = "org.keepalived.Vrrp1.Instance";

    private const string BusName = "org.freedesktop.DBus";
    private const string BusPath = "/org/freedesktop/DBus";
    private const string NameHasNoOwner = "org.freedesktop.DBus.Error.NameHasNoOwner";
    private const string AccessDenied = "org.freedesktop.DBus.Error.AccessDenied";
    private const string RootPath = "/org/keepalived/Vrrp1";
    private const string PropertiesInterface = "org.freedesktop.DBus.Properties";
    private const string IntrospectableInterface = "org.freedesktop.DBus.Introspectable";

    // Instance objects are at most six levels below the root (netns, name, Instance, interface, vrid, family);
    // the limits only stop a hostile or broken peer from walking this client through an endless tree.
    private const int MaximumDepth = 8;
    private const int MaximumObjects = 4096;
    private const int MaximumIntrospectionCharacters = 1 << 20;

    private readonly DBusConnection _connection;
    private readonly string _address;
    private readonly TimeSpan _timeout;

    private KeepalivedBus(DBusConnection connection, string address, string serviceName, TimeSpan timeout)
    {
        _connection = connection;
        _address = address;
        ServiceName = serviceName;
        _timeout = timeout;
    }

    public string ServiceName { get; }

    private string Where => $"{ServiceName} on {_address}";

    /// <summary>The bus keepalived publishes on: its own DBUS_SYSTEM_BUS_ADDRESS, else ours, else the default system bus.</summary>
    public static string AddressOf(KeepalivedProcess keepalived) =>
        (keepalived.SystemBusAddress ?? Environment.GetEnvironmentVariable(SystemBusVariable)) is { Length: > 0 } address ? address : DefaultSystemBus;

    /// <summary>
    /// True when some alternative of the address could answer: an abstract socket, a socket file that exists, or a
    /// transport other than unix, which only a connection can try.
    /// </summary>
    public static bool MayBeListening(string address) =>
        address.Split(';', StringSplitOptions.RemoveEmptyEntries).Any(alternative =>
        {
            if (!alternative.StartsWith("unix:", StringComparison.Ordinal))
            {
                return alternative.Contains(':');
            }

            var keys = alternative.Substring("unix:".Length).Split(',').Select(pair => pair.Split('=', 2)).Where(pair => pair.Length == 2).ToList();
            return keys.Any(pair => pair[0] is "abstract" or "tmpdir" or "dir" or "runtime")
                || keys.Any(pair => pair[0] == "path" && File.Exists(Uri.UnescapeDataString(pair[1])));
        });

    /// <summary>Connects and checks that the service name belongs to this keepalived, not to another one on the same bus.</summary>
    public static async Task<KeepalivedBus> ConnectAsync(KeepalivedProcess keepalived, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var bus = await OpenAsync(AddressOf(keepalived), ServiceNameOf(keepalived), timeout, cancellationToken).ConfigureAwait(false);
        try
        {
            await bus.RequireOwnerAsync(keepalived, cancellationToken).ConfigureAwait(false);
            return bus;
        }
        catch
        {
            bus.Dispose();
            throw;
        }
    }

    /// <summary>Connects to the bus at <paramref name="address"/> within <paramref name="timeout"/> (authentication and Hello).</summary>
    internal static async Task<KeepalivedBus> OpenAsync(string address, string serviceName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var connection = new DBusConnection(new DBusConnectionOptions(address) { AutoConnect = false });
        try
        {
            await Deadline(connection.ConnectAsync().AsTask(), timeout, $"the DBus system bus {address}", "did not complete its handshake", cancellationToken).ConfigureAwait(false);
            return new KeepalivedBus(connection, address, serviceName, timeout);
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

            var xml = await CallAsync(ServiceName, path, IntrospectableInterface, "Introspect", argument: null, "s", static (ref Reader reader) => reader.ReadString(), cancellationToken).ConfigureAwait(false);
            var (interfaces, children) = ParseIntrospection(xml, path);
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
        var properties = await CallAsync(ServiceName, path, PropertiesInterface, "GetAll", InstanceInterface, "a{sv}", static (ref Reader reader) => reader.ReadDictionaryOfStringToVariantValue(), cancellationToken).ConfigureAwait(false);
        var name = properties.TryGetValue("Name", out var nameValue) ? NameFrom(nameValue, path) : throw Unexpected(path, "has no Name property");
        var state = properties.TryGetValue("State", out var stateValue) && stateValue is { Type: VariantValueType.Struct, Count: 2 } && stateValue.GetItem(0).Type == VariantValueType.UInt32
            ? KeepalivedStateCodes.FromCode(stateValue.GetItem(0).GetUInt32())
            : throw Unexpected(path, "has no State property of type (us)");
        var segments = path.Split('/');
        var (interfaceName, vrid, family) = (segments[^3], segments[^2], segments[^1]);
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

    private static string NameFrom(VariantValue value, string path) => value switch
    {
        { Type: VariantValueType.String } => value.GetString(),

        // keepalived 2.2 wraps the name in a one-field struct: the property's value is (s), not s.
        { Type: VariantValueType.Struct, Count: 1 } when value.GetItem(0).Type == VariantValueType.String => value.GetItem(0).GetString(),
        _ => throw Unexpected(path, $"has a Name of type {value.Type}"),
    };

    private static KeepalivedDumpFormatException Unexpected(string path, string what) =>
        new($"keepalived's DBus object {path} {what}: that is not keepalived 2.2's interface.");

    private static bool IsPathElement(string element) =>
        element.Length > 0 && element.All(c => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_');

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
                    children.Add(IsPathElement(name) ? name : throw Unexpected(path, $"names a child '{name}' that is not a path element"));
                }
            }
        }
        catch (XmlException e)
        {
            throw new KeepalivedDumpFormatException($"keepalived's DBus object {path} answered Introspect with XML that does not parse: {e.Message}", e);
        }

        return (interfaces, children);
    }

    private async Task RequireOwnerAsync(KeepalivedProcess keepalived, CancellationToken cancellationToken)
    {
        uint owner;
        try
        {
            owner = await CallAsync(BusName, BusPath, BusName, "GetConnectionUnixProcessID", ServiceName, "u", static (ref Reader reader) => reader.ReadUInt32(), cancellationToken).ConfigureAwait(false);
        }
        catch (VrrpSourceUnavailableException e) when (e.InnerException is DBusErrorReplyException { ErrorName: NameHasNoOwner })
        {
            throw new VrrpSourceUnavailableException(
                $"keepalived (pid {keepalived.ProcessId}) publishes nothing on {_address}: nobody owns {ServiceName}. It needs enable_dbus in global_defs, " +
                $"and a dbus_service_name of its own when several keepalived share the bus.", e.InnerException);
        }

        var keepalivedProcesses = new HashSet<long>(keepalived.ChildProcessIds().Select(id => (long)id)) { keepalived.ProcessId };
        if (!keepalivedProcesses.Contains(owner))
        {
            throw new VrrpSourceUnavailableException(
                $"{Where} belongs to pid {owner}, which is not keepalived pid {keepalived.ProcessId} or its VRRP process: another keepalived holds the name. " +
                "Give each keepalived on one bus its own dbus_service_name.");
        }
    }

    /// <summary>
    /// One method call, with no argument or one string, within the bus's deadline; a reply of another signature than
    /// <paramref name="replySignature"/> is not keepalived's.
    /// </summary>
    private Task<T> CallAsync<T>(string destination, string path, string @interface, string member, string? argument, string replySignature, ReadBody<T> read, CancellationToken cancellationToken)
    {
        MessageBuffer message;
        using (var writer = _connection.GetMessageWriter())
        {
            writer.WriteMethodCallHeader(destination, path, @interface, member, argument is null ? null : "s");
            if (argument is not null)
            {
                writer.WriteString(argument);
            }

            message = writer.CreateMessage();
        }

        var call = _connection.CallMethodAsync(
            message,
            static (Message reply, object? state) =>
            {
                var (expected, read, what) = ((string, ReadBody<T>, string))state!;
                if (reply.SignatureAsString != expected)
                {
                    throw new KeepalivedDumpFormatException($"{what} answered with '{reply.SignatureAsString}', not '{expected}'.");
                }

                var body = reply.GetBodyReader();
                return read(ref body);
            },
            (replySignature, read, $"{@interface}.{member} on {destination} {path}"));
        return Deadline(call, _timeout, Where, $"gave no reply to {member} on {path}", cancellationToken);
    }

    private delegate T ReadBody<T>(ref Reader reader);

    /// <summary>Waits for a DBus operation within <paramref name="timeout"/> and turns its failure into the exception the cmdlet maps.</summary>
    private static async Task<T> Deadline<T>(Task<T> operation, TimeSpan timeout, string where, string lateness, CancellationToken cancellationToken)
    {
        try
        {
            return await operation.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new VrrpSourceUnavailableException($"{where} {lateness} within {timeout.TotalSeconds:0.###} s.", e);
        }
        catch (DBusErrorReplyException e)
        {
            throw e.ErrorName == AccessDenied
                ? new VrrpPermissionException(
                    $"The bus policy does not let this user read {where}: {e.ErrorMessage} keepalived's policy file allows everyone to read org.keepalived.Vrrp1; " +
                    "another dbus_service_name needs a policy of its own.", e)
                : new VrrpSourceUnavailableException($"{where} answered with an error: {e.ErrorName}: {e.ErrorMessage}", e);
        }
        catch (DBusConnectFailedException e) when (IsPermissionFailure(e))
        {
            throw new VrrpPermissionException($"{where} refused this user: {e.Message}", e);
        }
        catch (DBusExceptionBase e) when (e is DBusReadException or DBusMessageException or DBusUnexpectedValueException || e.InnerException is FormatException or ProtocolViolationException)
        {
            throw new KeepalivedDumpFormatException($"{where} sent bytes that are not DBus: {e.Message}", e);
        }
        catch (DBusExceptionBase e)
        {
            throw new VrrpSourceUnavailableException($"{where} did not answer: {e.Message}", e);
        }
    }

    private static async Task Deadline(Task operation, TimeSpan timeout, string where, string lateness, CancellationToken cancellationToken) =>
        await Deadline(Completed(operation), timeout, where, lateness, cancellationToken).ConfigureAwait(false);

    private static async Task<bool> Completed(Task operation)
    {
        await operation.ConfigureAwait(false);
        return true;
    }

    // Tmds.DBus.Protocol reports a refused socket as its inner SocketException and a refused EXTERNAL
    // authentication only in its message.
    private static bool IsPermissionFailure(DBusConnectFailedException e) =>
        e.InnerException is SocketException { SocketErrorCode: SocketError.AccessDenied }
        || e.Message.Contains("Authentication failure", StringComparison.Ordinal);
}
