package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStatusCmd(t *testing.T) {
	dir := t.TempDir()
	reboot := filepath.Join(dir, "reboot-required")
	log := filepath.Join(dir, "unattended-upgrades.log")
	if err := os.WriteFile(reboot, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-8 * 24 * time.Hour)
	if err := os.Chtimes(reboot, old, old); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(log, []byte("2026-12-07 06:31:02,000 INFO Starting unattended upgrades script\n"+
		"2026-12-07 06:31:05,000 INFO Packages that will be upgraded: libwebkit2gtk-4.0-37\n"+
		"2026-12-07 06:32:40,500 INFO All upgrades installed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := runStatus([]string{"--reboot-required", reboot, "--unattended-log", log}, &out, &errb); code != 0 {
		t.Fatalf("kiosk status = %d: %s", code, errb.String())
	}
	for _, want := range []string{
		"Dernière mise à jour automatique : 07/12/2026 06:31 : installée [libwebkit2gtk-4.0-37]",
		"Redémarrage en attente : redémarrage de la borne depuis le " + old.Format("02/01/2006 15:04") + " (PLUS DE 7 JOURS)",
		"Version du kiosque : ",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("kiosk status lacks %q:\n%s", want, out.String())
		}
	}
	os.Remove(reboot)
	out.Reset()
	runStatus([]string{"--reboot-required", reboot, "--unattended-log", log}, &out, &errb)
	if !strings.Contains(out.String(), "Redémarrage en attente : aucun") {
		t.Errorf("without the file, kiosk status says:\n%s", out.String())
	}
}
