<#
.SYNOPSIS
  Installs the kiosk on a Windows 10/11 PC: the service, the kiosk-session
  account, the shell at its logon, and the firewall rules. See docs/windows.md.

.DESCRIPTION
  Run in an elevated PowerShell from the folder made by `make windows`
  (kiosk.exe, kiosk-shell.exe, kiosk-browser.exe, allowlist.yaml, these scripts). Running it a
  second time is harmless: it updates the binaries and keeps the settings.

.PARAMETER ServeArgs
  Flags of `kiosk serve`, stored in the service, e.g.
  @('--upstream-proxy','http://proxy.mairie.example:3128')
#>
[CmdletBinding()]
param(
  [string]$InstallDir = "$env:ProgramFiles\kiosk",
  [string]$SessionUser = 'kiosk-session',
  [string[]]$ServeArgs = @(),
  [int]$ProxyPort = 3128,
  [int]$AdminPort = 8080
)
$ErrorActionPreference = 'Stop'

$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
  throw 'Run this script in an elevated PowerShell (Run as administrator).'
}

# 1. Binaries.
New-Item -ItemType Directory -Force -Path $InstallDir | Out-Null
if (Get-Service -Name kiosk -ErrorAction SilentlyContinue) { & "$InstallDir\kiosk.exe" service stop | Out-Null }
Copy-Item -Force "$PSScriptRoot\kiosk.exe", "$PSScriptRoot\kiosk-shell.exe", "$PSScriptRoot\kiosk-browser.exe" $InstallDir

# 2. Data and settings: %ProgramData%\kiosk (allowlist kept if present).
$data = Join-Path $env:ProgramData 'kiosk'
New-Item -ItemType Directory -Force -Path $data | Out-Null
if (-not (Test-Path "$data\allowlist.yaml")) { Copy-Item "$PSScriptRoot\allowlist.yaml" "$data\allowlist.yaml" }

# 3. The account that runs the shell: a standard local user, no admin rights.
if (-not (Get-LocalUser -Name $SessionUser -ErrorAction SilentlyContinue)) {
  $pw = Read-Host -AsSecureString "Password for the local account $SessionUser (used by automatic logon)"
  New-LocalUser -Name $SessionUser -Password $pw -FullName 'Kiosk session' -PasswordNeverExpires -UserMayNotChangePassword | Out-Null
  Add-LocalGroupMember -Group (Get-LocalGroup -SID 'S-1-5-32-545').Name -Member $SessionUser
}
$sid = (Get-LocalUser -Name $SessionUser).SID.Value

# The session user may read the data folder (API token) and write session
# profiles; the rest is SYSTEM's and the administrators'.
icacls $data /inheritance:r /grant:r '*S-1-5-18:(OI)(CI)F' '*S-1-5-32-544:(OI)(CI)F' "*${sid}:(OI)(CI)RX" | Out-Null
New-Item -ItemType Directory -Force -Path "$data\profiles" | Out-Null
icacls "$data\profiles" /grant:r "*${sid}:(OI)(CI)M" | Out-Null

# 4. The service (LocalSystem, automatic start, restart on failure, Event Log).
& "$InstallDir\kiosk.exe" service install @ServeArgs
if ($LASTEXITCODE -ne 0) { throw "kiosk service install failed ($LASTEXITCODE)" }
& "$InstallDir\kiosk.exe" service start
& "$InstallDir\kiosk.exe" service status

# 5. Firewall: the session user reaches nothing but loopback (Windows does
# not filter loopback; the proxy and API listen there only).
& "$PSScriptRoot\firewall.ps1" -SessionUser $SessionUser

# 6. The shell at the session user's logon (a scheduled task; Shell Launcher
# is the stricter choice on Enterprise/Education, see docs/windows.md).
$shellArgs = "shell --proxy 127.0.0.1:$ProxyPort --admin http://127.0.0.1:$AdminPort --data `"$data`""
$action = New-ScheduledTaskAction -Execute "$InstallDir\kiosk-shell.exe" -Argument $shellArgs
$trigger = New-ScheduledTaskTrigger -AtLogOn -User $SessionUser
$settings = New-ScheduledTaskSettingsSet -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries `
  -ExecutionTimeLimit ([TimeSpan]::Zero) -RestartCount 999 -RestartInterval (New-TimeSpan -Minutes 1)
$taskPrincipal = New-ScheduledTaskPrincipal -UserId $SessionUser -LogonType Interactive -RunLevel Limited
Register-ScheduledTask -TaskName 'kiosk-shell' -Action $action -Trigger $trigger -Settings $settings `
  -Principal $taskPrincipal -Force | Out-Null

Write-Host "Installed. Next: automatic logon of $SessionUser and the lockdown policies (docs/windows.md)."
