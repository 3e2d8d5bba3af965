using System.Collections.Generic;

namespace KdcHa.Kerberos.Health;

/// <summary>Where the client's long-term key comes from: a keytab or a password.</summary>
public interface IClientKeySource
{
    /// <summary>
    /// The encryption types this source can produce a key for, in preference order. The AS-REQ lists exactly these,
    /// because the KDC answers with the first listed type the principal has a key for.
    /// </summary>
    IReadOnlyList<int> EncryptionTypes { get; }

    /// <summary>The key for one encryption type, derived with the salt and parameters the KDC announced.</summary>
    ClientKey? GetKey(int encryptionType, string salt, byte[]? stringToKeyParameters);
}
