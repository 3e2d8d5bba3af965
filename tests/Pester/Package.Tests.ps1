# The Package task's .nupkg installs from a local folder repository, as admins without the Gallery install it.
BeforeAll {
    $repositoryRoot = Resolve-Path "$PSScriptRoot/../.."
    $manifest = Import-PowerShellDataFile -LiteralPath $env:KDCHA_MODULE_PATH
    $installRoot = Join-Path ([IO.Path]::GetTempPath()) "kdcha-install-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    $repositoryName = "KdcHaPackageTest$PID"
}

AfterAll {
    Unregister-PSResourceRepository -Name $repositoryName -ErrorAction Ignore
    Remove-Item -LiteralPath $installRoot -Recurse -Force -ErrorAction Ignore
}

Describe 'build.ps1 Package' {
    It 'writes a nupkg that Save-PSResource installs and that imports and runs' {
        & dotnet pwsh -NoProfile -NonInteractive -File "$repositoryRoot/build.ps1" Package | Out-Null
        $LASTEXITCODE | Should -Be 0
        $package = Join-Path $repositoryRoot "out/repository/KdcHa.$($manifest.ModuleVersion).nupkg"
        $package | Should -Exist

        Register-PSResourceRepository -Name $repositoryName -Uri (Split-Path $package) -Trusted
        New-Item -ItemType Directory -Path $installRoot | Out-Null
        Save-PSResource -Name KdcHa -Repository $repositoryName -Path $installRoot -TrustRepository

        $installed = Join-Path $installRoot "KdcHa/$($manifest.ModuleVersion)/KdcHa.psd1"
        $installed | Should -Exist
        Join-Path $installRoot "KdcHa/$($manifest.ModuleVersion)/en-US/KdcHa.dll-Help.xml" | Should -Exist
        Join-Path $installRoot "KdcHa/$($manifest.ModuleVersion)/KdcHa.dsc.resource.json" | Should -Exist
        Join-Path $installRoot "KdcHa/$($manifest.ModuleVersion)/KdcHa.dsc.ps1" | Should -Exist
        $synopsis = & dotnet pwsh -NoProfile -NonInteractive -Command "Import-Module '$installed' -ErrorAction Stop; (Get-Help Test-KdcHealth).Synopsis"
        $LASTEXITCODE | Should -Be 0
        $synopsis | Should -Match 'KDC'
    }
}
