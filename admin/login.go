package admin

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// loginData fills login.tmpl.
type loginData struct {
	CSRF, Next, Notice, Error string
	Name                      string // name typed, shown again after a failure
	Agents                    bool   // agent accounts can log in (show the name field)
	Wait                      int    // seconds this client must wait (429, remote clients)
	Delay                     int    // seconds the next check of this name waits
}

// setupData fills setup.tmpl.
type setupData struct {
	CSRF, Error string
	Remote      bool
	Min         int
}

// passwordData fills password.tmpl.
type passwordData struct {
	Error string
	Wait  int
	Min   int
}

// notices are the messages the login page shows for ?msg=…; only known
// codes are shown, nothing is reflected.
var notices = map[string]string{
	"created": "Mot de passe créé. Connectez-vous.",
	"changed": "Mot de passe changé. Reconnectez-vous.",
	"logout":  "Vous êtes déconnecté.",
}

// verify checks password against the stored hash, with at most two argon2id
// runs at once.
func (s *Server) verify(hash, password string) bool {
	s.hashSem <- struct{}{}
	defer func() { <-s.hashSem }()
	ok, err := verifyPassword(hash, password)
	if err != nil {
		s.log.Error("checking admin password", "err", err)
	}
	return ok
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	ok, err := s.hasLogin()
	if err != nil {
		s.log.Error("reading credentials", "err", err)
		s.renderError(w, http.StatusInternalServerError, nil, "Le fichier des mots de passe est illisible ; voir le journal du service.")
		return
	}
	if !ok {
		http.Redirect(w, r, "/setup", http.StatusSeeOther)
		return
	}
	if s.currentSession(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	d := &loginData{CSRF: s.formToken(w, r), Next: safeNext(r.URL.Query().Get("next")),
		Notice: notices[r.URL.Query().Get("msg")], Agents: s.agents != nil}
	d.Wait = seconds(s.limiter.clientWait(r.RemoteAddr))
	s.render(w, http.StatusOK, "login", &page{Title: "Connexion", Data: d})
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	d := &loginData{CSRF: s.formToken(w, r), Next: safeNext(r.PostFormValue("next")), Agents: s.agents != nil}
	if !s.checkFormToken(r) {
		http.Error(w, "Requête refusée (jeton CSRF absent ou invalide). Rechargez la page.", http.StatusForbidden)
		return
	}
	if ok, err := s.hasLogin(); err != nil || !ok {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	d.Name = clip(strings.TrimSpace(r.PostFormValue("name")), 64)
	show := func(code int) { s.render(w, code, "login", &page{Title: "Connexion", Data: d}) }
	at, err := s.limiter.begin(r.Context(), d.Name, r.RemoteAddr)
	if err != nil {
		code, wait, msg := s.throttled(w, r, err)
		d.Wait, d.Error = wait, msg
		show(code)
		return
	}
	u, ok := s.authenticate(d.Name, r.PostFormValue("password"))
	at.end(ok)
	if !ok {
		s.log.Warn("admin login failed", "remote", clientKey(r.RemoteAddr))
		d.Error = "Nom ou mot de passe incorrect."
		d.Delay = seconds(s.limiter.delay(d.Name))
		show(http.StatusUnauthorized)
		return
	}
	id, _ := s.sessions.createFor(u)
	s.setCookie(w, "kiosk_session", id, int(sessionLifetime/time.Second))
	s.log.Info("admin logged in", "remote", clientKey(r.RemoteAddr), "agent", u.name, "role", u.role)
	s.audit(u.name, ActionLogin, string(u.role))
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

// throttled answers an error of limiter.begin: it sets Retry-After and
// returns the status and what the page shows: the seconds a remote client
// must wait (429), or else a French message (503).
func (s *Server) throttled(w http.ResponseWriter, r *http.Request, err error) (code, wait int, msg string) {
	var cw *clientWaitError
	switch {
	case errors.As(err, &cw):
		wait = seconds(cw.wait)
		w.Header().Set("Retry-After", strconv.Itoa(wait))
		return http.StatusTooManyRequests, wait, ""
	case errors.Is(err, errBusy):
		s.log.Warn("login attempt refused: every attempt slot busy", "remote", clientKey(r.RemoteAddr))
		w.Header().Set("Retry-After", strconv.Itoa(seconds(maxAccountDelay)))
		return http.StatusServiceUnavailable, 0, "Trop de tentatives de connexion en cours. Réessayez dans quelques secondes."
	default: // the client went away
		return http.StatusServiceUnavailable, 0, "Tentative interrompue. Réessayez."
	}
}

// seconds rounds d up to whole seconds.
func seconds(d time.Duration) int {
	return int((d + time.Second - 1) / time.Second)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, _ *webSession) {
	s.sessions.remove(s.cookie(r, "kiosk_session"))
	s.setCookie(w, "kiosk_session", "", -1)
	http.Redirect(w, r, "/login?msg=logout", http.StatusSeeOther)
}

func (s *Server) handleSetupForm(w http.ResponseWriter, r *http.Request) {
	if ok, err := s.hasLogin(); err != nil || ok {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	d := &setupData{Min: MinPasswordLength}
	code := http.StatusOK
	if !isLoopback(r) {
		d.Remote, code = true, http.StatusForbidden
	} else {
		d.CSRF = s.formToken(w, r)
	}
	s.render(w, code, "setup", &page{Title: "Premier démarrage", Data: d})
}

func (s *Server) handleSetup(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	ok, err := s.hasLogin()
	if err != nil || ok || !isLoopback(r) || !s.checkFormToken(r) {
		http.Error(w, "Création du mot de passe refusée.", http.StatusForbidden)
		return
	}
	d := &setupData{Min: MinPasswordLength, CSRF: s.formToken(w, r)}
	pw := r.PostFormValue("password")
	if pw != r.PostFormValue("confirm") {
		d.Error = "Les deux mots de passe ne sont pas identiques."
		s.render(w, http.StatusBadRequest, "setup", &page{Title: "Premier démarrage", Data: d})
		return
	}
	s.hashSem <- struct{}{}
	err = CreatePassword(s.creds.path, pw)
	<-s.hashSem
	switch {
	case errors.Is(err, ErrPasswordSet):
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	case err != nil:
		if perr := checkPasswordPolicy(pw); perr != nil {
			d.Error = perr.Error()
			s.render(w, http.StatusBadRequest, "setup", &page{Title: "Premier démarrage", Data: d})
			return
		}
		s.log.Error("creating admin password", "err", err)
		s.renderError(w, http.StatusInternalServerError, nil, "Impossible d'enregistrer le mot de passe ; voir le journal du service.")
	default:
		s.log.Info("admin password created from the setup page")
		http.Redirect(w, r, "/login?msg=created", http.StatusSeeOther)
	}
}

func (s *Server) handlePasswordForm(w http.ResponseWriter, r *http.Request, ws *webSession) {
	s.render(w, http.StatusOK, "password", &page{Title: "Mot de passe", Nav: "password",
		session: ws, Data: &passwordData{Min: MinPasswordLength}})
}

func (s *Server) handlePassword(w http.ResponseWriter, r *http.Request, ws *webSession) {
	d := &passwordData{Min: MinPasswordLength}
	show := func(code int) {
		s.render(w, code, "password", &page{Title: "Mot de passe", Nav: "password", session: ws, Data: d})
	}
	at, err := s.limiter.begin(r.Context(), ws.user.name, r.RemoteAddr)
	if err != nil {
		code, wait, msg := s.throttled(w, r, err)
		d.Wait, d.Error = wait, msg
		show(code)
		return
	}
	ok := s.checkOwnPassword(ws.user, r.PostFormValue("current"))
	at.end(ok)
	if !ok {
		d.Error = "Mot de passe actuel incorrect."
		show(http.StatusUnauthorized)
		return
	}
	pw := r.PostFormValue("password")
	if pw != r.PostFormValue("confirm") {
		d.Error = "Les deux nouveaux mots de passe ne sont pas identiques."
		show(http.StatusBadRequest)
		return
	}
	if err := checkPasswordPolicy(pw); err != nil {
		d.Error = err.Error()
		show(http.StatusBadRequest)
		return
	}
	s.hashSem <- struct{}{}
	if ws.user.builtin {
		err = SetPassword(s.creds.path, pw)
	} else {
		err = s.agents.SetPassword(ws.user.name, pw)
	}
	<-s.hashSem
	if err != nil {
		s.log.Error("changing admin password", "err", err)
		d.Error = "Impossible d'enregistrer le mot de passe ; voir le journal du service."
		show(http.StatusInternalServerError)
		return
	}
	s.log.Info("admin password changed from the admin page", "agent", ws.user.name)
	s.audit(ws.user.name, ActionPassword, "")
	http.Redirect(w, r, "/login?msg=changed", http.StatusSeeOther)
}

// checkOwnPassword reports whether password is the current password of u.
func (s *Server) checkOwnPassword(u user, password string) bool {
	if u.builtin {
		h, err := s.creds.adminHash()
		return err == nil && h != "" && s.verify(h, password)
	}
	if s.agents == nil {
		return false
	}
	s.hashSem <- struct{}{}
	a, err := s.agents.Authenticate(u.name, password)
	<-s.hashSem
	return err == nil && a.Name != ""
}

// clip cuts s at n bytes on a rune boundary.
func clip(s string, n int) string {
	for len(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}
