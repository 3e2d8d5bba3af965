namespace KdcHa.Vip;

/// <summary>
/// Receives progress from the engine's thread; the cmdlet queues it and writes it from the pipeline thread.
/// </summary>
public interface ISwitchoverProgress
{
    void Report(SwitchoverStage stage, string message);
}
