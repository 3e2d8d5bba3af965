using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace KdcHa.Notification;

/// <summary>Turns a secret reference into the secret at send time, so nothing persisted ever holds the value.</summary>
public interface ISecretResolver
{
    string Resolve(string reference);
}

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

/// <summary>
/// Scrubs every secret resolved so far out of text bound for errors, verbose output and results: exception
/// messages from HTTP, TLS and process layers may quote a URL or a server reply that echoes a token.
/// </summary>
public sealed class SecretRedactor
{
    public const string Mask = "***";

    // Shorter values would mask ordinary words in messages without protecting anything worth the name.
    private const int MinimumSecretLength = 4;

    private readonly object _gate = new();
    private string[] _secrets = Array.Empty<string>();

    // Parts of a secret URL this long are tokens (Slack's path, DingTalk's access_token, WeCom's key), not words.
    private const int MinimumUrlPartLength = 16;

    public void Add(string secret)
    {
        if (secret.Length < MinimumSecretLength)
        {
            return;
        }

        var forms = new List<string> { secret, Uri.EscapeDataString(secret) };
        if (Uri.TryCreate(secret, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
        {
            // A server may quote only the path or a query value of the webhook URL back in an error.
            forms.Add(url.PathAndQuery);
            forms.AddRange(url.AbsolutePath.Split('/').Concat(url.Query.TrimStart('?').Split('&').Select(pair => pair.Substring(pair.IndexOf('=') + 1)))
                .Where(part => part.Length >= MinimumUrlPartLength));
        }

        lock (_gate)
        {
            // Longest first, so a URL is masked whole before a token inside it would leave its prefix visible.
            _secrets = _secrets.Concat(forms.Where(form => form.Length >= MinimumSecretLength))
                .Distinct(StringComparer.Ordinal)
                .OrderByDescending(value => value.Length)
                .ToArray();
        }
    }

    public string Redact(string text)
    {
        foreach (var secret in _secrets)
        {
            if (text.IndexOf(secret, StringComparison.Ordinal) >= 0)
            {
                text = text.Replace(secret, Mask);
            }
        }

        return text;
    }

    internal IReadOnlyCollection<string> Secrets => _secrets;
}
