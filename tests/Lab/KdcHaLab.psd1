@{
    RootModule        = 'KdcHaLab.psm1'
    ModuleVersion     = '0.1.0'
    GUID              = '6b1f7e0c-3d2a-4f4e-9a57-2c0f1d7b9e41'
    Author            = 'KdcHa'
    Description       = 'Test lab for KdcHa: real MIT KDCs and keepalived in Linux network namespaces, with fault injection and observation.'
    PowerShellVersion = '7.4'
    FunctionsToExport = @(
        'Initialize-KdcHaLabHost', 'Invoke-KdcHaLabHostCommand', 'Start-KdcHaLabHostProcess', 'Stop-KdcHaLabHostProcess',
        'New-KdcHaLab', 'Remove-KdcHaLab', 'Get-KdcHaLabProcess', 'Invoke-KdcHaLabCommand', 'Invoke-KdcHaLabKadmin',
        'Invoke-KdcHaLabKinit', 'New-KdcHaLabKrb5Conf', 'Start-KdcHaLabKdc', 'Stop-KdcHaLabKdc', 'Suspend-KdcHaLabKdc',
        'Resume-KdcHaLabKdc', 'Restart-KdcHaLabKdc', 'Set-KdcHaLabCpuQuota', 'Start-KdcHaLabDns', 'New-KdcHaLabActiveActive', 'Restore-KdcHaLabActiveActive', 'Suspend-KdcHaLabDns', 'Test-KdcHaLabNetemSupport', 'Set-KdcHaLabNetem', 'Clear-KdcHaLabNetem',
        'Set-KdcHaLabPartition', 'Clear-KdcHaLabPartition', 'Get-KdcHaLabLinkLocalAddress', 'Get-KdcHaLabHealthCommand', 'New-KdcHaLabKeepalivedConfig',
        'Start-KdcHaLabKeepalived', 'Stop-KdcHaLabKeepalived', 'Start-KdcHaLabDBus', 'Get-KdcHaLabVipHolder', 'Wait-KdcHaLabVip',
        'Start-KdcHaLabVipWatcher', 'Get-KdcHaLabVipTransition', 'Stop-KdcHaLabVipWatcher',
        'Start-KdcHaLabClientLoad', 'Get-KdcHaLabClientLoadRecord', 'Stop-KdcHaLabClientLoad', 'Get-KdcHaLabMonotonicMs',
        'Get-KdcHaLabMonitorStateDirectory', 'New-KdcHaLabMonitorKeepalivedConfig', 'Start-KdcHaLabMonitor', 'Wait-KdcHaLabMonitor',
        'Get-KdcHaLabMonitorEvent', 'Stop-KdcHaLabMonitor',
        'New-KdcHaLabMonitoredPair', 'Restore-KdcHaLabMonitoredPair', 'Wait-KdcHaLabVipMove', 'Measure-KdcHaLabFailover', 'Measure-KdcHaLabFault', 'New-KdcHaLabMaintenanceKeepalivedConfig', 'Invoke-KdcHaLabPwsh',
        'Start-KdcHaLabHaproxy', 'Stop-KdcHaLabHaproxy', 'Invoke-KdcHaLabHaproxyCommand', 'Get-KdcHaLabHaproxyServer', 'Wait-KdcHaLabHaproxyServer',
        'Get-KdcHaLabDirectory', 'Start-KdcHaLabDirectory', 'Stop-KdcHaLabDirectory', 'Suspend-KdcHaLabDirectory', 'Resume-KdcHaLabDirectory',
        'Wait-KdcHaLabDirectoryEntry', 'Start-KdcHaLabSambaDc', 'Stop-KdcHaLabSambaDc', 'Suspend-KdcHaLabSambaDc', 'Resume-KdcHaLabSambaDc',
        'Invoke-KdcHaLabSambaTool', 'Get-KdcHaLabSambaAuthEvent'
    )
    CmdletsToExport   = @()
    VariablesToExport = @()
    AliasesToExport   = @()
}
