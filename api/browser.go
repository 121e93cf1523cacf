package api

import (
	"net/http"
	"time"
)

// maxBrowserFailures bounds the failure count a browser report may claim.
const maxBrowserFailures = 1 << 20

// BrowserReport is the shell's report of its browser starts (POST
// /api/shell/browser), sent after each start that failed and after the
// first start that worked following failures.
type BrowserReport struct {
	// Failures is the number of browser starts in a row that failed (the
	// process exited, or showed nothing within its grace); 0 when a start
	// worked again.
	Failures int
	// Since is when the first of those failures happened; zero with
	// Failures 0.
	Since time.Time
	// OutOfOrder is true once the shell gave up quick retries (three
	// failures in a row): the terminal is out of order and the shell
	// retries with a growing delay.
	OutOfOrder bool
	// Error is the last failure's cause for IT (an exit status), at most
	// 300 characters.
	Error string
}

// browser serves POST /api/shell/browser: {"failures": 3, "since":
// "2026-12-07T06:40:00Z", "out_of_order": true, "error": "exit status 1"}.
func (h *Handler) browser(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Failures   *int      `json:"failures"`
		Since      time.Time `json:"since"`
		OutOfOrder bool      `json:"out_of_order"`
		Error      string    `json:"error"`
	}
	if err := decode(w, r, &req); err != nil {
		badRequest(w, err)
		return
	}
	switch {
	case req.Failures == nil || *req.Failures < 0 || *req.Failures > maxBrowserFailures:
		writeError(w, http.StatusBadRequest, "bad_request", `want {"failures": 0.., "since": time, "out_of_order": bool, "error": string}`)
		return
	case *req.Failures > 0 && req.Since.IsZero(), *req.Failures == 0 && req.OutOfOrder:
		writeError(w, http.StatusBadRequest, "bad_request", "failures > 0 needs since; out_of_order needs failures")
		return
	case len(req.Error) > 300:
		writeError(w, http.StatusBadRequest, "bad_request", "error is longer than 300 bytes")
		return
	}
	var err error
	if h.conf.Browser != nil {
		err = h.conf.Browser(BrowserReport{Failures: *req.Failures, Since: req.Since, OutOfOrder: req.OutOfOrder, Error: req.Error})
	}
	h.reply(w, r, err)
}
