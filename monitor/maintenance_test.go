package monitor_test

import (
	"testing"
	"time"

	"github.com/communes/kiosk/monitor"
)

func TestCollector_Maintenance(t *testing.T) {
	since := time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)
	col, err := monitor.New(&monitor.Config{
		Terminal: "Mairie",
		Maintenance: func() monitor.MaintenanceStatus {
			return monitor.MaintenanceStatus{Need: "reboot", PendingSince: since, Overdue: true}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := scrape(t, col)
	for series, want := range map[string]float64{
		`kiosk_maintenance_pending{need="reboot"}`:            1,
		`kiosk_maintenance_pending{need="restart"}`:           0,
		`kiosk_maintenance_pending_since_timestamp_seconds{}`: float64(since.Unix()),
		`kiosk_maintenance_overdue{}`:                         1,
	} {
		if v, ok := got[series]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", series, v, ok, want)
		}
	}
}
