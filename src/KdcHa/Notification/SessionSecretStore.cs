using System;
using System.Collections.Concurrent;
using System.Security;

namespace KdcHa.Notification;

/// <summary>
/// SecureStrings and PSCredentials given to New-KdcHaNotificationChannel, kept for the life of the PowerShell
/// process under session:NAME references, so the channel object itself never carries the secret.
/// </summary>
internal static class SessionSecretStore
{
    private static readonly ConcurrentDictionary<string, SecureString> Secrets = new(StringComparer.Ordinal);

    public static string Add(string channel, string field, SecureString secret)
    {
        var reference = $"{SecretReference.Session}{channel}.{field}";
        var copy = secret.Copy();
        copy.MakeReadOnly();
        Secrets[reference] = copy;
        return reference;
    }

    public static SecureString? Get(string reference) => Secrets.TryGetValue(reference, out var secret) ? secret : null;
}
