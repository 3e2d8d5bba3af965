using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using KdcHa.Vrrp;

namespace KdcHa.Keepalived;

/// <summary>
/// keepalived's text dump (SIGFUNC DATA, keepalived.data), for builds without JSON. Its format is not a stable
/// interface (it changed in 2.2.5), so only the "VRRP Topology" section's "Key = value" lines are read: VRRP Instance,
/// State, Virtual Router ID, Priority, Effective priority, Interface, Last transition and the "Virtual IP (n):" list.
/// </summary>
public static class KeepalivedDataDump
{
    private const string TopologyHeader = "------< VRRP Topology >------";

    /// <exception cref="KeepalivedDumpFormatException">No VRRP Topology section, or an instance without a usable router id.</exception>
    public static IReadOnlyList<VrrpInstanceState> Parse(string text, ISet<IPAddress>? heldAddresses)
    {
        var lines = text.Split('\n');
        var start = Array.FindIndex(lines, l => l.Trim() == TopologyHeader);
        if (start < 0)
        {
            throw new KeepalivedDumpFormatException("keepalived's data dump has no VRRP Topology section.");
        }

        var states = new List<VrrpInstanceState>();
        InstanceBuilder? current = null;
        var vipLinesLeft = 0;
        for (var i = start + 1; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.StartsWith("------<", StringComparison.Ordinal))
            {
                break;
            }

            if (vipLinesLeft > 0 && current is not null)
            {
                vipLinesLeft--;
                current.VirtualIPAddresses.Add(KeepalivedJsonDump.FirstWord(line));
                continue;
            }

            var equals = line.IndexOf(" = ", StringComparison.Ordinal);
            if (line.StartsWith("Virtual IP (", StringComparison.Ordinal) && current is not null)
            {
                var close = line.IndexOf(')');
                vipLinesLeft = close > 12 ? KeepalivedNumbers.Parse(line.Substring(12, close - 12), 0, int.MaxValue) ?? 0 : 0;
                continue;
            }

            if (equals < 0)
            {
                continue;
            }

            var key = line.Substring(0, equals);
            var value = line.Substring(equals + 3).Trim();
            if (key == "VRRP Instance")
            {
                if (current is not null)
                {
                    states.Add(current.Build(heldAddresses));
                }

                current = new InstanceBuilder(value);
                continue;
            }

            current?.Set(key, value);
        }

        if (current is not null)
        {
            states.Add(current.Build(heldAddresses));
        }

        return states;
    }

    private sealed class InstanceBuilder
    {
        private readonly string _name;
        private int? _virtualRouterId;
        private VrrpState _state = VrrpState.Unknown;
        private int? _priority;
        private int? _effectivePriority;
        private string? _interface;
        private DateTime? _lastTransition;

        public InstanceBuilder(string name)
        {
            _name = name;
        }

        public List<string> VirtualIPAddresses { get; } = new();

        public void Set(string key, string value)
        {
            switch (key)
            {
                case "State":
                    _state = KeepalivedStateCodes.FromName(value);
                    break;
                case "Virtual Router ID":
                    _virtualRouterId = KeepalivedNumbers.Parse(value, 1, 255);
                    break;
                case "Priority":
                    _priority = KeepalivedNumbers.Parse(value, 0, 255);
                    break;
                case "Effective priority":
                    _effectivePriority = KeepalivedNumbers.Parse(value, 0, 255);
                    break;
                case "Interface":
                    _interface = value;
                    break;
                case "Last transition":
                    var space = value.IndexOf(' ');
                    _lastTransition = double.TryParse(space < 0 ? value : value.Substring(0, space), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
                        ? KeepalivedStateCodes.FromUnixSeconds(seconds)
                        : null;
                    break;
            }
        }

        public VrrpInstanceState Build(ISet<IPAddress>? heldAddresses) =>
            new(_name, _virtualRouterId ?? throw new KeepalivedDumpFormatException($"Instance {_name} in keepalived's data dump has no Virtual Router ID of 1-255."), _state, "Data")
            {
                Interface = _interface,
                Priority = _priority,
                EffectivePriority = _effectivePriority,
                VirtualIPAddresses = VirtualIPAddresses,
                HoldsVirtualIP = LocalAddresses.HoldsAll(VirtualIPAddresses, heldAddresses),
                LastTransition = _lastTransition,
            };
    }
}
