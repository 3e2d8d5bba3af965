using System;
using System.Collections.Generic;
using System.Linq;

namespace KdcHa.Notification;

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

    public void Add(string secret)
    {
        if (secret.Length < MinimumSecretLength)
        {
            return;
        }

        lock (_gate)
        {
            // Longest first, so a URL is masked whole before a token inside it would leave its prefix visible.
            _secrets = _secrets.Concat(new[] { secret, Uri.EscapeDataString(secret) })
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

    public IReadOnlyCollection<string> Secrets => _secrets;
}
