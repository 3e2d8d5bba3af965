using System;
using System.Collections.Generic;
using System.Management.Automation;
using KdcHa.Common;
using KdcHa.Haproxy;
using KdcHa.Keepalived;
using KdcHa.Kerberos;
using KdcHa.Monitor.Metrics;
using KdcHa.Notification;
using KdcHa.Vip;
using KdcHa.Vrrp;

namespace KdcHa;

/// <summary>
/// An ErrorId with the one category it always carries. Scripts and tests match the id
/// (<c>-ErrorId 'Id,KdcHa.Commands.XCommand'</c>), so an id is a promise: the same failure, the same id, in every cmdlet.
/// </summary>
public sealed record KdcHaError(string Id, ErrorCategory Category)
{
    public override string ToString() => Id;
}

/// <summary>
/// Every ErrorId a KdcHa cmdlet writes, and which engine exception becomes which of them. A cmdlet names an id from
/// here for failures the engine does not throw (argument combinations, files it opens itself, a context the
/// exception type cannot tell, such as which configuration a ConfigurationException is about); engine exceptions
/// go through <see cref="For(KdcHaException, object?, KdcHaError)"/>. The docs pages list each cmdlet's ids.
/// </summary>
public static class KdcHaErrors
{
    // Host, privilege and names that every cmdlet touching interfaces or keytabs can hit.
    public static readonly KdcHaError PlatformNotSupported = new(nameof(PlatformNotSupported), ErrorCategory.NotImplemented);
    public static readonly KdcHaError PermissionDenied = new(nameof(PermissionDenied), ErrorCategory.PermissionDenied);
    public static readonly KdcHaError InterfaceNotFound = new(nameof(InterfaceNotFound), ErrorCategory.ObjectNotFound);
    public static readonly KdcHaError InstanceNotFound = new(nameof(InstanceNotFound), ErrorCategory.ObjectNotFound);
    public static readonly KdcHaError InstanceRequired = new(nameof(InstanceRequired), ErrorCategory.InvalidArgument);
    public static readonly KdcHaError RealmRequired = new(nameof(RealmRequired), ErrorCategory.InvalidArgument);
    public static readonly KdcHaError KeytabNotFound = new(nameof(KeytabNotFound), ErrorCategory.ObjectNotFound);
    public static readonly KdcHaError KeytabUnreadable = new(nameof(KeytabUnreadable), ErrorCategory.ReadError);
    public static readonly KdcHaError KeytabInvalid = new(nameof(KeytabInvalid), ErrorCategory.InvalidData);
    public static readonly KdcHaError PrincipalNotInKeytab = new(nameof(PrincipalNotInKeytab), ErrorCategory.ObjectNotFound);

    // Test-KdcHealth.
    public static readonly KdcHaError InvalidKdcAddress = new(nameof(InvalidKdcAddress), ErrorCategory.InvalidArgument);
    public static readonly KdcHaError KeySourceRequired = new(nameof(KeySourceRequired), ErrorCategory.InvalidArgument);
    public static readonly KdcHaError KdcNotFound = new(nameof(KdcNotFound), ErrorCategory.ObjectNotFound);

    // Get-VrrpState.
    public static readonly KdcHaError KeepalivedNotRunning = new(nameof(KeepalivedNotRunning), ErrorCategory.ObjectNotFound);
    public static readonly KdcHaError PidFileStale = new(nameof(PidFileStale), ErrorCategory.InvalidData);
    public static readonly KdcHaError DumpInvalid = new(nameof(DumpInvalid), ErrorCategory.InvalidData);
    public static readonly KdcHaError SourceUnavailable = new(nameof(SourceUnavailable), ErrorCategory.ResourceUnavailable);

