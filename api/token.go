package api

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// TokenFileMode is the mode of the token file: the service writes it, the
// kiosk user's group (set by packaging) reads it.
const TokenFileMode = 0o640

// newToken returns 32 random bytes in hex.
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating api token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// writeTokenFile writes token to path atomically (temporary file in the
// same directory, then rename), with TokenFileMode.
func writeTokenFile(path, token string) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".api-token-*")
	if err != nil {
		return fmt.Errorf("writing api token: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err = f.Chmod(TokenFileMode); err != nil {
		return fmt.Errorf("writing api token: %w", err)
	}
	if _, err = f.WriteString(token + "\n"); err != nil {
		return fmt.Errorf("writing api token: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("writing api token: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("writing api token: %w", err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("writing api token: %w", err)
	}
	return nil
}

// ReadTokenFile returns the token written by the service at path, for the
// shell.
func ReadTokenFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading api token: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if len(tok) != 64 {
		return "", fmt.Errorf("reading api token: %s: malformed token", path)
	}
	return tok, nil
}

// authorized reports whether r carries "Authorization: Bearer <token>".
func (h *Handler) authorized(r *http.Request) bool {
	v := r.Header.Values("Authorization")
	if len(v) != 1 {
		return false
	}
	scheme, tok, ok := strings.Cut(v[0], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(h.token)) == 1
}
