package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/communes/kiosk/maintenance"
	"github.com/communes/kiosk/service"
)

// windowNow returns a maintenance window open now (local time).
func windowNow(t *testing.T) maintenance.Window {
	t.Helper()
	now := time.Now()
	w, err := maintenance.ParseWindow(now.Add(-time.Hour).Format("15:04") + "-" + now.Add(time.Hour).Format("15:04"))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestService_MaintenanceReboot(t *testing.T) {
	dir := t.TempDir()
	al := filepath.Join(dir, "allowlist.yaml")
	writeFile(t, al, listA)
	c := newConfig(t, al)
	c.MaintenanceWindow = windowNow(t)
	c.RebootRequired = filepath.Join(dir, "reboot-required")
	c.MaintenanceEvery = 20 * time.Millisecond
	c.WatchBinaries = []string{}
	rebooted := make(chan struct{}, 1)
	c.Reboot = func(context.Context) error {
		select {
		case rebooted <- struct{}{}:
		default:
		}
		return nil
	}
	s, err := service.New(c)
	if err != nil {
		t.Fatal(err)
	}
	start(t, s)
	writeFile(t, c.RebootRequired, "*** System restart required ***\n")
	select {
	case <-rebooted:
	case <-time.After(30 * time.Second):
		t.Fatalf("no reboot within 30 s; status %+v", s.Maintenance())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := apiGet(t, ctx, s, c.DataDir, "/api/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		State       string `json:"state"`
		Maintenance bool   `json:"maintenance"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	if st.State != "welcome" || !st.Maintenance {
		t.Errorf("state after the reboot request = %+v, want welcome with maintenance", st)
	}
	if got := s.Maintenance(); got.Need != maintenance.NeedReboot || got.Phase != maintenance.PhaseActing {
		t.Errorf("Maintenance() = %+v, want reboot, acting", got)
	}
}

func TestService_MaintenanceRestart(t *testing.T) {
	dir := t.TempDir()
	al := filepath.Join(dir, "allowlist.yaml")
	writeFile(t, al, listA)
	bin := filepath.Join(dir, "kiosk-browser")
	writeFile(t, bin, "v1")
	c := newConfig(t, al)
	c.MaintenanceWindow = windowNow(t)
	c.RebootRequired = filepath.Join(dir, "reboot-required")
	c.MaintenanceEvery = 20 * time.Millisecond
	c.WatchBinaries = []string{bin}
	c.Reboot = func(context.Context) error { return errors.New("no reboot expected") }
	s, err := service.New(c)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(context.Background()) }()
	writeFile(t, bin+".new", "v2")
	if err := os.Rename(bin+".new", bin); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, service.ErrRestart) {
			t.Errorf("Run = %v, want ErrRestart", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("Run still running 30 s after the binary changed; status %+v", s.Maintenance())
	}
}
