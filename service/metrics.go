package service

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/communes/kiosk/allowlist/watch"
	"github.com/communes/kiosk/session"
)

// serviceMetrics are the service's own Prometheus metrics; the proxy
// registers its request counters and latency histogram itself.
type serviceMetrics struct {
	sessionsStarted prometheus.Counter
	sessionsEnded   *prometheus.CounterVec
	satisfaction    *prometheus.CounterVec
	helpRequests    prometheus.Counter
	prints          prometheus.Counter
	wipeFailures    prometheus.Counter
	reloadErrors    prometheus.Counter
	reloads         prometheus.Counter
}

// newServiceMetrics registers the metrics in reg, with live gauges read
// from the holder at scrape time, and makes the holder count its loads.
func newServiceMetrics(reg prometheus.Registerer, h *watch.Holder) *serviceMetrics {
	m := &serviceMetrics{
		sessionsStarted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kiosk_sessions_started_total", Help: "Resident sessions started.",
		}),
		sessionsEnded: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kiosk_sessions_ended_total", Help: "Resident sessions ended, by reason (user, idle, timelimit, agent, crash).",
		}, []string{"reason"}),
		satisfaction: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kiosk_satisfaction_answers_total", Help: "Answers to \"Avez-vous pu faire votre démarche ?\" (oui, en_partie, non).",
		}, []string{"answer"}),
		helpRequests: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kiosk_help_requests_total", Help: "\"Besoin d'aide\" requests.",
		}),
		prints: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kiosk_prints_total", Help: "Print jobs of resident sessions handed to the printer.",
		}),
		wipeFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kiosk_wipe_failures_total", Help: "Session wipes that failed (the terminal went out of order).",
		}),
		reloadErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kiosk_allowlist_reload_errors_total", Help: "Allowlist reloads refused because the file did not validate.",
		}),
		reloads: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kiosk_allowlist_reloads_total", Help: "Allowlists applied (the first load included).",
		}),
	}
	for _, r := range []string{session.ReasonUser, session.ReasonIdle, session.ReasonTimeLimit, session.ReasonAgent, session.ReasonCrash} {
		m.sessionsEnded.WithLabelValues(r)
	}
	for _, a := range []string{session.AnswerYes, session.AnswerPartly, session.AnswerNo} {
		m.satisfaction.WithLabelValues(a)
	}
	reg.MustRegister(m.sessionsStarted, m.sessionsEnded, m.satisfaction, m.helpRequests, m.prints, m.wipeFailures, m.reloadErrors, m.reloads)
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "kiosk_allowlist_loaded_timestamp_seconds", Help: "When the allowlist in force was loaded (Unix time).",
	}, func() float64 {
		if t := h.Status().LoadedAt; !t.IsZero() {
			return float64(t.Unix())
		}
		return 0
	}))
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "kiosk_allowlist_last_reload_failed", Help: "1 when the last allowlist reload was refused (the previous list stays in force).",
	}, func() float64 {
		if h.Status().Err != nil {
			return 1
		}
		return 0
	}))
	h.Observe = func(err error) {
		if err != nil {
			m.reloadErrors.Inc()
		} else {
			m.reloads.Inc()
		}
	}
	return m
}

// registerStateGauge registers kiosk_terminal_state, read from ctl at scrape time.
func registerStateGauge(reg prometheus.Registerer, ctl *session.Controller) {
	states := []session.State{session.StateWelcome, session.StateUnlock, session.StateActive, session.StateCountdown,
		session.StateEnding, session.StateWiping, session.StateOutOfOrder}
	for _, st := range states {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "kiosk_terminal_state", Help: "1 for the terminal's current session state.",
			ConstLabels: prometheus.Labels{"state": string(st)},
		}, func() float64 {
			if ctl.Snapshot().State == st {
				return 1
			}
			return 0
		}))
	}
}
