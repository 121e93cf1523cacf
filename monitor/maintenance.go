package monitor

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// MaintenanceStatus is what the maintenance loop reports (package
// maintenance).
type MaintenanceStatus struct {
	// Need is "none", "restart" (a binary changed) or "reboot".
	Need string
	// PendingSince is when the need appeared (zero if none).
	PendingSince time.Time
	// Overdue is true when the need has waited more than 7 days.
	Overdue bool
}

// The maintenance metrics (docs/fleet.md lists them).
var (
	descMaintPending = desc("kiosk_maintenance_pending",
		"1 when the terminal waits for its maintenance window to restart (need=restart) or reboot (need=reboot) after an update, else 0.", "need")
	descMaintSince = desc("kiosk_maintenance_pending_since_timestamp_seconds",
		"When the pending restart or reboot appeared (Unix time); 0 if none.")
	descMaintOverdue = desc("kiosk_maintenance_overdue",
		"1 when a restart or reboot has been pending for more than 7 days, else 0.")
)

// collectMaintenance sends the maintenance metrics.
func (c *Collector) collectMaintenance(ch chan<- prometheus.Metric) {
	if c.conf.Maintenance == nil {
		return
	}
	st := c.conf.Maintenance()
	for _, need := range []string{"restart", "reboot"} {
		ch <- prometheus.MustNewConstMetric(descMaintPending, prometheus.GaugeValue, bool01(st.Need == need), need)
	}
	ch <- prometheus.MustNewConstMetric(descMaintSince, prometheus.GaugeValue, unixTime(st.PendingSince))
	ch <- prometheus.MustNewConstMetric(descMaintOverdue, prometheus.GaugeValue, bool01(st.Overdue))
}
