package api

import "net/http"

// threat serves POST /api/shell/threat: {"signature": "Win.Test.EICAR_HDB-1"},
// a file of a resident's USB key refused by the antivirus. The report names
// the signature only, never the file or the key.
func (h *Handler) threat(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Signature string `json:"signature"`
	}
	if err := decode(w, r, &req); err != nil {
		badRequest(w, err)
		return
	}
	if req.Signature == "" {
		writeError(w, http.StatusBadRequest, "bad_request", `want {"signature": "name"}`)
		return
	}
	if h.conf.Threat != nil {
		if err := h.conf.Threat(req.Signature); err != nil {
			h.log.Warn("threat report refused", "err", err)
			writeError(w, http.StatusBadRequest, "bad_request", "not a signature name")
			return
		}
	}
	h.reply(w, r, nil)
}
