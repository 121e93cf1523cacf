package agent

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/internal/passhash"
)

// TestMain lowers the hash costs: the tests check behaviour, the benchmark
// measures the real costs.
func TestMain(m *testing.M) {
	hashParams = cheapParams
	if os.Getenv(helperEnv) != "" {
		os.Exit(helperMain())
	}
	os.Exit(m.Run())
}

// cheapParams are the tests' argon2id parameters.
var cheapParams = passhash.Params{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32}

// newStore returns a Store on a fresh file.
func newStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func mustAdd(t testing.TB, s *Store, name string, role Role, pin, pw string) {
	t.Helper()
	if _, err := s.Add(name, role, pin, pw); err != nil {
		t.Fatalf("Add(%q): %v", name, err)
	}
}

func names(t *testing.T, s *Store) string {
	t.Helper()
	as, err := s.List()
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	var n []string
	for _, a := range as {
		n = append(n, fmt.Sprintf("%s/%s/%v", a.Name, a.Role, a.HasPassword))
	}
	return strings.Join(n, ",")
}

func TestStore_AddListRemove(t *testing.T) {
	s := newStore(t)
	if got := names(t, s); got != "" {
		t.Fatalf("new store lists %q, want no account (no shared default)", got)
	}
	mustAdd(t, s, "  Marie  ", RoleAgent, "482913", "")
	mustAdd(t, s, "Ahmed", RoleAdmin, "730461", "correct horse battery")
	if got, want := names(t, s), "Ahmed/admin/true,Marie/agent/false"; got != want {
		t.Errorf("List = %q, want %q", got, want)
	}
	if _, err := s.Add("marie", RoleAgent, "551902", ""); !errors.Is(err, ErrExists) {
		t.Errorf("Add(marie) twice: %v, want ErrExists (names ignore case)", err)
	}
	if err := s.Remove("MARIE"); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if err := s.Remove("Marie"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Remove again: %v, want ErrNotFound", err)
	}
	if got, want := names(t, s), "Ahmed/admin/true"; got != want {
		t.Errorf("after Remove: %q, want %q", got, want)
	}
	fi, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(s.Path())
	for _, secret := range []string{"730461", "correct horse"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("the file holds a secret in clear: %s", b)
		}
	}
	if !strings.Contains(string(b), `"version": 1`) || !strings.Contains(string(b), "$argon2id$") {
		t.Errorf("file lacks version or argon2id hashes: %s", b)
	}
}

func TestStore_AddInvalid(t *testing.T) {
	s := newStore(t)
	mustAdd(t, s, "Marie", RoleAgent, "482913", "")
	testCases := []struct {
		name, who string
		role      Role
		pin, pw   string
		want      error
	}{
		{"empty name", " ", RoleAgent, "194857", "", ErrInvalid},
		{"control char", "a\x07b", RoleAgent, "194857", "", ErrInvalid},
		{"bad role", "Paul", "root", "194857", "", ErrInvalid},
		{"short pin", "Paul", RoleAgent, "19485", "", ErrInvalid},
		{"letters", "Paul", RoleAgent, "19485a", "", ErrInvalid},
		{"same digit", "Paul", RoleAgent, "000000", "", ErrInvalid},
		{"run up", "Paul", RoleAgent, "123456", "", ErrInvalid},
		{"run down", "Paul", RoleAgent, "987654", "", ErrInvalid},
		{"too long", "Paul", RoleAgent, "1948571948571", "", ErrInvalid},
		{"admin without password", "Paul", RoleAdmin, "194857", "", ErrInvalid},
		{"short password", "Paul", RoleAgent, "194857", "court", ErrInvalid},
		{"pin in use", "Paul", RoleAgent, "482913", "", ErrPINInUse},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Add(tc.who, tc.role, tc.pin, tc.pw)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Add = %v, want %v", err, tc.want)
			}
			if tc.pin != "" && strings.Contains(err.Error(), tc.pin) {
				t.Errorf("error %q shows the PIN", err)
			}
		})
	}
	if got := names(t, s); got != "Marie/agent/false" {
		t.Errorf("after refused adds: %q, want Marie only", got)
	}
}

func TestStore_CheckPIN(t *testing.T) {
	s := newStore(t)
	if _, err := s.CheckPIN("482913"); !errors.Is(err, ErrWrongPIN) {
		t.Errorf("CheckPIN with no account: %v, want ErrWrongPIN", err)
	}
	mustAdd(t, s, "Marie", RoleAgent, "482913", "")
	mustAdd(t, s, "Ahmed", RoleAdmin, "730461", "correct horse battery")
	testCases := []struct{ pin, want string }{
		{"482913", "Marie"}, {"730461", "Ahmed"}, {"482914", ""}, {"", ""}, {"4829130", ""},
		{strings.Repeat("7", 5000), ""},
	}
	for _, tc := range testCases {
		a, err := s.CheckPIN(tc.pin)
		got := ""
		if a != nil {
			got = a.Name
		}
		if got != tc.want || (tc.want == "") != errors.Is(err, ErrWrongPIN) {
			t.Errorf("CheckPIN(%.8q) = %q, %v; want %q", tc.pin, got, err, tc.want)
		}
	}
	if err := s.ResetPIN("marie", "730461"); !errors.Is(err, ErrPINInUse) {
		t.Errorf("ResetPIN to Ahmed's PIN: %v, want ErrPINInUse", err)
	}
	if err := s.ResetPIN("Marie", "482913"); err != nil {
		t.Errorf("ResetPIN to her own PIN: %v", err)
	}
	if err := s.ResetPIN("Marie", "615243"); err != nil {
		t.Fatalf("ResetPIN: %v", err)
	}
	if _, err := s.CheckPIN("482913"); !errors.Is(err, ErrWrongPIN) {
		t.Errorf("old PIN after reset: %v, want ErrWrongPIN", err)
	}
	if a, err := s.CheckPIN("615243"); err != nil || a.Name != "Marie" {
		t.Errorf("new PIN after reset: %v, %v", a, err)
	}
	if err := s.ResetPIN("Nobody", "615244"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ResetPIN(Nobody): %v, want ErrNotFound", err)
	}
}