    // Move-KdcVip.
    public static readonly KdcHaError KeepalivedConfigInvalid = new(nameof(KeepalivedConfigInvalid), ErrorCategory.InvalidData);
    public static readonly KdcHaError MaintenanceTrackNotConfigured = new(nameof(MaintenanceTrackNotConfigured), ErrorCategory.NotEnabled);
    public static readonly KdcHaError NotVipHolder = new(nameof(NotVipHolder), ErrorCategory.InvalidOperation);
    public static readonly KdcHaError UnknownPeer = new(nameof(UnknownPeer), ErrorCategory.ObjectNotFound);
    public static readonly KdcHaError SwitchoverTimeout = new(nameof(SwitchoverTimeout), ErrorCategory.OperationTimeout);
    public static readonly KdcHaError InvalidAddress = new(nameof(InvalidAddress), ErrorCategory.InvalidArgument);
    public static readonly KdcHaError AddressInUse = new(nameof(AddressInUse), ErrorCategory.ResourceExists);
    public static readonly KdcHaError NetlinkError = new(nameof(NetlinkError), ErrorCategory.InvalidOperation);
    public static readonly KdcHaError LinkLayerError = new(nameof(LinkLayerError), ErrorCategory.WriteError);
    public static readonly KdcHaError MoveFailed = new(nameof(MoveFailed), ErrorCategory.NotSpecified);

    // New-KdcHaKeepalivedConfig.
    public static readonly KdcHaError InvalidKeepalivedSetting = new(nameof(InvalidKeepalivedSetting), ErrorCategory.InvalidArgument);

    // New-KdcHaHaproxyConfig.
    public static readonly KdcHaError InvalidHaproxySetting = new(nameof(InvalidHaproxySetting), ErrorCategory.InvalidArgument);

    // Start-KdcHaMonitor and Get-KdcHaMonitor.
    public static readonly KdcHaError InvalidMonitorConfiguration = new(nameof(InvalidMonitorConfiguration), ErrorCategory.InvalidArgument);
    public static readonly KdcHaError MonitorConfigurationNotFound = new(nameof(MonitorConfigurationNotFound), ErrorCategory.ObjectNotFound);
    public static readonly KdcHaError MonitorStatusNotFound = new(nameof(MonitorStatusNotFound), ErrorCategory.ObjectNotFound);
    public static readonly KdcHaError MonitorStatusInvalid = new(nameof(MonitorStatusInvalid), ErrorCategory.InvalidData);
    public static readonly KdcHaError MonitorStatusUnreadable = new(nameof(MonitorStatusUnreadable), ErrorCategory.PermissionDenied);
    public static readonly KdcHaError AgentCheckUnavailable = new(nameof(AgentCheckUnavailable), ErrorCategory.ResourceUnavailable);
    public static readonly KdcHaError MetricsUnavailable = new(nameof(MetricsUnavailable), ErrorCategory.ResourceUnavailable);

    // The notification cmdlets, and Start-KdcHaMonitor -NotificationChannel.
    public static readonly KdcHaError NotificationConfigurationNotFound = new(nameof(NotificationConfigurationNotFound), ErrorCategory.ObjectNotFound);
    public static readonly KdcHaError NotificationConfigurationInvalid = new(nameof(NotificationConfigurationInvalid), ErrorCategory.InvalidData);
    public static readonly KdcHaError NotificationConfigurationUnreadable = new(nameof(NotificationConfigurationUnreadable), ErrorCategory.PermissionDenied);
    public static readonly KdcHaError NotificationConfigurationUnwritable = new(nameof(NotificationConfigurationUnwritable), ErrorCategory.WriteError);
    public static readonly KdcHaError ChannelNotFound = new(nameof(ChannelNotFound), ErrorCategory.ObjectNotFound);
    public static readonly KdcHaError ChannelNameConflict = new(nameof(ChannelNameConflict), ErrorCategory.InvalidArgument);
    public static readonly KdcHaError ChannelDefinitionInvalid = new(nameof(ChannelDefinitionInvalid), ErrorCategory.InvalidArgument);
    public static readonly KdcHaError ChannelExists = new(nameof(ChannelExists), ErrorCategory.ResourceExists);
    public static readonly KdcHaError SessionSecretNotPersistable = new(nameof(SessionSecretNotPersistable), ErrorCategory.InvalidArgument);
    public static readonly KdcHaError SecretUnavailable = new(nameof(SecretUnavailable), ErrorCategory.ObjectNotFound);
    public static readonly KdcHaError SpoolUnavailable = new(nameof(SpoolUnavailable), ErrorCategory.WriteError);
    public static readonly KdcHaError SpoolChannelUnknown = new(nameof(SpoolChannelUnknown), ErrorCategory.ObjectNotFound);
    public static readonly KdcHaError NotificationPending = new(nameof(NotificationPending), ErrorCategory.OperationTimeout);
    public static readonly KdcHaError NotificationRejected = new(nameof(NotificationRejected), ErrorCategory.InvalidResult);

