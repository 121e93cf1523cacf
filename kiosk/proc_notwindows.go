//go:build !windows

package kiosk

import (
	"errors"
	"os/exec"
	"syscall"
	"time"
)

// setProcessGroup puts the browser process in a new process group, so that
// WebKit's own processes can be killed with it.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	setDeathSignal(cmd.SysProcAttr)
}

// killProcessGroup kills the process group pgid and waits (up to 2 s) until
// none of its processes is left running, so that nothing writes into the
// profile while it is removed.
func killProcessGroup(pgid int) {
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		if !groupAlive(pgid) {
			return
		}
		time.Sleep(10 * time.Millisecond) // no event tells when orphans die
	}
}

// groupAlive reports whether a process of group pgid is still running
// (zombies do not count).
func groupAlive(pgid int) bool {
	err := syscall.Kill(-pgid, 0)
	if errors.Is(err, syscall.ESRCH) {
		return false
	}
	return liveMembers(pgid)
}
