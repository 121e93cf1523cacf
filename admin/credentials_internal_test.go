package admin

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/communes/kiosk/internal/passhash"
)

func TestSetPassword_KeepsOtherEntries(t *testing.T) {
	path := filepath.Join(t.TempDir(), CredentialsFileName)
	if err := os.WriteFile(path, []byte(`{"version":1,"agents":{"marie":{"pin":"$argon2id$x"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := SetPassword(path, testPassword); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc["agents"]), "marie") {
		t.Errorf("agents entry lost:\n%s", b)
	}
	c := &credentialStore{path: path}
	h, err := c.adminHash()
	if err != nil || h == "" {
		t.Fatalf("adminHash = %q, %v", h, err)
	}
	if ok, err := verifyPassword(h, testPassword); !ok || err != nil {
		t.Errorf("verify(right) = %v, %v", ok, err)
	}
	if ok, _ := verifyPassword(h, testPassword+"x"); ok {
		t.Error("verify(wrong) = true")
	}
	if err := CreatePassword(path, "another long password"); !errors.Is(err, ErrPasswordSet) {
		t.Errorf("CreatePassword over a set password: %v, want ErrPasswordSet", err)
	}
	if err := SetPassword(path, "short"); err == nil {
		t.Error("short password accepted")
	}
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".credentials-*"))
	if len(matches) != 0 {
		t.Errorf("temporary files left: %v", matches)
	}
}

func TestSetPassword_RefusesBadFile(t *testing.T) {
	testCases := []struct{ name, content string }{
		{"not json", "admin: x"},
		{"newer version", `{"version": 2, "admin": {"hash": "x"}}`},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), CredentialsFileName)
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := SetPassword(path, testPassword); err == nil {
				t.Fatal("SetPassword over a bad file succeeded")
			}
			if b, _ := os.ReadFile(path); string(b) != tc.content {
				t.Errorf("bad file was changed to %q", b)
			}
		})
	}
}

func TestVerifyPassword_Malformed(t *testing.T) {
	for _, h := range []string{"", "$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=18$m=1024,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=1024,t=1,p=1$!!$a2V5"} {
		if ok, err := verifyPassword(h, "x"); ok || !errors.Is(err, passhash.ErrMalformed) {
			t.Errorf("verifyPassword(%q) = %v, %v; want false, ErrMalformed", h, ok, err)
		}
	}
}

// TestVerifyPassword_EarlierParams: a credentials file written before
// passhash (m=64 MiB, t=3, p=4) still logs in.
func TestVerifyPassword_EarlierParams(t *testing.T) {
	const h = "$argon2id$v=19$m=65536,t=3,p=4$zmK7UM9ybZmJdzeq+WC9kQ$FDWepdK0lgppbb4ZXFTsqoexq785A6u3vGV2FCmmsVA"
	if ok, err := verifyPassword(h, "correct horse battery staple"); !ok || err != nil {
		t.Errorf("verifyPassword(right) = %v, %v; want true, nil", ok, err)
	}
	if ok, err := verifyPassword(h, "correct horse battery stapler"); ok || err != nil {
		t.Errorf("verifyPassword(wrong) = %v, %v; want false, nil", ok, err)
	}
}

func TestHashPassword_RealParams(t *testing.T) {
	saved := hashParams
	hashParams = passhash.Default
	defer func() { hashParams = saved }()
	h, err := hashPassword(testPassword)
	if err != nil || !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash = %q, %v", h, err)
	}
}
