using System;
using System.Linq.Expressions;
using System.Reflection;

namespace KdcHa;

/// <summary>
/// Turns SIGTERM (systemd stopping the service) into a clean stop instead of process exit. .NET's default answer to
/// SIGTERM ends the process once ProcessExit handlers return, which would cut the monitor off mid-round; cancelling
/// the signal lets the cmdlet finish, leave its track files safe and let pwsh exit 0. PosixSignalRegistration exists
/// from .NET 6 on and a netstandard2.0 assembly cannot name it, so it is bound at run time.
/// </summary>
internal sealed class TerminationSignal : IDisposable
{
    private const int SigTerm = -4; // PosixSignal.SIGTERM

    private readonly IDisposable? _registration;

    private TerminationSignal(IDisposable? registration)
    {
        _registration = registration;
    }

    /// <summary>Calls <paramref name="onTerminate"/> (on a signal thread) when SIGTERM arrives; a no-op where unsupported.</summary>
    public static TerminationSignal Register(Action onTerminate)
    {
        var registrationType = Type.GetType("System.Runtime.InteropServices.PosixSignalRegistration, System.Runtime.InteropServices");
        var contextType = Type.GetType("System.Runtime.InteropServices.PosixSignalContext, System.Runtime.InteropServices");
        var signalType = Type.GetType("System.Runtime.InteropServices.PosixSignal, System.Runtime.InteropServices");
        var create = registrationType?.GetMethod("Create", BindingFlags.Public | BindingFlags.Static);
        if (create is null || contextType is null || signalType is null)
        {
            return new TerminationSignal(null);
        }

        // context => { context.Cancel = true; onTerminate(); }
        var context = Expression.Parameter(contextType, "context");
        var handler = Expression.Lambda(
            typeof(Action<>).MakeGenericType(contextType),
            Expression.Block(
                Expression.Assign(Expression.Property(context, "Cancel"), Expression.Constant(true)),
                Expression.Invoke(Expression.Constant(onTerminate))),
            context).Compile();
        var registration = (IDisposable)create.Invoke(null, new[] { Enum.ToObject(signalType, SigTerm), handler })!;
        return new TerminationSignal(registration);
    }

    public void Dispose() => _registration?.Dispose();
}
