<#
.SYNOPSIS
  Windows Firewall rules equivalent to the nftables table inet kiosk: the
  account that runs the shell (kiosk-session) may not reach the network;
  the kiosk service (LocalSystem) and the rest of the machine are unchanged.

.DESCRIPTION
  Block rules win over allow rules in Windows Firewall, so the rule blocks
  every remote address except loopback. Loopback traffic is not filtered by
  Windows Firewall at all: the proxy and the local API listen on 127.0.0.1
  only, so that is where the shell can go. Run it again to update the rule.
  -Remove deletes the rules (what uninstall.ps1 does).
#>
[CmdletBinding()]
param(
  [string]$SessionUser = 'kiosk-session',
  [switch]$Remove
)
$ErrorActionPreference = 'Stop'
$group = 'kiosk'
Get-NetFirewallRule -Group $group -ErrorAction SilentlyContinue | Remove-NetFirewallRule
if ($Remove) { Write-Host 'kiosk firewall rules removed.'; return }

$sid = (Get-LocalUser -Name $SessionUser).SID.Value
$sddl = "D:(A;;CC;;;$sid)"
# Every IPv4 and IPv6 address but the loopback ones (127.0.0.0/8, ::1).
$remote = @('0.0.0.0-126.255.255.255', '128.0.0.0-255.255.255.255',
            '::-::0', '::2-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')
New-NetFirewallRule -Group $group -DisplayName "kiosk: $SessionUser may not reach the network" `
  -Direction Outbound -Action Block -LocalUser $sddl -RemoteAddress $remote -Profile Any | Out-Null
Write-Host "kiosk firewall rule installed for $SessionUser ($sid)."
Write-Host 'Check it: docs/windows.md, "Checks after installation".'
