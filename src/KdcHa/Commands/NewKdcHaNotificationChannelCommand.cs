using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Management.Automation;
using KdcHa.Notification;

namespace KdcHa.Commands;

[Cmdlet(VerbsCommon.New, "KdcHaNotificationChannel", SupportsShouldProcess = true)]
[OutputType(typeof(NotificationChannelDefinition))]
public sealed class NewKdcHaNotificationChannelCommand : NotificationCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    public NotificationChannelType Type { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public NotificationSeverity MinimumSeverity { get; set; } = NotificationSeverity.Info;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("TimeoutSec")]
    [ValidateRange(1, 600)]
    public int TimeoutSeconds { get; set; } = 10;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Url { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? SigningSecret { get; set; }

    [Parameter]
    public Hashtable? Header { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public MessageFormat Format { get; set; } = MessageFormat.Markdown;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Server { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? From { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string[]? To { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? UserName { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Password { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? CertificateSha256 { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SyslogTransport Transport { get; set; } = SyslogTransport.Udp;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? SocketPath { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0, 23)]
    public int Facility { get; set; } = 3;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? AppName { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Path { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Arguments")]
    public string[]? ArgumentList { get; set; }

    [Parameter]
    public SwitchParameter Register { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        NotificationChannelDefinition definition;
        try
        {
            definition = NewDefinition();
            definition.Validate();
        }
        catch (NotificationConfigurationException e)
        {
            WriteError(NewError(e, KdcHaErrors.ChannelDefinitionInvalid, Name));
            return;
        }

        if (Register)
        {
            RegisterChannel(definition);
        }

        WriteObject(definition);
    }

    private NotificationChannelDefinition NewDefinition()
    {
        var bound = MyInvocation.BoundParameters;
        var definition = new NotificationChannelDefinition
        {
            Name = Name,
            Type = Type.ToString(),
            MinimumSeverity = MinimumSeverity.ToString(),
            TimeoutSeconds = TimeoutSeconds,
            Url = Url,
            SigningSecret = SigningSecret,
            Headers = Header is null ? null : ToStringMap(Header),
            Server = Server,
            Port = bound.ContainsKey(nameof(Port)) ? Port : null,
            From = From,
            To = To,
            UserName = UserName,
            Password = Password,
            CertificateSha256 = CertificateSha256,
            SocketPath = SocketPath,
            AppName = AppName,
            Path = Path,
            Arguments = ArgumentList,
        };

        // Only the fields of the chosen type are written, so the configuration file stays readable.
        switch (Type)
        {
            case NotificationChannelType.DingTalk or NotificationChannelType.WeCom:
                definition.Format = Format.ToString();
                break;
            case NotificationChannelType.Email:
                definition.Security = Security.ToString();
                break;
            case NotificationChannelType.Syslog:
                definition.Transport = Transport.ToString();
                definition.Facility = bound.ContainsKey(nameof(Facility)) ? Facility : null;
                break;
        }

        if (Credential is not null)
        {
            AddSessionSecret(definition, Credential);
        }

        return definition;
    }

    /// <summary>
    /// The secret of a -Credential goes to the session store, and the definition names it by a session: reference.
    /// For mail it is the SMTP password; for the HTTP types it is the webhook URL, since for those vendors the URL
    /// is the secret and Get-Credential is how a script asks for one without echoing it.
    /// </summary>
    private void AddSessionSecret(NotificationChannelDefinition definition, PSCredential credential)
    {
        switch (Type)
        {
            case NotificationChannelType.Email:
                definition.UserName = credential.UserName;
                definition.Password = SessionSecretStore.Add(Name, nameof(Password), credential.Password);
                break;
            case NotificationChannelType.Syslog or NotificationChannelType.Command:
                throw new NotificationConfigurationException($"Channel '{Name}': a {Type} channel has no secret; -Credential applies to Email and the webhook types.");
            default:
                if (Url is not null)
                {
                    throw new NotificationConfigurationException($"Channel '{Name}': give the webhook URL with -Url or -Credential (its password), not both.");
                }

                definition.Url = SessionSecretStore.Add(Name, nameof(Url), credential.Password);
                break;
        }
    }

    private void RegisterChannel(NotificationChannelDefinition definition)
    {
        var path = ResolvedConfigurationPath;
        var session = definition.SecretReferences().FirstOrDefault(reference => SecretReference.HasScheme(reference, SecretReference.Session));
        if (session is not null)
        {
            ThrowTerminatingError(NewError(
                new ArgumentException($"{session} lives only in this PowerShell process and cannot be written to {path}. Register the channel with env:, file: or vault: references instead of -Credential."),
                KdcHaErrors.SessionSecretNotPersistable, Name));
        }

        var configuration = File.Exists(path) ? LoadConfiguration() : new NotificationConfiguration();
        var existing = configuration.Channels.FindIndex(channel => string.Equals(channel.Name, definition.Name, StringComparison.Ordinal));
        if (existing >= 0 && !Force)
        {
            ThrowTerminatingError(NewError(
                new InvalidOperationException($"{path} already defines a channel named '{definition.Name}'. Add -Force to replace it."),
                KdcHaErrors.ChannelExists, Name));
        }

        if (!ShouldProcess(path, $"{(existing >= 0 ? "Replace" : "Add")} notification channel '{definition.Name}' ({definition.Type})"))
        {
            return;
        }

        if (existing >= 0)
        {
            configuration.Channels[existing] = definition;
        }
        else
        {
            configuration.Channels.Add(definition);
        }

        try
        {
            NotificationConfigurationFile.Save(path, configuration);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(NewError(e, KdcHaErrors.NotificationConfigurationUnwritable, path));
        }

        WriteVerbose($"Registered channel '{definition.Name}' in {path}.");
    }
}
