using System;

namespace KdcHa.Common;

/// <summary>
/// Base of every exception the engine throws on purpose, so the cmdlet layer can map engine failures to
/// ErrorRecords with a stable ErrorId while letting genuine bugs surface as themselves.
/// </summary>
public class KdcHaException : Exception
{
    public KdcHaException(string message)
        : base(message)
    {
    }

    public KdcHaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
