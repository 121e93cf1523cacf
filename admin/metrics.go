package admin

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"sync"
)

// basicCache remembers the last password that passed argon2id for /metrics,
// so that a scraper's Basic auth costs a SHA-256, not a KDF run, each time.
// It's safe for concurrent use.
type basicCache struct {
	mu     sync.Mutex
	hash   string   // admin hash the entry was checked against
	digest [32]byte // SHA-256 of the password
}

func (c *basicCache) match(hash, password string) bool {
	d := sha256.Sum256([]byte(password))
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hash != "" && c.hash == hash && subtle.ConstantTimeCompare(d[:], c.digest[:]) == 1
}

func (c *basicCache) store(hash, password string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hash, c.digest = hash, sha256.Sum256([]byte(password))
}

// handleMetrics serves the Prometheus metrics. The figures are counts with
// no personal data, so a client on the same machine needs no login; a remote
// client needs a logged-in session or HTTP Basic auth with user "admin" and
// the admin password (throttled like the login form).
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	if !isLoopback(r) && s.currentSession(r) == nil && !s.metricsBasicAuth(w, r) {
		return
	}
	s.metrics.ServeHTTP(w, r)
}

// metricsBasicAuth checks Basic credentials and writes the refusal itself.
func (s *Server) metricsBasicAuth(w http.ResponseWriter, r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	hash, err := s.creds.adminHash()
	if ok && err == nil && hash != "" && user == "admin" {
		if s.metricsAuth.match(hash, pass) {
			return true
		}
		at, err := s.limiter.begin(r.Context(), BuiltinAdmin, r.RemoteAddr)
		if err != nil {
			code, _, _ := s.throttled(w, r, err)
			http.Error(w, "too many attempts", code)
			return false
		}
		ok := s.verify(hash, pass)
		at.end(ok)
		if ok {
			s.metricsAuth.store(hash, pass)
			return true
		}
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="kiosk metrics", charset="UTF-8"`)
	http.Error(w, "authentication required", http.StatusUnauthorized)
	return false
}
