using System;
using System.IO;
using System.Management.Automation;
using System.Threading;
using KdcHa.Common;
using KdcHa.Kerberos.Keytab;
using KeytabFile = KdcHa.Kerberos.Keytab.Keytab;

namespace KdcHa;

/// <summary>
/// Base of every KdcHa cmdlet: owns the cancellation that Ctrl+C (StopProcessing) triggers, so engine calls made
/// on the pipeline thread return promptly when the user stops the command.
/// </summary>
public abstract class KdcHaCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    protected CancellationToken CancellationToken => _stopping.Token;

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>PowerShell disposes a cmdlet even when the pipeline fails or is stopped, unlike EndProcessing.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stopping.Dispose();
        }
    }

    protected internal ErrorRecord NewError(Exception exception, string errorId, ErrorCategory category, object? target) =>
        new(exception, errorId, category, target);

    protected KeytabFile LoadKeytab(string keytabPath)
    {
        var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(keytabPath);
        try
        {
            var keytab = KeytabFile.Load(path);
            if (FilePermissions.IsWorldReadable(path))
            {
                WriteWarning($"The keytab {path} is readable by every user on this host; anyone can impersonate its principals. Run: chmod 600 {path}");
            }

            return keytab;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            ThrowTerminatingError(NewError(new FileNotFoundException($"The keytab {path} does not exist.", path, e), "KeytabNotFound", ErrorCategory.ObjectNotFound, keytabPath));
        }
        catch (UnauthorizedAccessException e)
        {
            ThrowTerminatingError(NewError(new UnauthorizedAccessException($"The keytab {path} cannot be read: {e.Message}", e), "KeytabUnreadable", ErrorCategory.PermissionDenied, keytabPath));
        }
        catch (IOException e)
        {
            ThrowTerminatingError(NewError(new IOException($"The keytab {path} cannot be read: {e.Message}", e), "KeytabUnreadable", ErrorCategory.ReadError, keytabPath));
        }
        catch (KeytabFormatException e)
        {
            ThrowTerminatingError(NewError(e, "KeytabInvalid", ErrorCategory.InvalidData, keytabPath));
        }

        throw new InvalidOperationException("unreachable: ThrowTerminatingError always throws");
    }

    protected static string NameOf(string principal)
    {
        var at = principal.LastIndexOf('@');
        return at < 0 ? principal : principal.Substring(0, at);
    }

    protected static string? RealmOf(string? principal)
    {
        var at = principal?.LastIndexOf('@') ?? -1;
        return at < 0 || at == principal!.Length - 1 ? null : principal.Substring(at + 1);
    }
}
