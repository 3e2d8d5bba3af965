namespace KdcHa.Common.DBus;

/// <summary>A DBus variant: one value with the signature of its single complete type.</summary>
public sealed class DBusVariant
{
    public DBusVariant(string signature, object value)
    {
        Signature = signature;
        Value = value;
    }

    public string Signature { get; }

    public object Value { get; }

    public override string ToString() => $"<{Signature}> {Value}";
}
