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
