package admin

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"sync"
	"time"
)

// Session lifetimes.
const (
	sessionIdle     = 30 * time.Minute // ended after this long without a request
	sessionLifetime = 12 * time.Hour   // ended this long after login, whatever happens
	maxSessions     = 64               // oldest sessions are dropped past this
)

// webSession is one logged-in browser. Only its hashed id is kept.
type webSession struct {
	csrf     string    // per-session CSRF token, sent in forms
	created  time.Time // login time
	lastSeen time.Time
	user     user // who logged in; immutable
}

// sessionStore is the server-side store of admin sessions, keyed by the
// SHA-256 of the cookie value. It's safe for concurrent use.
type sessionStore struct {
	now func() time.Time

	mu       sync.Mutex
	sessions map[[32]byte]*webSession
}

func newSessionStore(now func() time.Time) *sessionStore {
	return &sessionStore{now: now, sessions: map[[32]byte]*webSession{}}
}

// randomToken returns 32 random bytes, base64url-encoded.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}

// create starts a session of the built-in admin account, whose password hash
// is pwHash, and returns its cookie value.
func (s *sessionStore) create(pwHash string) (id string, ws *webSession) {
	return s.createFor(builtinUser(pwHash))
}

// createFor starts a session of u and returns its cookie value.
func (s *sessionStore) createFor(u user) (id string, ws *webSession) {
	id = randomToken()
	now := s.now()
	ws = &webSession{csrf: randomToken(), created: now, lastSeen: now, user: u}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked(now)
	for len(s.sessions) >= maxSessions {
		var oldest [32]byte
		var t time.Time
		for k, v := range s.sessions {
			if t.IsZero() || v.created.Before(t) {
				oldest, t = k, v.created
			}
		}
		delete(s.sessions, oldest)
	}
	s.sessions[sha256.Sum256([]byte(id))] = ws
	return id, ws
}

// get returns the live session for a cookie value and refreshes it, or nil.
// A session for which valid returns false (its account's password or role
// changed, or the account is gone) is ended. valid is called with the
// store's lock held and must not call the store.
func (s *sessionStore) get(id string, valid func(user) bool) *webSession {
	if id == "" {
		return nil
	}
	key := sha256.Sum256([]byte(id))
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	ws, ok := s.sessions[key]
	if !ok {
		return nil
	}
	if now.Sub(ws.lastSeen) > sessionIdle || now.Sub(ws.created) > sessionLifetime || !valid(ws.user) {
		delete(s.sessions, key)
		return nil
	}
	ws.lastSeen = now
	return ws
}

// remove ends the session with this cookie value.
func (s *sessionStore) remove(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sessions, sha256.Sum256([]byte(id)))
}

func (s *sessionStore) expireLocked(now time.Time) {
	for k, v := range s.sessions {
		if now.Sub(v.lastSeen) > sessionIdle || now.Sub(v.created) > sessionLifetime {
			delete(s.sessions, k)
		}
	}
}
