namespace KdcHa.Vip;

/// <summary>The two rtnetlink address requests Direct mode sends.</summary>
public enum NetlinkAddressOperation
{
    Add,
    Remove,
}
