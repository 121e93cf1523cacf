package api

import "net/http"

// maxQueued bounds the queue length a printer report may claim.
const maxQueued = 10000

// PrinterReport is the shell's report of the printer's state (POST
// /api/shell/printer): only counts, never a document or its title.
type PrinterReport struct {
	// Failing is true when a print could not be handed to CUPS or jobs
	// stayed stuck in the queue after a session.
	Failing bool `json:"failing"`
	// Queued is the number of jobs in the queue, 0 to 10000.
	Queued int `json:"queued"`
}

// printer serves POST /api/shell/printer: {"failing": false, "queued": 0}.
func (h *Handler) printer(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Failing *bool `json:"failing"`
		Queued  int   `json:"queued"`
	}
	if err := decode(w, r, &req); err != nil {
		badRequest(w, err)
		return
	}
	if req.Failing == nil || req.Queued < 0 || req.Queued > maxQueued {
		writeError(w, http.StatusBadRequest, "bad_request", `want {"failing": bool, "queued": 0..10000}`)
		return
	}
	if h.conf.Printer != nil {
		h.conf.Printer(PrinterReport{Failing: *req.Failing, Queued: req.Queued})
	}
	h.reply(w, r, nil)
}
