package api

import (
	"net/http"

	"github.com/communes/kiosk/allowlist"
)

// unlock serves POST /api/session/unlock {"pin", "lang"}: an agent's PIN
// opens a supervised session (mode supervised-only or mixed).
func (h *Handler) unlock(w http.ResponseWriter, r *http.Request) {
	var req struct {
		PIN  string `json:"pin"`
		Lang string `json:"lang"`
	}
	if err := decode(w, r, &req); err != nil {
		badRequest(w, err)
		return
	}
	h.reply(w, r, h.conf.Controller.Unlock(req.PIN, req.Lang))
}

// cancel serves POST /api/session/cancel: the keypad's "Annuler".
func (h *Handler) cancel(w http.ResponseWriter, r *http.Request) {
	if noBody(w, r) {
		h.reply(w, r, h.conf.Controller.Cancel())
	}
}

// override serves POST /api/override {"pin", "host"}: an agent's PIN opens
// one blocked host for the rest of the session. The host is canonicalised
// as the proxy does (allowlist.CanonicalHost); IP addresses are refused,
// since the proxy never lets an override open one.
func (h *Handler) override(w http.ResponseWriter, r *http.Request) {
	var req struct {
		PIN  string `json:"pin"`
		Host string `json:"host"`
	}
	if err := decode(w, r, &req); err != nil {
		badRequest(w, err)
		return
	}
	host, err := allowlist.CanonicalHost(req.Host)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", "host: "+err.Error())
		return
	}
	if allowlist.IsIPLiteral(host) {
		writeError(w, http.StatusBadRequest, "bad_request", "host: an IP address cannot be opened, only a host name")
		return
	}
	h.reply(w, r, h.conf.Controller.OverrideHost(req.PIN, host))
}