func TestStore_Authenticate(t *testing.T) {
	s := newStore(t)
	mustAdd(t, s, "Marie", RoleAgent, "482913", "")
	mustAdd(t, s, "Ahmed", RoleAdmin, "730461", "correct horse battery")
	testCases := []struct{ name, pw, want string }{
		{"Ahmed", "correct horse battery", "Ahmed"},
		{"ahmed", "correct horse battery", "Ahmed"},
		{"Ahmed", "correct horse batterY", ""},
		{"Marie", "", ""},
		{"Marie", "correct horse battery", ""},
		{"Nobody", "correct horse battery", ""},
	}
	for _, tc := range testCases {
		a, err := s.Authenticate(tc.name, tc.pw)
		got := ""
		if a != nil {
			got = a.Name
		}
		if got != tc.want || (tc.want == "") != errors.Is(err, ErrBadCredentials) {
			t.Errorf("Authenticate(%q) = %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
	if err := s.SetPassword("Marie", "another long secret"); err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	if a, err := s.Authenticate("Marie", "another long secret"); err != nil || a.Role != RoleAgent {
		t.Errorf("Authenticate after SetPassword: %v, %v", a, err)
	}
	if err := s.SetPassword("Marie", "short"); !errors.Is(err, ErrInvalid) {
		t.Errorf("SetPassword(short): %v, want ErrInvalid", err)
	}
}

func TestStore_SeesOtherWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	a, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.CheckPIN("482913"); !errors.Is(err, ErrWrongPIN) {
		t.Fatalf("before add: %v", err)
	}
	mustAdd(t, b, "Marie", RoleAgent, "482913", "")
	if acc, err := a.CheckPIN("482913"); err != nil || acc.Name != "Marie" {
		t.Fatalf("other store's add not seen: %v, %v", acc, err)
	}
	if err := b.Remove("Marie"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CheckPIN("482913"); !errors.Is(err, ErrWrongPIN) {
		t.Errorf("other store's remove not seen: %v", err)
	}
}

func TestOpen_BadFile(t *testing.T) {
	testCases := []struct{ name, content string }{
		{"not json", "{"},
		{"newer", `{"version": 2, "agents": []}`},
		{"no version", `{"agents": []}`},
		{"unknown field", `{"version": 1, "agents": [], "x": 1}`},
		{"bad hash", `{"version": 1, "agents": [{"name": "M", "role": "agent", "pin_hash": "482913"}]}`},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName)
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := Open(path); !errors.Is(err, ErrBadFile) {
				t.Errorf("Open = %v, want ErrBadFile", err)
			}
			// A writer refuses too, and leaves the file alone.
			s := &Store{path: path, now: time.Now}
			if _, err := s.Add("Paul", RoleAgent, "194857", ""); !errors.Is(err, ErrBadFile) {
				t.Errorf("Add on a bad file = %v, want ErrBadFile", err)
			}
			if b, _ := os.ReadFile(path); string(b) != tc.content {
				t.Errorf("bad file was overwritten: %q", b)
			}
		})
	}
}

func TestOpen_MissingDir(t *testing.T) {
	if _, err := Open(filepath.Join(t.TempDir(), "nope", FileName)); err == nil {
		t.Error("Open in a missing directory succeeded")
	}
}

func TestCheckPINPolicy(t *testing.T) {
	testCases := []struct {
		pin string
		ok  bool
	}{
		{"482913", true}, {"48291375", true}, {"012345", false}, {"543210", false},
		{"111111", false}, {"12345", false}, {"١٢٣٤٥٦", false}, {"48 913", false},
	}
	for _, tc := range testCases {
		if err := CheckPINPolicy(tc.pin); (err == nil) != tc.ok {
			t.Errorf("CheckPINPolicy(%q) = %v, want ok %v", tc.pin, err, tc.ok)
		}
	}
}

// TestStore_UpdatedAlwaysMoves: a change within the second of the last one
// still moves Updated, which the admin page's sessions are stamped with, so
// that a password change always ends the account's sessions.
func TestStore_UpdatedAlwaysMoves(t *testing.T) {
	s := newStore(t)
	now := time.Date(2026, 12, 7, 10, 0, 0, 500, time.UTC)
	s.now = func() time.Time { return now }
	a, err := s.Add("Marie", RoleAgent, "482915", "un mot de passe")
	if err != nil {
		t.Fatal(err)
	}
	prev := a.Updated
	for i, change := range []func() error{
		func() error { return s.SetPassword("Marie", "un autre mot de passe") },
		func() error { return s.ResetPIN("Marie", "593016") },
		func() error { return s.SetPassword("Marie", "encore un mot de passe") },
	} {
		if err := change(); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get("Marie")
		if err != nil {
			t.Fatal(err)
		}
		if !got.Updated.After(prev) {
			t.Errorf("change %d in the same second: Updated = %v, not after %v", i, got.Updated, prev)
		}
		prev = got.Updated
	}
}
