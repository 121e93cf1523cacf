package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
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
	// No service on this address: said so, the rest still printed.
	down := []string{"--admin", "http://127.0.0.1:1", "--data", dir}
	if code := runStatus(append([]string{"--reboot-required", reboot, "--unattended-log", log}, down...), &out, &errb); code != 0 {
		t.Fatalf("kiosk status = %d: %s", code, errb.String())
	}
	for _, want := range []string{
		"Dernière mise à jour automatique : 07/12/2026 06:31 : installée [libwebkit2gtk-4.0-37]",
		"Redémarrage en attente : redémarrage de la borne depuis le " + old.Format("02/01/2006 15:04") + " (PLUS DE 7 JOURS)",
		"Version du kiosque : ",
		"Borne : SERVICE INJOIGNABLE",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("kiosk status lacks %q:\n%s", want, out.String())
		}
	}
	os.Remove(reboot)
	out.Reset()
	runStatus(append([]string{"--reboot-required", reboot, "--unattended-log", log}, down...), &out, &errb)
	if !strings.Contains(out.String(), "Redémarrage en attente : aucun") {
		t.Errorf("without the file, kiosk status says:\n%s", out.String())
	}
}

// kiosk status says why the terminal is out of order, from the service's
// local API with its token, as the admin page does.
func TestStatusCmd_OutOfOrder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "api.token"), []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/state" || r.Header.Get("Authorization") != "Bearer s3cret" {
			http.Error(w, `{"error":"no","code":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"version":3,"state":"out_of_order","error":"Le navigateur ne démarre plus depuis la mise à jour du 07/12/2026 à 06:31 (libwebkit2gtk-4.0-37)"}`))
	}))
	defer srv.Close()
	var out, errb bytes.Buffer
	if code := runStatus([]string{"--admin", srv.URL, "--data", dir, "--reboot-required", filepath.Join(dir, "none"), "--unattended-log", filepath.Join(dir, "none.log")}, &out, &errb); code != 0 {
		t.Fatalf("kiosk status = %d: %s", code, errb.String())
	}
	want := "Borne : HORS SERVICE : Le navigateur ne démarre plus depuis la mise à jour du 07/12/2026 à 06:31 (libwebkit2gtk-4.0-37)"
	if !strings.Contains(out.String(), want) {
		t.Errorf("kiosk status:\n%s\nwant the line %q", out.String(), want)
	}
}
