using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using KdcHa.Common;

namespace KdcHa.Kerberos;

/// <summary>
/// What KdcHa reads of an MIT krb5.conf: [libdefaults] default_realm and dns_lookup_kdc, and the kdc lines of each
/// [realms] entry. It is the realm a switchover probes when none is given, the first place Test-KdcHealth looks for
/// a realm's KDCs, and the local source of -Realm and -Kdc completion. Other
/// sections, other relations and nested blocks are skipped; include and includedir are not followed.
/// </summary>
public sealed class Krb5Configuration
{
    public const string SystemConfig = "/etc/krb5.conf";
    public const string PathVariable = "KRB5_CONFIG";

    private Krb5Configuration(string path, string? defaultRealm, bool? dnsLookupKdc, IReadOnlyList<Krb5Realm> realms)
    {
        Path = path;
        DefaultRealm = defaultRealm;
        DnsLookupKdc = dnsLookupKdc;
        Realms = realms;
    }

    public string Path { get; }

    public string? DefaultRealm { get; }

    /// <summary>
    /// Whether a realm without kdc lines may be looked up in DNS: dns_lookup_kdc, else dns_fallback (which MIT
    /// reads as its default); null when the file sets neither, and MIT then looks.
    /// </summary>
    public bool? DnsLookupKdc { get; }

    /// <summary>The [realms] entries in file order, each with its kdc values in file order.</summary>
    public IReadOnlyList<Krb5Realm> Realms { get; }

    /// <summary>The files MIT reads: those of <paramref name="krb5ConfigVariable"/> (KRB5_CONFIG, colon-separated), else /etc/krb5.conf.</summary>
    public static IReadOnlyList<string> Files(string? krb5ConfigVariable) =>
        string.IsNullOrEmpty(krb5ConfigVariable) ? new[] { SystemConfig } : krb5ConfigVariable.Split(':', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The default_realm of the first of the files that exists and names one, as MIT takes it.</summary>
    public static string? FindDefaultRealm(string? krb5ConfigVariable) =>
        Files(krb5ConfigVariable).Where(File.Exists).Select(file => Read(file).DefaultRealm).FirstOrDefault(realm => realm is not null);

    public static Krb5Configuration Read(string path) => Parse(File.ReadAllLines(path), path);

    public static Krb5Configuration Parse(IEnumerable<string> lines, string path)
    {
        string? section = null;
        string? defaultRealm = null;
        bool? dnsLookupKdc = null;
        bool? dnsFallback = null;
        var realms = new List<Krb5Realm>();
        List<string>? kdcs = null;
        var depth = 0;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[' && depth == 0)
            {
                var end = line.IndexOf(']');
                section = end > 0 ? line[1..end].Trim().ToLowerInvariant() : null;
                continue;
            }

            if (line[0] == '}')
            {
                depth = Math.Max(0, depth - 1);
                kdcs = depth == 0 ? null : kdcs;
                continue;
            }

            var equals = line.IndexOf('=');
            if (equals <= 0)
            {
                continue;
            }

            // A trailing * marks a relation final (later files may not add to it); it is no part of the name.
            var tag = line[..equals].Trim().TrimEnd('*').TrimEnd();
            var value = line[(equals + 1)..].Trim();
            if (value.StartsWith('{'))
            {
                if (depth == 0 && section == "realms")
                {
                    kdcs = new List<string>();
                    realms.Add(new Krb5Realm(tag, kdcs));
                }

                depth++;
            }
            else if (depth == 0 && section == "libdefaults" && tag == "default_realm")
            {
                defaultRealm ??= value.Length == 0 ? null : value;
            }
            else if (depth == 0 && section == "libdefaults" && tag == "dns_lookup_kdc")
            {
                dnsLookupKdc ??= Boolean(value);
            }
            else if (depth == 0 && section == "libdefaults" && tag == "dns_fallback")
            {
                dnsFallback ??= Boolean(value);
            }
            else if (depth == 1 && kdcs is not null && tag == "kdc" && Unquoted(value) is { Length: > 0 } kdc)
            {
                kdcs.Add(kdc);
            }
        }

        return new Krb5Configuration(path, defaultRealm, dnsLookupKdc ?? dnsFallback, realms);
    }

    /// <summary>default_realm and the [realms] names of the files, for -Realm completion; an unreadable file offers nothing.</summary>
    public static IReadOnlyList<CompletionCandidate> RealmCandidates(IEnumerable<string> files) =>
        files.SelectMany(file => CompletionFile.Read(file, path =>
        {
            var configuration = Read(path);
            var realms = configuration.Realms.Select(entry => new CompletionCandidate(entry.Name, $"[realms] in {path}"));
            return configuration.DefaultRealm is { } defaultRealm ? realms.Prepend(new CompletionCandidate(defaultRealm, $"default_realm in {path}")) : realms;
        })).ToList();

    /// <summary>The kdc lines of the files, only <paramref name="realm"/>'s when one is given, for -Kdc completion.</summary>
    public static IReadOnlyList<CompletionCandidate> KdcCandidates(IEnumerable<string> files, string? realm) =>
        files.SelectMany(file => CompletionFile.Read(file, path => Read(path).Realms
            .Where(entry => realm is null || string.Equals(entry.Name, realm, StringComparison.OrdinalIgnoreCase))
            .SelectMany(entry => entry.Kdcs.Select(kdc => new CompletionCandidate(kdc, $"kdc of {entry.Name} in {path}"))))).ToList();

    // MIT's profile booleans; it rejects any other value and keeps the default, as null does here.
    private static bool? Boolean(string value) => Unquoted(value).ToLowerInvariant() switch
    {
        "y" or "yes" or "true" or "t" or "1" or "on" => true,
        "n" or "no" or "false" or "nil" or "0" or "off" => false,
        _ => null,
    };

    private static string Unquoted(string value) =>
        value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value;
}

/// <summary>One [realms] entry of krb5.conf: the realm's name and its kdc lines (host, host:port or [IPv6]:port).</summary>
public sealed record Krb5Realm(string Name, IReadOnlyList<string> Kdcs);
