<#
.SYNOPSIS
  Removes what install.ps1 did, except the kiosk-session account and the
  data in %ProgramData%\kiosk (delete them by hand if wanted).
#>
[CmdletBinding()]
param(
  [string]$InstallDir = "$env:ProgramFiles\kiosk",
  [string]$SessionUser = 'kiosk-session'
)
$ErrorActionPreference = 'Stop'
Unregister-ScheduledTask -TaskName 'kiosk-shell' -Confirm:$false -ErrorAction SilentlyContinue
if (Test-Path "$InstallDir\kiosk.exe") {
  & "$InstallDir\kiosk.exe" service stop | Out-Null
  & "$InstallDir\kiosk.exe" service uninstall
}
& "$PSScriptRoot\firewall.ps1" -Remove
Remove-Item -Recurse -Force $InstallDir -ErrorAction SilentlyContinue
Write-Host "Removed. Kept: the $SessionUser account and $env:ProgramData\kiosk."
