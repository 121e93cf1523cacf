package main

import "os"

// packagedUnit returns the path of kiosk.service when the Debian package
// installed it, or "".
func packagedUnit() string {
	for _, p := range []string{"/lib/systemd/system/kiosk.service", "/usr/lib/systemd/system/kiosk.service"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}
