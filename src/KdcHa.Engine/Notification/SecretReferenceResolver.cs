using System;
using System.Collections.Generic;
using System.IO;

namespace KdcHa.Notification;

/// <summary>
/// Resolves env: and file: references itself and vault:/session: references from values the cmdlet layer fetched
/// (SecretManagement, SecureString); every value it hands out is registered with the redactor first.
/// </summary>
public sealed class SecretReferenceResolver : ISecretResolver
{
    private readonly IReadOnlyDictionary<string, string> _provided;
    private readonly Func<string, string?> _environment;

    public SecretReferenceResolver(
        SecretRedactor redactor, IReadOnlyDictionary<string, string>? provided = null, Func<string, string?>? environment = null)
    {
        Redactor = redactor;
        _provided = provided ?? new Dictionary<string, string>();
        _environment = environment ?? Environment.GetEnvironmentVariable;
    }

    public SecretRedactor Redactor { get; }

    public string Resolve(string reference)
    {
        var value = Lookup(reference);
        Redactor.Add(value);
        return value;
    }

    private string Lookup(string reference)
    {
        if (!SecretReference.IsReference(reference))
        {
            return reference;
        }

        var name = SecretReference.NameOf(reference);
        if (SecretReference.HasScheme(reference, SecretReference.Environment))
        {
            return _environment(name) is { Length: > 0 } value
                ? value
                : throw new NotificationSecretException(reference, $"The secret reference {reference} names an environment variable that is not set.");
        }

        if (SecretReference.HasScheme(reference, SecretReference.File))
        {
            try
            {
                // Trailing newlines come from `echo secret > file`; they are never part of a token.
                return File.ReadAllText(name).TrimEnd('\r', '\n');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new NotificationSecretException(reference, $"The secret reference {reference} cannot be read: {e.GetType().Name}.");
            }
        }

        return _provided.TryGetValue(reference, out var provided)
            ? provided
            : throw new NotificationSecretException(reference, $"The secret reference {reference} was not resolved: {Hint(reference)}");
    }

    private static string Hint(string reference) => SecretReference.HasScheme(reference, SecretReference.Vault)
        ? "vault references need the Microsoft.PowerShell.SecretManagement module and a registered vault holding that name."
        : "session references live only in the PowerShell session that created the channel with New-KdcHaNotificationChannel.";
}
