using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security;
using KdcHa.Common;
using KdcHa.Kerberos.Crypto;
using KdcHa.Kerberos.Discovery;
using KdcHa.Kerberos.Keytab;
using KdcHa.Kerberos.Messages;
using KdcHa.Kerberos.Transport;
using KeytabFile = KdcHa.Kerberos.Keytab.Keytab;

namespace KdcHa.Kerberos.Health;

/// <summary>
/// Turns what a user names (a principal, a realm, a keytab or a password, a level, a timeout) into probe requests
/// for any KDC: the one place that knows the stand-in client, that the principal defaults to the credential's user
/// or the keytab's first principal, that the realm defaults to the principal's, and which key a request carries.
/// One factory serves every request of a command, so each principal's key source is built once.
/// </summary>
public sealed class KdcProbeTargetFactory
{
    /// <summary>Stands in for the client when none is named: "principal unknown" from the KDC then proves a database lookup.</summary>
    public const string ProbeClientName = "kdcha-probe";

    private readonly KeytabFile? _keytab;
    private readonly string _keytabName;
    private readonly SecureString? _password;
    private readonly ConcurrentDictionary<string, IClientKeySource> _keySources = new(StringComparer.Ordinal);
    private readonly KdcProbeLevel? _level;

    /// <summary>
    /// Probes with the keys of <paramref name="keytab"/> (named <paramref name="keytabName"/> in errors), or with keys
    /// derived from <paramref name="password"/> (copied) as <paramref name="userName"/> unless a principal is named,
    /// or without a key (Reachable only, as the stand-in client unless a principal is named) when both are null.
    /// </summary>
    public KdcProbeTargetFactory(KeytabFile? keytab = null, string? keytabName = null, SecureString? password = null, string? userName = null)
    {
        if (keytab is not null && password is not null)
        {
            throw new ArgumentException("A probe authenticates with a keytab or a password, not both.", nameof(password));
        }

        _keytab = keytab;
        _keytabName = keytabName ?? string.Empty;
        _password = password?.Copy();
        DefaultPrincipal = keytab?.Principals.FirstOrDefault() ?? (string.IsNullOrEmpty(userName) ? null : userName);
    }

    /// <summary>
    /// Reads a keytab, warning through <paramref name="output"/> when every user may read it. A missing file throws
    /// <see cref="KeytabNotFoundException"/>, an unreadable one <see cref="KeytabUnreadableException"/>, one that is
    /// not a keytab <see cref="KeytabFormatException"/>.
    /// </summary>
    public static KeytabFile LoadKeytab(string path, IOperationOutput output)
    {
        KeytabFile keytab;
        try
        {
            keytab = KeytabFile.Load(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new KeytabNotFoundException(path, e);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new KeytabUnreadableException(path, e);
        }

        keytab = RefuseOrSkipUnusableKeys(path, keytab, output);
        if (FilePermissions.IsWorldReadable(path))
        {
            output.WriteWarning($"The keytab {path} is readable by every user on this host; anyone can impersonate its principals. Run: chmod 600 {path}");
        }

        return keytab;
    }

    /// <summary>
    /// A key whose length does not fit its encryption type is a damaged or hand-made keytab. When its principal has
    /// another usable key the probe can still work, so the entry is skipped with a warning; when it was the
    /// principal's only key, the keytab is refused here, naming the entry, rather than failing every probe later.
    /// </summary>
    private static KeytabFile RefuseOrSkipUnusableKeys(string path, KeytabFile keytab, IOperationOutput output)
    {
        var supported = KerberosEncryption.PreferenceOrder.Select(type => (int)type).ToArray();
        var usable = keytab.WithoutUnusableKeys();
        foreach (var entry in keytab.EntriesWithUnusableKeys)
        {
            if (usable.FindKey(entry.Principal, supported) is null)
            {
                throw new KeytabFormatException($"The keytab {path} is invalid: {entry.KeyLengthProblem}, and {entry.Principal} has no other usable key.");
            }

            output.WriteWarning($"The keytab {path}: {entry.KeyLengthProblem}; the entry is skipped.");
        }

        return usable;
    }

    public bool HasKey => _keytab is not null || _password is not null;

    /// <summary>The principal a probe runs as when none is named; null means the stand-in client.</summary>
    public string? DefaultPrincipal { get; }

    /// <summary>Authenticated when there is a key and Reachable when not, unless set.</summary>
    public KdcProbeLevel Level
    {
        get => _level ?? (HasKey ? KdcProbeLevel.Authenticated : KdcProbeLevel.Reachable);
        init => _level = value == KdcProbeLevel.Authenticated && !HasKey
            ? throw new ArgumentException("An Authenticated probe needs a keytab or a password.", nameof(Level))
            : value;
    }

    public TimeSpan Timeout { get; init; } = KdcProbeRequest.DefaultTimeout;

    public KdcTransportProtocol Transport { get; init; } = KdcTransportProtocol.Auto;

    /// <summary>
    /// The request to probe <paramref name="endpoint"/> as <paramref name="principal"/> (name or name@REALM; null
    /// means <see cref="DefaultPrincipal"/>) in <paramref name="realm"/> (null means the principal's realm), found
    /// through <paramref name="source"/>, over <paramref name="transport"/> (null means <see cref="Transport"/>).
    /// Throws <see cref="RealmRequiredException"/> when neither gives a realm and
    /// <see cref="PrincipalNotInKeytabException"/> when the keytab holds no key for the principal.
    /// </summary>
    public KdcProbeRequest Request(
        KdcEndpoint endpoint, string? principal = null, string? realm = null, KdcSource source = KdcSource.Parameter, KdcTransportProtocol? transport = null)
    {
        principal ??= DefaultPrincipal;
        realm ??= RealmOf(principal) ?? throw new RealmRequiredException(endpoint.ToString());
        var client = PrincipalName.Parse(principal is null ? ProbeClientName : NameOf(principal));
        return new KdcProbeRequest(endpoint, realm, client, clientIsExpectedToExist: principal is not null)
        {
            Level = Level,
            KeySource = HasKey ? KeySourceFor($"{client}@{realm}") : null,
            Source = source,
            Transport = transport ?? Transport,
            Timeout = Timeout,
        };
    }

    /// <summary>One <see cref="Request"/> per endpoint, in order.</summary>
    public IReadOnlyList<KdcProbeRequest> Requests(IEnumerable<KdcEndpoint> endpoints, string? principal = null, string? realm = null) =>
        endpoints.Select(endpoint => Request(endpoint, principal, realm)).ToArray();

    private static string NameOf(string principal)
    {
        var at = principal.LastIndexOf('@');
        return at < 0 ? principal : principal[..at];
    }

    private static string? RealmOf(string? principal)
    {
        var at = principal?.LastIndexOf('@') ?? -1;
        return at < 0 || at == principal!.Length - 1 ? null : principal[(at + 1)..];
    }

    private IClientKeySource KeySourceFor(string principal) => _keySources.GetOrAdd(principal, NewKeySource);

    private IClientKeySource NewKeySource(string principal)
    {
        if (_keytab is null)
        {
            return new PasswordKeySource(_password!.Copy());
        }

        var source = new KeytabKeySource(_keytab, principal);
        return source.EncryptionTypes.Count > 0 ? source : throw new PrincipalNotInKeytabException(_keytabName, principal, _keytab.Principals);
    }
}
