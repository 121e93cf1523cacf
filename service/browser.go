package service

import (
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/communes/kiosk/admin"
	"github.com/communes/kiosk/api"
	"github.com/communes/kiosk/maintenance"
)

// browserFacts keep the shell's last report of browser starts and the
// package run that preceded the failures. The zero value is ready; it's
// safe for concurrent use.
type browserFacts struct {
	mu     sync.Mutex
	last   api.BrowserReport
	update *maintenance.Update // the run before last.Since; nil if none found
}

// browserReport records the shell's report (POST /api/shell/browser). When
// the shell gave up quick retries, the terminal goes out of order with a
// message naming the update that preceded the first failure.
func (s *Service) browserReport(r api.BrowserReport) error {
	b := &s.browser
	b.mu.Lock()
	sameRun := r.Failures > 0 && b.last.Failures > 0 && r.Since.Equal(b.last.Since)
	if !sameRun || (r.OutOfOrder && b.update == nil) {
		b.update = nil
		if r.Failures > 0 {
			// Apt's history is read once per run of failures.
			since := r.Since
			if now := time.Now(); since.After(now) {
				since = now
			}
			if u, ok := maintenance.LastUpdateBefore(s.conf.AptHistory, s.conf.UnattendedLog, since); ok {
				b.update = &u
			}
		}
	}
	b.last = r
	msg := browserMessage(r, b.update)
	b.mu.Unlock()
	if !r.OutOfOrder {
		if r.Failures == 0 {
			s.log.Info("the browser starts again")
		}
		return nil
	}
	s.log.Error("the browser does not start: terminal out of order", "failures", r.Failures, "err", r.Error, "message", msg)
	return s.ctl.OutOfOrder(msg)
}

// browserMessage is what IT reads (admin page, live state): since which
// update the browser no longer starts.
func browserMessage(r api.BrowserReport, u *maintenance.Update) string {
	if u == nil {
		return "Le navigateur ne démarre plus depuis le " + frDateTime(r.Since) + " (aucune mise à jour trouvée avant dans le journal d'apt)"
	}
	return "Le navigateur ne démarre plus depuis la mise à jour du " + frDateTime(u.At) + " (" + strings.Join(u.Packages, ", ") + ")"
}

// frDateTime formats t as the admin page does.
func frDateTime(t time.Time) string { return t.Local().Format("02/01/2006 à 15:04") }

// status adds the browser's facts to the "État du système" block.
func (b *browserFacts) status(sys *admin.SystemStatus) {
	b.mu.Lock()
	defer b.mu.Unlock()
	sys.BrowserFailures, sys.BrowserOutOfOrder, sys.BrowserSince, sys.BrowserError = b.last.Failures, b.last.OutOfOrder, b.last.Since, b.last.Error
	if b.last.OutOfOrder {
		sys.BrowserMessage = browserMessage(b.last, b.update)
	}
	if b.update != nil {
		sys.BrowserUpdateAt, sys.BrowserUpdatePackages = b.update.At, b.update.Packages
	}
}

// registerBrowserMetrics registers kiosk_browser_start_failures.
func registerBrowserMetrics(reg prometheus.Registerer, b *browserFacts) {
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "kiosk_browser_start_failures",
		Help: "Browser starts in a row that failed (3 or more: the terminal is out of order, often after an update; 0 once a start works).",
	}, func() float64 {
		b.mu.Lock()
		defer b.mu.Unlock()
		return float64(b.last.Failures)
	}))
}
