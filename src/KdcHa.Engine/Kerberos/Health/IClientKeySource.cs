using System.Collections.Generic;
using System.Threading.Tasks;

namespace KdcHa.Kerberos.Health;

/// <summary>Where the client's long-term key comes from: a keytab or a password.</summary>
public interface IClientKeySource
{
    /// <summary>
    /// The encryption types this source can produce a key for, in preference order. The AS-REQ lists exactly these,
    /// because the KDC answers with the first listed type the principal has a key for.
    /// </summary>
    IReadOnlyList<int> EncryptionTypes { get; }

    /// <summary>
    /// The key for one encryption type, derived with the salt and parameters the KDC announced. A key that must be
    /// computed completes later, off the caller's thread, so that the probe's deadline can end the wait.
    /// </summary>
    /// <exception cref="KerberosProtocolException">The KDC's parameters are malformed or beyond what any KDC sends.</exception>
    Task<ClientKey?> GetKeyAsync(int encryptionType, string salt, byte[]? stringToKeyParameters);
}