    /// <summary>The ErrorId each engine exception type becomes, for the module test that keeps the mapping one-to-one.</summary>
    public static IReadOnlyDictionary<Type, KdcHaError> ByEngineException
    {
        get
        {
            var ids = new Dictionary<Type, KdcHaError>();
            foreach (var (type, failure) in EngineFailures.ByType)
            {
                ids.Add(type, failure.Error);
            }

            return ids;
        }
    }

    public static ErrorRecord For(Exception exception, KdcHaError error, object? target) => new(exception, error.Id, error.Category, target);

    /// <summary>
    /// The engine failure's ErrorRecord; <paramref name="unlisted"/> is the cmdlet's own id for an engine exception
    /// the table does not list (for Get-VrrpState, a state source that failed in a way of its own).
    /// </summary>
    public static ErrorRecord For(KdcHaException exception, object? target, KdcHaError unlisted) =>
        EngineFailures.ByType.TryGetValue(exception.GetType(), out var failure)
            ? For(exception, failure.Error, failure.Target?.Invoke(exception) ?? target)
            : For(exception, unlisted, target);

    private sealed record EngineFailure(KdcHaError Error, Func<Exception, object>? Target = null);

    // Apart from the ids, so that a type listed twice fails where the table is read, not every catalogue lookup.
    private static class EngineFailures
    {
        /// <summary>
        /// Each engine failure once, by exception type (Add throws on a type listed twice). An exception that names
        /// its own object (an interface, an instance, an address, a secret reference) makes it the error's target.
        /// </summary>
        public static readonly Dictionary<Type, EngineFailure> ByType = new()
        {
            { typeof(VrrpInterfaceNotFoundException), new(InterfaceNotFound, e => ((VrrpInterfaceNotFoundException)e).InterfaceName) },
            { typeof(InterfaceNotFoundException), new(InterfaceNotFound, e => ((InterfaceNotFoundException)e).InterfaceName) },
            { typeof(VrrpPermissionException), new(PermissionDenied) },
            { typeof(InsufficientPrivilegeException), new(PermissionDenied) },
            { typeof(VrrpInstanceNotFoundException), new(InstanceNotFound, e => ((VrrpInstanceNotFoundException)e).Instance) },
            { typeof(VrrpInstanceRequiredException), new(InstanceRequired, e => ((VrrpInstanceRequiredException)e).ConfigPath) },
            { typeof(KeytabNotFoundException), new(KeytabNotFound) },
            { typeof(KeytabUnreadableException), new(KeytabUnreadable) },
            { typeof(KeytabFormatException), new(KeytabInvalid) },
            { typeof(PrincipalNotInKeytabException), new(PrincipalNotInKeytab, e => ((PrincipalNotInKeytabException)e).Principal) },
            { typeof(RealmRequiredException), new(RealmRequired, e => ((RealmRequiredException)e).Kdc) },
            { typeof(KdcNotFoundException), new(KdcNotFound, e => ((KdcNotFoundException)e).Realm) },
            { typeof(KeepalivedNotRunningException), new(KeepalivedNotRunning) },
            { typeof(PidFileStaleException), new(PidFileStale) },
            { typeof(KeepalivedDumpFormatException), new(DumpInvalid) },
            { typeof(VrrpSourceUnavailableException), new(SourceUnavailable) },
            { typeof(KeepalivedConfigException), new(KeepalivedConfigInvalid) },
            { typeof(MaintenanceTrackException), new(MaintenanceTrackNotConfigured) },
            { typeof(NotVipHolderException), new(NotVipHolder) },
            { typeof(SwitchoverTimeoutException), new(SwitchoverTimeout) },
            { typeof(AddressInUseException), new(AddressInUse, e => ((AddressInUseException)e).Address) },
            { typeof(NetlinkException), new(NetlinkError) },
            { typeof(AgentCheckListenException), new(AgentCheckUnavailable, e => ((AgentCheckListenException)e).Address) },
            { typeof(MetricsListenException), new(MetricsUnavailable, e => ((MetricsListenException)e).Address) },
            { typeof(LinkLayerException), new(LinkLayerError) },
            { typeof(NotificationSecretException), new(SecretUnavailable, e => ((NotificationSecretException)e).Reference) },
        };
    }
}
