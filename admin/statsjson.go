package admin

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/communes/kiosk/usage"
)

// tokenFile caches the per-boot API token and re-reads it when the file
// changes. It's safe for concurrent use.
type tokenFile struct {
	path string

	mu    sync.Mutex
	info  fs.FileInfo
	token []byte
}

// get returns the current token; empty when there is none.
func (t *tokenFile) get() ([]byte, error) {
	if t.path == "" {
		return nil, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	fi, err := os.Stat(t.path)
	if errors.Is(err, fs.ErrNotExist) {
		t.info, t.token = nil, nil
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading api token: %w", err)
	}
	if t.info != nil && os.SameFile(t.info, fi) && t.info.ModTime().Equal(fi.ModTime()) && t.info.Size() == fi.Size() {
		return t.token, nil
	}
	b, err := os.ReadFile(t.path)
	if err != nil {
		return nil, fmt.Errorf("reading api token: %w", err)
	}
	t.info, t.token = fi, bytes.TrimSpace(b)
	return t.token, nil
}

// checkBearer reports whether r carries "Authorization: Bearer <token>".
func (s *Server) checkBearer(r *http.Request) bool {
	want, err := s.token.get()
	if err != nil {
		s.log.Error("checking api token", "err", err)
		return false
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && len(want) >= 16 && subtle.ConstantTimeCompare([]byte(got), want) == 1
}

// statsJSON is the body of /stats.json: the usage report, plus what
// `kiosk report` needs to put several terminals side by side.
type statsJSON struct {
	*usage.Report
	// Terminal is the terminal's name (--terminal-name).
	Terminal string `json:"terminal,omitempty"`
	// SiteOperators maps site names to France Services operators.
	SiteOperators map[string]string `json:"site_operators,omitempty"`
}

// handleStatsJSON serves the usage report of ?from=&to= (AAAA-MM-JJ) as
// JSON (usage.Report, with the terminal's name and its sites' France
// Services operators) for `kiosk stats` and `kiosk report`. It requires the
// API token (the same machine) or, like /metrics, HTTP Basic auth with
// user "admin" and the admin password (throttled like the login form).
func (s *Server) handleStatsJSON(w http.ResponseWriter, r *http.Request) {
	if _, _, basic := r.BasicAuth(); basic {
		if !s.metricsBasicAuth(w, r) {
			return
		}
	} else if !s.checkBearer(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="kiosk"`)
		http.Error(w, "missing or wrong API token", http.StatusUnauthorized)
		return
	}
	q := r.URL.Query()
	if q.Get("from") == "" && q.Get("to") == "" {
		q.Set("p", "today")
	}
	p, err := parsePeriod(q, s.now(), s.loc)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rep, err := s.store.Report(p.From, p.To)
	if err != nil {
		s.log.Error("reading usage report", "err", err)
		http.Error(w, "reading usage report failed", http.StatusInternalServerError)
		return
	}
	out := statsJSON{Report: rep, Terminal: s.status().TerminalName}
	if s.operators != nil {
		out.SiteOperators = s.operators()
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(out); err != nil {
		s.log.Warn("sending stats", "err", err)
	}
}
