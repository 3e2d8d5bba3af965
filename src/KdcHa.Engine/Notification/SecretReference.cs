using System;

namespace KdcHa.Notification;

/// <summary>
/// The forms a secret may be named by. env: and file: resolve in the engine; vault: (SecretManagement) and
/// session: (a SecureString or PSCredential given to New-KdcHaNotificationChannel) are resolved by the cmdlet
/// layer and handed to the engine in memory.
/// </summary>
public static class SecretReference
{
    public const string Environment = "env:";
    public const string File = "file:";
    public const string Vault = "vault:";
    public const string Session = "session:";

    public const string Forms = "env:NAME, file:/PATH, vault:NAME or session:NAME";

    public static bool IsReference(string value) =>
        HasScheme(value, Environment) || HasScheme(value, File) || HasScheme(value, Vault) || HasScheme(value, Session);

    public static bool HasScheme(string value, string scheme) =>
        value.Length > scheme.Length && value.StartsWith(scheme, StringComparison.Ordinal);

    public static string NameOf(string reference) => reference.Substring(reference.IndexOf(':') + 1);
}
