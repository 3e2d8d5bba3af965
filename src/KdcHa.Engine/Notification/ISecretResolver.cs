namespace KdcHa.Notification;

/// <summary>Turns a secret reference into the secret at send time, so nothing persisted ever holds the value.</summary>
public interface ISecretResolver
{
    string Resolve(string reference);
}
