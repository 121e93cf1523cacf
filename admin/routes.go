package admin

import (
	"net/http"
)

// routes builds the handler tree of the whole listener, behind the Host
// check (host.go). Every page except login, setup, static
// files, /healthz, /metrics (own rule) and /stats.json (bearer token)
// requires a logged-in session (/live.json answers 401 itself), and the
// account pages the admin role.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", s.requireLogin(s.handleDashboard))
	mux.Handle("GET /blocked", s.requireLogin(s.handleBlocked))
	mux.Handle("POST /blocked/add", s.requireLogin(s.requireAdmin(s.requireCSRF(s.handleBlockedAdd))))
	mux.Handle("GET /allowlist", s.requireLogin(s.handleAllowlist))
	mux.Handle("GET /export.csv", s.requireLogin(s.handleExport))
	mux.Handle("GET /report", s.requireLogin(s.handleReport))
	mux.Handle("GET /password", s.requireLogin(s.handlePasswordForm))
	mux.Handle("POST /password", s.requireLogin(s.requireCSRF(s.handlePassword)))
	mux.Handle("POST /logout", s.requireLogin(s.requireCSRF(s.handleLogout)))

	// Live view and remote actions: every role.
	mux.Handle("GET /live", s.requireLogin(s.handleLive))
	mux.HandleFunc("GET /live.json", s.handleLiveJSON)
	mux.Handle("POST /live/end", s.requireLogin(s.requireCSRF(s.liveAction(s.handleLiveEnd))))
	mux.Handle("POST /live/extend", s.requireLogin(s.requireCSRF(s.liveAction(s.handleLiveExtend))))
	mux.Handle("POST /live/message", s.requireLogin(s.requireCSRF(s.liveAction(s.handleLiveMessage))))
	mux.Handle("POST /live/help", s.requireLogin(s.requireCSRF(s.liveAction(s.handleLiveHelp))))

	// Account management and the audit log: admin role only.
	mux.Handle("GET /agents", s.requireLogin(s.requireAdmin(s.handleAgents)))
	mux.Handle("POST /agents/add", s.requireLogin(s.requireAdmin(s.requireCSRF(s.agentAction(s.handleAgentAdd)))))
	mux.Handle("POST /agents/remove", s.requireLogin(s.requireAdmin(s.requireCSRF(s.agentAction(s.handleAgentRemove)))))
	mux.Handle("POST /agents/pin", s.requireLogin(s.requireAdmin(s.requireCSRF(s.agentAction(s.handleAgentPIN)))))
	mux.Handle("POST /agents/password", s.requireLogin(s.requireAdmin(s.requireCSRF(s.agentAction(s.handleAgentPassword)))))
	mux.Handle("GET /audit", s.requireLogin(s.requireAdmin(s.handleAudit)))
	mux.Handle("GET /audit.csv", s.requireLogin(s.requireAdmin(s.handleAuditCSV)))

	mux.HandleFunc("GET /login", s.handleLoginForm)
	mux.HandleFunc("POST /login", s.handleLogin)
	mux.HandleFunc("GET /setup", s.handleSetupForm)
	mux.HandleFunc("POST /setup", s.handleSetup)
	mux.HandleFunc("GET /static/{name}", s.handleStatic)

	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.HandleFunc("GET /metrics", s.handleMetrics)
	mux.HandleFunc("GET /stats.json", s.handleStatsJSON)

	cop := http.NewCrossOriginProtection()
	var root http.Handler = cop.Handler(securityHeaders(mux))
	if s.api == nil {
		return s.checkHost(root)
	}
	top := http.NewServeMux()
	top.Handle("/api/", s.api)
	top.Handle("/", root)
	return s.checkHost(top)
}

// loginPages are the GET pages registered above behind requireLogin: the
// only places the login's next= parameter may send the browser back to
// (safeNext). TestLoginPages_AreRoutes keeps the two lists together.
var loginPages = map[string]bool{
	"/": true, "/blocked": true, "/allowlist": true, "/export.csv": true, "/report": true,
	"/password": true, "/live": true, "/agents": true, "/audit": true, "/audit.csv": true,
}

// securityHeaders sets the headers every admin response carries.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; "+
			"script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		hd.Set("Cross-Origin-Resource-Policy", "same-origin")
		hd.Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// handleStatic serves the embedded style sheet and script.
func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	var ctype string
	switch name {
	case "admin.css":
		ctype = "text/css; charset=utf-8"
	case "admin.js", "live.js":
		ctype = "text/javascript; charset=utf-8"
	default:
		http.NotFound(w, r)
		return
	}
	b, err := assets.ReadFile("static/" + name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "private, max-age=300")
	_, _ = w.Write(b)
}
