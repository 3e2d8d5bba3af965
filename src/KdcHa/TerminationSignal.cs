using System;
using System.Runtime.InteropServices;

namespace KdcHa;

/// <summary>
/// Turns SIGTERM (systemd stopping the service) into a clean stop instead of process exit. .NET's default answer to
/// SIGTERM ends the process once ProcessExit handlers return, which would cut the monitor off mid-round; cancelling
/// the signal lets the cmdlet finish, leave its track files safe and let pwsh exit 0.
/// </summary>
internal sealed class TerminationSignal : IDisposable
{
    private readonly PosixSignalRegistration _registration;

    private TerminationSignal(PosixSignalRegistration registration)
    {
        _registration = registration;
    }

    /// <summary>Calls <paramref name="onTerminate"/> (on a signal thread) when SIGTERM arrives.</summary>
    public static TerminationSignal Register(Action onTerminate) =>
        new(PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            onTerminate();
        }));

    public void Dispose() => _registration.Dispose();
}
