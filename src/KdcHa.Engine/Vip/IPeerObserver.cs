namespace KdcHa.Vip;

/// <summary>
/// Opens a listener for the advertisements of a virtual router. The switchover opens it before it demotes the node,
/// so the new master's first advertisement cannot be missed.
/// </summary>
public interface IPeerObserver
{
    IPeerListener Listen(string interfaceName, int virtualRouterId);
}
