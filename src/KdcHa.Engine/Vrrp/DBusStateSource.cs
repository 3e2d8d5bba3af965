using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using System.Xml;
using Tmds.DBus.Protocol;

namespace KdcHa.Vrrp;

/// <summary>
/// keepalived's DBus interface (<c>enable_dbus</c>) on the system bus: every name the VRRP process owns (the
/// default <c>org.keepalived.Vrrp1</c>, or its <c>dbus_service_name</c>), objects
/// <c>/org/keepalived/Vrrp1/[netns/]Instance/&lt;if&gt;/&lt;vrid&gt;/IPv4|IPv6</c> with properties Name and State.
/// DBus knows no priorities or addresses; those come from keepalived's configuration. The bus is
/// DBUS_SYSTEM_BUS_ADDRESS when set, as for keepalived itself, else /run/dbus/system_bus_socket.
/// </summary>
public sealed class DBusStateSource : IVrrpStateSource
{
    private const string InstanceInterface = "org.keepalived.Vrrp1.Instance";
    private const string RootPath = "/org/keepalived/Vrrp1";
    private const string DefaultBus = "unix:path=/run/dbus/system_bus_socket";

    // Instance paths are at most /org/keepalived/Vrrp1/<netns>/Instance/<if>/<vrid>/<family>.
    private const int MaximumDepth = 5;

    public string Name => "DBus";

    private static string BusAddress => Environment.GetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS") is { Length: > 0 } address ? address : DefaultBus;

    public bool IsAvailable(VrrpQuery query)
    {
        if (!query.HasKeepalived())
        {
            return false;
        }

        // Only unix:path= addresses can be checked without connecting; others are tried.
        const string PathPrefix = "unix:path=";
        var address = BusAddress;
        return !address.StartsWith(PathPrefix, StringComparison.Ordinal) || File.Exists(address.Substring(PathPrefix.Length).Split(',')[0]);
    }

    public async Task<IReadOnlyList<VrrpInstanceState>> GetStatesAsync(VrrpQuery query, CancellationToken cancellationToken)
    {
        var keepalived = query.FindKeepalived();
        var configured = ReadConfiguredInstances(keepalived);
        var held = LocalAddresses.Current(keepalived.ProcessId);
        using var connection = new DBusConnection(BusAddress);
        try
        {
            await connection.ConnectAsync().ConfigureAwait(false);
            var ours = new HashSet<int>(keepalived.ChildProcessIds()) { keepalived.ProcessId };
            var states = new List<VrrpInstanceState>();
            foreach (var service in await connection.ListServicesAsync().ConfigureAwait(false))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (service.StartsWith(":", StringComparison.Ordinal) || !ours.Contains((int)await ProcessIdOf(connection, service).ConfigureAwait(false)))
                {
                    continue;
                }

                foreach (var path in await InstancePaths(connection, service, RootPath, 0).ConfigureAwait(false))
                {
                    states.Add(await ReadInstance(connection, service, path, configured, held).ConfigureAwait(false));
                }
            }

            if (states.Count == 0)
            {
                throw new VrrpSourceUnavailableException($"keepalived (pid {keepalived.ProcessId}) publishes no VRRP instance on the DBus system bus {BusAddress}: is enable_dbus set in its configuration?");
            }

            return states;
        }
        catch (DBusExceptionBase e)
        {
            throw new VrrpSourceUnavailableException($"The DBus system bus {BusAddress} did not answer: {e.Message}", e);
        }
    }

    private static IReadOnlyList<KeepalivedConfiguredInstance> ReadConfiguredInstances(KeepalivedProcess keepalived)
    {
        try
        {
            return KeepalivedConfigFile.Parse(File.ReadAllText(keepalived.ConfigFile));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Array.Empty<KeepalivedConfiguredInstance>();
        }
    }

    private static async Task<VrrpInstanceState> ReadInstance(DBusConnection connection, string service, string path, IReadOnlyList<KeepalivedConfiguredInstance> configured, ISet<System.Net.IPAddress> held)
    {
        var name = (await GetProperty(connection, service, path, "Name").ConfigureAwait(false)).GetString();
        var state = (await GetProperty(connection, service, path, "State").ConfigureAwait(false)).GetItem(0).GetUInt32();
        var segments = path.Split('/');
        var vrid = KeepalivedNumbers.Parse(segments[segments.Length - 2], 1, 255) ?? 0;
        var config = configured.FirstOrDefault(c => c.Name == name);
        var vips = config?.VirtualIPAddresses ?? Array.Empty<string>();
        return new VrrpInstanceState(name, vrid, KeepalivedStateCodes.FromCode(state), "DBus")
        {
            Interface = segments[segments.Length - 3] is var ifName && ifName != "none" ? ifName : null,
            Priority = config?.Priority,
            VirtualIPAddresses = vips,
            HoldsVirtualIP = LocalAddresses.HoldsAll(vips, held),
        };
    }

    private static async Task<List<string>> InstancePaths(DBusConnection connection, string service, string path, int depth)
    {
        var found = new List<string>();
        var xml = await Call(connection, service, path, "org.freedesktop.DBus.Introspectable", "Introspect", null, static (m, _) => m.GetBodyReader().ReadString()).ConfigureAwait(false);
        var document = new XmlDocument { XmlResolver = null };
        document.LoadXml(xml);
        if (document.SelectSingleNode($"/node/interface[@name='{InstanceInterface}']") is not null)
        {
            found.Add(path);
        }

        if (depth < MaximumDepth)
        {
            foreach (XmlElement child in document.SelectNodes("/node/node[@name]")!)
            {
                found.AddRange(await InstancePaths(connection, service, path + "/" + child.GetAttribute("name"), depth + 1).ConfigureAwait(false));
            }
        }

        return found;
    }

    private static Task<VariantValue> GetProperty(DBusConnection connection, string service, string path, string property) =>
        Call(connection, service, path, "org.freedesktop.DBus.Properties", "Get", new[] { InstanceInterface, property }, static (m, _) => m.GetBodyReader().ReadVariantValue());

    private static Task<uint> ProcessIdOf(DBusConnection connection, string service) =>
        Call(connection, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetConnectionUnixProcessID", new[] { service }, static (m, _) => m.GetBodyReader().ReadUInt32());

    private static Task<T> Call<T>(DBusConnection connection, string destination, string path, string @interface, string member, string[]? arguments, MessageValueReader<T> reader)
    {
        using var writer = connection.GetMessageWriter();
        writer.WriteMethodCallHeader(destination, path, @interface, member, arguments is null ? null : new string('s', arguments.Length), MessageFlags.None);
        foreach (var argument in arguments ?? Array.Empty<string>())
        {
            writer.WriteString(argument);
        }

        return connection.CallMethodAsync(writer.CreateMessage(), reader, null);
    }
}
