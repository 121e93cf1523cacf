package kiosk

import (
	"log/slog"
	"os"
	"os/exec"
)

// checkUSB tells IT at the shell's start what --usb lacks (Linux): clamd's
// socket (without it nothing from a key is offered) and heif-convert
// (without it a phone's HEIC photo cannot be attached). Not a reason to
// refuse residents: the documents overlay says what is unavailable.
func checkUSB(conf *Config, l *slog.Logger) {
	if !conf.USB {
		return
	}
	if conf.ClamdSocket == "" {
		l.Error("--usb without --clamd-socket: nothing from a USB key will be offered")
	} else if fi, err := os.Stat(conf.ClamdSocket); err != nil || fi.Mode()&os.ModeSocket == 0 {
		l.Error("--usb: clamd's socket is missing (apt-get install clamav-daemon; systemctl status clamav-daemon): nothing from a USB key will be offered until it answers",
			"socket", conf.ClamdSocket, "err", err)
	}
	if _, err := exec.LookPath("heif-convert"); err != nil {
		l.Warn("--usb: heif-convert is missing (apt-get install libheif-examples): HEIC photos cannot be attached", "err", err)
	}
}
