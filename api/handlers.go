package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// Long-poll bounds of GET /api/state.
const (
	defaultWait = 30 * time.Second
	maxWait     = 60 * time.Second
)

// config serves GET /api/config: the settings plus the allowlist in force.
func (h *Handler) config(w http.ResponseWriter, r *http.Request) {
	b, err := json.Marshal(h.conf.Settings())
	if err != nil {
		h.log.Error("encoding settings", "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "encoding settings")
		return
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		h.log.Error("settings are not a JSON object", "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "settings are not a JSON object")
		return
	}
	var file string
	var yaml []byte
	if h.conf.Allowlist != nil {
		file, yaml = h.conf.Allowlist()
	}
	sum := sha256.Sum256(yaml)
	m["portal_url"] = h.conf.PortalURL
	m["allowlist_file"] = file
	m["allowlist_sha256"] = hex.EncodeToString(sum[:])
	m["allowlist_yaml"] = string(yaml)
	writeJSON(w, http.StatusOK, m)
}

// state serves GET /api/state[?since=V&wait=S].
func (h *Handler) state(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var since uint64
	wait := time.Duration(0)
	if s := q.Get("since"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, "bad_request", "since: want a version number")
			return
		}
		since, wait = v, defaultWait
	}
	if s := q.Get("wait"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 {
			writeError(w, http.StatusBadRequest, "bad_request", "wait: want whole seconds >= 0")
			return
		}
		wait = min(time.Duration(v)*time.Second, maxWait)
	}
	if since == 0 {
		writeJSON(w, http.StatusOK, h.conf.State(r.Context(), 0))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), wait)
	defer cancel()
	writeJSON(w, http.StatusOK, h.conf.State(ctx, since))
}

// reply writes the controller error, or the state after the action.
func (h *Handler) reply(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		h.writeControllerError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, h.conf.State(r.Context(), 0))
}

// badRequest writes a 400 for a body that does not decode.
func badRequest(w http.ResponseWriter, err error) {
	writeError(w, http.StatusBadRequest, "bad_request", err.Error())
}

func (h *Handler) start(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Lang       string `json:"lang"`
		Supervised bool   `json:"supervised"`
	}
	if err := decode(w, r, &req); err != nil {
		badRequest(w, err)
		return
	}
	h.reply(w, r, h.conf.Controller.Start(req.Lang, req.Supervised))
}

// noBody accepts an empty body or {} and writes a 400 otherwise.
func noBody(w http.ResponseWriter, r *http.Request) bool {
	var req struct{}
	if err := decode(w, r, &req); err != nil {
		badRequest(w, err)
		return false
	}
	return true
}

func (h *Handler) activity(w http.ResponseWriter, r *http.Request) {
	if noBody(w, r) {
		h.conf.Controller.Activity()
		h.reply(w, r, nil)
	}
}

func (h *Handler) cont(w http.ResponseWriter, r *http.Request) {
	if noBody(w, r) {
		h.reply(w, r, h.conf.Controller.Continue())
	}
}

func (h *Handler) end(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &req); err != nil {
		badRequest(w, err)
		return
	}
	h.reply(w, r, h.conf.Controller.End(req.Reason))
}

func (h *Handler) satisfaction(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Answer string `json:"answer"`
	}
	if err := decode(w, r, &req); err != nil {
		badRequest(w, err)
		return
	}
	h.reply(w, r, h.conf.Controller.Satisfaction(req.Answer))
}

func (h *Handler) wiped(w http.ResponseWriter, r *http.Request) {
	var req struct {
		OK    *bool  `json:"ok"`
		Error string `json:"error"`
	}
	if err := decode(w, r, &req); err != nil {
		badRequest(w, err)
		return
	}
	if req.OK == nil {
		writeError(w, http.StatusBadRequest, "bad_request", `"ok" is required`)
		return
	}
	h.reply(w, r, h.conf.Controller.Wiped(*req.OK, req.Error))
}

func (h *Handler) help(w http.ResponseWriter, r *http.Request) {
	if noBody(w, r) {
		h.conf.Controller.Help()
		h.reply(w, r, nil)
	}
}

func (h *Handler) printed(w http.ResponseWriter, r *http.Request) {
	if noBody(w, r) {
		h.reply(w, r, h.conf.Controller.Printed())
	}
}

func (h *Handler) hello(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Version string `json:"version"`
	}
	if err := decode(w, r, &req); err != nil {
		badRequest(w, err)
		return
	}
	h.conf.Controller.ShellHello(req.Version)
	h.reply(w, r, nil)
}

func (h *Handler) crash(w http.ResponseWriter, r *http.Request) {
	if noBody(w, r) {
		h.conf.Controller.ShellCrash()
		h.reply(w, r, nil)
	}
}
