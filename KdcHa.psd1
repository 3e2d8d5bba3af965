@{
    RootModule           = 'KdcHa.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = 'c3e8d9f8-24af-4b6b-bf13-cd83b82960c1'
    Author               = 'KdcHa contributors'
    CompanyName          = 'KdcHa'
    Copyright            = '(c) KdcHa contributors. MIT License.'
    Description          = 'Keeps a Kerberos KDC service highly available behind a keepalived VRRP virtual IP: managed Kerberos health probes, VRRP state, controlled switchover, a sub-second failover monitor and alerting.'
    PowerShellVersion    = '7.6'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('KdcHa.format.ps1xml')
    TypesToProcess       = @('KdcHa.types.ps1xml')
    CmdletsToExport      = @(
        'Get-VrrpState'
        'Test-KdcHealth'
        'Start-KdcHaMonitor'
        'Get-KdcHaMonitor'
        'Get-KdcHaStatus'
        'New-KdcHaKeepalivedConfig'
        'New-KdcHaHaproxyConfig'
        'Send-KdcHaNotification'
        'New-KdcHaNotificationChannel'
        'Test-KdcHaNotificationChannel'
        'Move-KdcVip'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Kerberos', 'KDC', 'keepalived', 'VRRP', 'HighAvailability', 'Failover', 'Linux', 'PSEdition_Core')
            ProjectUri   = 'https://github.com/kdcha/KdcHa'
            LicenseUri   = 'https://github.com/kdcha/KdcHa/blob/main/LICENSE'
            ReleaseNotes = 'Test-KdcHealth: managed Kerberos AS exchange health probe (Reachable and Authenticated levels, UDP/TCP, strict deadlines). Get-VrrpState: keepalived VRRP state (JSON/data dumps, interfaces, wire) with split-brain detection.'
        }
    }
}
