namespace KdcHa.Notification;

public enum SmtpSecurity
{
    /// <summary>STARTTLS on the submission port; the server must offer it, or nothing is sent.</summary>
    StartTls,

    /// <summary>Implicit TLS from the first byte (SMTPS, port 465).</summary>
    Tls,

    /// <summary>Plain text: only for a relay on the same host or a lab.</summary>
    None,
}
