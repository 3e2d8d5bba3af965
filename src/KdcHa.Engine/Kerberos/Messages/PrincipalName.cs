using System;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.Linq;

namespace KdcHa.Kerberos.Messages;

/// <summary>
/// A Kerberos principal name without its realm. Equality compares components only (ordinal): the name type is a
/// hint, not part of the name (RFC 4120 §6.2).
/// </summary>
public sealed class PrincipalName : IEquatable<PrincipalName>
{
    public const int NtUnknown = 0;
    public const int NtPrincipal = 1;
    public const int NtServiceInstance = 2;

    private const string TicketGrantingService = "krbtgt";

    public PrincipalName(int nameType, IEnumerable<string> components)
    {
        if (components is null)
        {
            throw new ArgumentNullException(nameof(components));
        }

        var list = components.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("A principal name needs at least one component.", nameof(components));
        }

        if (list.Any(c => c is null))
        {
            throw new ArgumentException("Principal name components cannot be null.", nameof(components));
        }

        NameType = nameType;
        Components = list.AsReadOnly();
    }

    public int NameType { get; }

    public IReadOnlyList<string> Components { get; }

    /// <summary>
    /// Parses "bob" or "host/kdc1.example.com" (no realm, no escapes). krbtgt names get NT-SRV-INST, all others
    /// NT-PRINCIPAL, which is what a probe should send (canonicalization off, see RFC 6806).
    /// </summary>
    public static PrincipalName Parse(string name)
    {
        if (name is null)
        {
            throw new ArgumentNullException(nameof(name));
        }

        if (name.IndexOf('@') >= 0)
        {
            throw new ArgumentException($"'{name}' contains a realm; pass the realm separately.", nameof(name));
        }

        var components = name.Split('/');
        if (components.Any(c => c.Length == 0))
        {
            throw new ArgumentException($"'{name}' has an empty name component.", nameof(name));
        }

        var nameType = components[0] == TicketGrantingService ? NtServiceInstance : NtPrincipal;
        return new PrincipalName(nameType, components);
    }

    internal static PrincipalName TicketGrantingServiceName(string realm) =>
        new(NtServiceInstance, new[] { TicketGrantingService, realm });

    public override string ToString() => string.Join("/", Components);

    public bool Equals(PrincipalName? other) =>
        other is not null && Components.SequenceEqual(other.Components, StringComparer.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as PrincipalName);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());

    internal void WriteTo(AsnWriter writer)
    {
        using (writer.PushSequence())
        {
            writer.WriteExplicitInteger(0, NameType);
            using (writer.PushExplicit(1))
            using (writer.PushSequence())
            {
                foreach (var component in Components)
                {
                    writer.WriteKerberosString(component);
                }
            }
        }
    }

    internal static PrincipalName ReadFrom(AsnReader reader)
    {
        int? nameType = null;
        List<string>? components = null;
        reader.ReadSequence().ReadFields((tag, field) =>
        {
            switch (tag)
            {
                case 0:
                    nameType = field.ReadInt32Value();
                    return true;
                case 1:
                    components = field.ReadSequenceOf(KerberosAsnReader.MaxNameComponents, "name component", c => c.ReadKerberosString());
                    return true;
                default:
                    return false;
            }
        });

        var names = KerberosAsnReader.Required(components, "name-string");
        if (names.Count == 0)
        {
            throw new KerberosProtocolException("Principal name has no components.");
        }

        return new PrincipalName(KerberosAsnReader.RequiredValue(nameType, "name-type"), names);
    }
}
