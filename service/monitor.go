package service

import (
	"errors"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/communes/kiosk/admin"
	"github.com/communes/kiosk/allowlist/watch"
	"github.com/communes/kiosk/api"
	"github.com/communes/kiosk/fleet"
	"github.com/communes/kiosk/maintenance"
	"github.com/communes/kiosk/monitor"
	"github.com/communes/kiosk/remote"
	"github.com/communes/kiosk/session"
)

// terminalFacts are the facts of the terminal that no other package keeps,
// for /metrics (package monitor).
type terminalFacts struct {
	wipes   monitor.WipeTracker
	shell   monitor.ShellTracker
	printer monitor.PrinterTracker
	fetcher atomic.Pointer[remote.Fetcher]
	maint   *maintenance.Maintainer
}

// type check
var _ api.Controller = wipeReports{}

// wipeReports is the controller the API drives, noting each wipe report
// that the controller accepted.
type wipeReports struct {
	*session.Controller
	wipes *monitor.WipeTracker
}

// Wiped passes the report on. A failure reported with nothing to wipe
// (the welcome state: the shell cannot start its web processes' sandbox,
// its printing tools, or runs without the egress lockdown) puts the
// terminal out of order too, so that the admin page and /metrics say why
// the screen shows out of order.
func (c wipeReports) Wiped(ok bool, msg string) error {
	err := c.Controller.Wiped(ok, msg)
	if err == nil {
		c.wipes.Record(time.Now(), ok)
	} else if !ok && errors.Is(err, session.ErrWrongState) {
		err = c.Controller.OutOfOrder(msg)
	}
	return err
}

// printerReport records the shell's printer report.
func (f *terminalFacts) printerReport(r api.PrinterReport) {
	f.printer.Report(monitor.PrinterReport{At: time.Now(), Failing: r.Failing, Queued: r.Queued})
}

// registerTerminalMetrics registers the terminal's facts (monitor.Collector).
func registerTerminalMetrics(reg prometheus.Registerer, c *Config, h *watch.Holder, ctl *session.Controller, f *terminalFacts) error {
	source := "file"
	var remoteStatus func() monitor.RemoteStatus
	if c.AllowlistURL != "" {
		source = "url"
		remoteStatus = func() monitor.RemoteStatus {
			fe := f.fetcher.Load()
			if fe == nil {
				return monitor.RemoteStatus{}
			}
			st := fe.Status()
			return monitor.RemoteStatus{LastSuccess: st.LastSuccess, LastCheck: st.LastCheck, Failing: st.Err != ""}
		}
	}
	col, err := monitor.New(&monitor.Config{
		Terminal: c.TerminalName,
		Version:  c.Version,
		OutOfOrder: func() string {
			s := ctl.Snapshot()
			if s.State != session.StateOutOfOrder {
				return ""
			}
			if s.Error == "" {
				return "out of order"
			}
			return s.Error
		},
		Wipes:       &f.wipes,
		Shell:       &f.shell,
		Printer:     &f.printer,
		Allowlist:   func() ([]byte, string) { return h.Data(), source },
		Remote:      remoteStatus,
		DataDir:     c.DataDir,
		Maintenance: maintenanceMetrics(f.maint),
	})
	if err != nil {
		return err
	}
	return reg.Register(col)
}

// withTerminalName adds the terminal's name to the admin page's status.
func withTerminalName(name string, status func() admin.Status) func() admin.Status {
	return func() admin.Status {
		st := status()
		st.TerminalName = name
		return st
	}
}

// siteOperators maps the sites of the allowlist in force to their France
// Services operator, for /stats.json (kiosk report).
func siteOperators(h *watch.Holder) func() map[string]string {
	return func() map[string]string {
		list := h.Load()
		if list == nil {
			return nil
		}
		out := map[string]string{}
		for _, s := range list.Sites {
			hosts := make([]string, 0, len(s.Patterns))
			for _, p := range s.Patterns {
				hosts = append(hosts, p.Host)
			}
			if op := fleet.OperatorOf(hosts); op != "" {
				out[s.Name] = op
			}
		}
		return out
	}
}
