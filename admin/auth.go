package admin

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
)

// maxFormBytes bounds the body of every form.
const maxFormBytes = 16 << 10

// authedHandler is a handler that runs for a logged-in session.
type authedHandler func(w http.ResponseWriter, r *http.Request, ws *webSession)

// cookieName returns the session cookie name; with TLS the __Host- prefix
// makes browsers insist on Secure, Path=/ and no Domain.
func (s *Server) cookieName(base string) string {
	if s.tls {
		return "__Host-" + base
	}
	return base
}

func (s *Server) setCookie(w http.ResponseWriter, base, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: s.cookieName(base), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.tls, SameSite: http.SameSiteStrictMode,
	})
}

func (s *Server) cookie(r *http.Request, base string) string {
	c, err := r.Cookie(s.cookieName(base))
	if err != nil {
		return ""
	}
	return c.Value
}

// currentSession returns the request's live session, or nil.
func (s *Server) currentSession(r *http.Request) *webSession {
	return s.sessions.get(s.cookie(r, "kiosk_session"), s.validUser)
}

// requireLogin runs h for a logged-in session. Anonymous GETs are sent to
// the login page (or to the setup page while no account can log in); other
// anonymous requests get 403.
func (s *Server) requireLogin(h authedHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws := s.currentSession(r)
		if ws == nil {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				http.Error(w, "Accès refusé : connectez-vous.", http.StatusForbidden)
				return
			}
			target := "/login?next=" + url.QueryEscape(r.URL.RequestURI())
			if ok, err := s.hasLogin(); err == nil && !ok {
				target = "/setup"
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return
		}
		h(w, r, ws)
	})
}

// requireAdmin runs h only for an account with the admin role; an agent
// gets 403.
func (s *Server) requireAdmin(h authedHandler) authedHandler {
	return func(w http.ResponseWriter, r *http.Request, ws *webSession) {
		if !ws.user.isAdmin() {
			s.log.Warn("refused: admin role required", "path", r.URL.Path, "agent", ws.user.name)
			s.renderError(w, http.StatusForbidden, ws, "Cette page est réservée aux administrateurs.")
			return
		}
		h(w, r, ws)
	}
}

// requireCSRF checks the per-session CSRF token of a POST, in constant time.
func (s *Server) requireCSRF(h authedHandler) authedHandler {
	return func(w http.ResponseWriter, r *http.Request, ws *webSession) {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		got := r.PostFormValue("csrf")
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(ws.csrf)) != 1 {
			s.log.Warn("refused POST: bad CSRF token", "path", r.URL.Path, "remote", r.RemoteAddr)
			http.Error(w, "Requête refusée (jeton CSRF absent ou invalide). Rechargez la page.", http.StatusForbidden)
			return
		}
		h(w, r, ws)
	}
}

// formToken returns the double-submit token of the login and setup forms,
// setting its cookie when missing.
func (s *Server) formToken(w http.ResponseWriter, r *http.Request) string {
	if t := s.cookie(r, "kiosk_form"); len(t) == 43 {
		return t
	}
	t := randomToken()
	s.setCookie(w, "kiosk_form", t, 3600)
	return t
}

// checkFormToken checks the double-submit token of an anonymous form.
func (s *Server) checkFormToken(r *http.Request) bool {
	c := s.cookie(r, "kiosk_form")
	f := r.PostFormValue("csrf")
	return c != "" && subtle.ConstantTimeCompare([]byte(c), []byte(f)) == 1
}

// maxNextLen bounds the next= parameter of the login; longer is refused.
const maxNextLen = 512

// safeNext returns where the login may send the browser back to: next when
// it names one of the admin pages (loginPages) with an optional plain query
// string (?p=week, ?from=2026-11-01&to=2026-11-30), "/" for anything else.
// Only printable ASCII without a backslash is accepted, the path must be
// one of the pages' names exactly and the query has no percent sign, so no
// spelling (tab, newline, %09, %5C, "//", "/\\", a scheme,
// Unicode slashes) can make the Location header leave this origin.
func safeNext(next string) string {
	if next == "" || len(next) > maxNextLen || next[0] != '/' {
		return "/"
	}
	for i := 0; i < len(next); i++ {
		if c := next[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return "/"
		}
	}
	path, query, _ := strings.Cut(next, "?")
	if !loginPages[path] || !plainQuery(query) {
		return "/"
	}
	// Belt and braces: what a URL parser makes of it must be the same path.
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" || u.Path != path {
		return "/"
	}
	if query == "" {
		return path
	}
	return path + "?" + query
}

// plainQuery reports whether q holds only letters, digits and = & - _ . ,
// (the admin pages' own parameters), nothing percent-encoded.
func plainQuery(q string) bool {
	for i := 0; i < len(q); i++ {
		c := q[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("=&-_.,", c) >= 0
		if !ok {
			return false
		}
	}
	return true
}

// isLoopback reports whether the request comes from the local machine
// (127.0.0.0/8 or ::1).
func isLoopback(r *http.Request) bool { return loopbackAddr(r.RemoteAddr) }
