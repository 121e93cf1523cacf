package agent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStore_EarlierHashes: an accounts file written before passhash (PIN
// m=19 MiB, t=2, p=1; password m=64 MiB, t=3, p=4) still checks its PIN and
// its password; a right password is hashed again with today's parameters
// (and the account's Updated time stays), and a new PIN is hashed with
// today's parameters.
func TestStore_EarlierHashes(t *testing.T) {
	const doc = `{"version": 1, "agents": [{"name": "Claire Martin", "role": "admin",
 "pin_hash": "$argon2id$v=19$m=19456,t=2,p=1$yKx6uccA6/2d4S7c5Av00A$ZA6uykmSe2o3853a5M8ju7RyV4wXNV7cV1zWDOg3tS8",
 "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$fh3dUxYCa+P4S+WT22xEwQ$ainvCRTl8GS7l03+s6TpFlw/nQSIJDhq+DXltYGOVhg",
 "created": "2026-01-05T09:00:00Z", "updated": "2026-01-05T09:00:00Z"}]}`
	path := filepath.Join(t.TempDir(), FileName)
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if a, err := s.CheckPIN("4821"); err != nil || a.Name != "Claire Martin" {
		t.Errorf("CheckPIN(right) = %v, %v; want Claire Martin", a, err)
	}
	if _, err := s.CheckPIN("4822"); err == nil {
		t.Error("CheckPIN(wrong) = nil error")
	}
	if _, err := s.Authenticate("Claire Martin", "correct horse batteries"); err == nil {
		t.Error("Authenticate(wrong) = nil error")
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), "m=65536,t=3,p=4") {
		t.Errorf("a wrong password changed the earlier hash:\n%s", b)
	}
	if a, err := s.Authenticate("claire martin", "correct horse battery"); err != nil || a.Name != "Claire Martin" {
		t.Fatalf("Authenticate(right) = %v, %v; want Claire Martin", a, err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "m=65536,t=3,p=4") || strings.Count(string(b), "m=64,t=1,p=1$") != 1 {
		t.Errorf("after a right password, the password hash is not rehashed with today's parameters:\n%s", b)
	}
	if a, err := s.Authenticate("Claire Martin", "correct horse battery"); err != nil || !a.Updated.Equal(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("Authenticate after the rehash = %+v, %v; want the same Updated time", a, err)
	}
	if _, err := s.Authenticate("Claire Martin", "correct horse batteries"); err == nil {
		t.Error("Authenticate(wrong) after the rehash = nil error")
	}
	if err := s.ResetPIN("Claire Martin", "593017"); err != nil {
		t.Fatal(err)
	}
	if b, err = os.ReadFile(path); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "m=64,t=1,p=1$"); n != 2 {
		t.Errorf("file after ResetPIN has %d hashes with today's parameters, want 2:\n%s", n, b)
	}
}
