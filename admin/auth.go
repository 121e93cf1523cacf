package admin

import (
	"crypto/subtle"
	"net"
	"net/http"
	"net/netip"
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

// safeNext returns next if it is a local path, "/" otherwise.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
		return "/"
	}
	return next
}

// isLoopback reports whether the request comes from the local machine
// (127.0.0.0/8 or ::1).
func isLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}
