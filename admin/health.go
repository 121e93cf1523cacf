package admin

import (
	"net/http"
	"strings"
)

// unhealthy returns the reasons the service is not healthy, none when it is:
// the proxy is not serving, the store failed, no allowlist is loaded, or the
// last allowlist reload failed (the old list still works, but a file IT
// edited is refused and monitoring should say so). Reasons are short and
// carry no detail, since /healthz is public.
func (s *Server) unhealthy() []string {
	var why []string
	st := s.status()
	if st.ProxyHealthy != nil {
		why = append(why, "proxy: not serving")
	}
	if err := s.store.Healthy(); err != nil {
		why = append(why, "store: unhealthy")
	}
	switch {
	case st.AllowlistLoaded.IsZero():
		why = append(why, "allowlist: not loaded")
	case st.AllowlistError != "":
		why = append(why, "allowlist: last reload failed")
	}
	return why
}

// handleHealthz answers 200 "ok" or 503 with one reason per line. It needs
// no login.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if why := s.unhealthy(); len(why) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(strings.Join(why, "\n") + "\n"))
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}
