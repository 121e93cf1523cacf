// Package maintenance restarts or reboots the terminal for updates without
// interrupting a resident: only inside a maintenance window, only when the
// terminal is idle in the welcome state, after draining it (new sessions are
// refused with the maintenance screen). It is pure Go; the clock, the
// terminal and the actions (restart, reboot) are injected.
package maintenance
