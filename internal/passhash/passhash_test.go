package passhash_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/communes/kiosk/internal/passhash"
)

// cheap keeps the tests fast; Default is tested once.
var cheap = passhash.Params{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32}

// fixtures were made by the two encoders this package replaces, before it
// existed: admin/password.go (m=64 MiB, t=3, p=4) and agent/hash.go (PINs:
// m=19 MiB, t=2, p=1; passwords: m=64 MiB, t=3, p=4). Stored files hold such
// hashes: they must keep verifying.
var fixtures = []struct{ name, secret, hash string }{
	{"admin password", "correct horse battery staple", "$argon2id$v=19$m=65536,t=3,p=4$zmK7UM9ybZmJdzeq+WC9kQ$FDWepdK0lgppbb4ZXFTsqoexq785A6u3vGV2FCmmsVA"},
	{"admin password 2", "Mairie-2024!", "$argon2id$v=19$m=65536,t=3,p=4$OvyCwZRDOt3Bm5mX6Ab3ow$LN+czmwAaFgtyaOvWNriW97EeL0PVe1c8ZeYoTjTxNY"},
	{"agent PIN", "4821", "$argon2id$v=19$m=19456,t=2,p=1$yKx6uccA6/2d4S7c5Av00A$ZA6uykmSe2o3853a5M8ju7RyV4wXNV7cV1zWDOg3tS8"},
	{"agent PIN 2", "097315", "$argon2id$v=19$m=19456,t=2,p=1$bQ6RyvcX1ZPzszqLhVlAXQ$ZCMS4zbVCuS8+tZeXkTYbrVYiIfjTXCdh6Y30mbSHuc"},
	{"agent password", "correct horse battery", "$argon2id$v=19$m=65536,t=3,p=4$fh3dUxYCa+P4S+WT22xEwQ$ainvCRTl8GS7l03+s6TpFlw/nQSIJDhq+DXltYGOVhg"},
	{"agent password 2", "Guichet-Été-7", "$argon2id$v=19$m=65536,t=3,p=4$AFljEdhptnRjdESTzQCuAQ$+l03gth1JODLEtq5spLJyapA+XrNrpxz7Hit3C87kSc"},
}

func TestVerify_earlierHashes(t *testing.T) {
	for _, tc := range fixtures {
		t.Run(tc.name, func(t *testing.T) {
			if ok, err := passhash.Verify(tc.hash, tc.secret); !ok || err != nil {
				t.Errorf("Verify(right) = %v, %v; want true, nil", ok, err)
			}
			if ok, err := passhash.Verify(tc.hash, tc.secret+"x"); ok || err != nil {
				t.Errorf("Verify(wrong) = %v, %v; want false, nil", ok, err)
			}
		})
	}
}

func TestHash_default(t *testing.T) {
	h, err := passhash.Hash("1234", passhash.Default)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("Hash = %q, want OWASP's parameters m=19456,t=2,p=1", h)
	}
	if ok, err := passhash.Verify(h, "1234"); !ok || err != nil {
		t.Errorf("Verify(right) = %v, %v", ok, err)
	}
}

func TestHash_roundTrip(t *testing.T) {
	h1, err := passhash.Hash("Guichet-Été-7", cheap)
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := passhash.Hash("Guichet-Été-7", cheap)
	if h1 == h2 {
		t.Error("two hashes of one secret are equal: the salt is not fresh")
	}
	if err := passhash.Check(h1); err != nil {
		t.Errorf("Check(%q) = %v", h1, err)
	}
	for secret, want := range map[string]bool{"Guichet-Été-7": true, "Guichet-Ete-7": false, "": false} {
		if ok, err := passhash.Verify(h1, secret); ok != want || err != nil {
			t.Errorf("Verify(%q) = %v, %v; want %v, nil", secret, ok, err, want)
		}
	}
}

func TestVerify_malformed(t *testing.T) {
	good := fixtures[2].hash
	testCases := []struct{ name, hash string }{
		{"empty", ""},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", strings.Replace(good, "argon2id", "argon2i", 1)},
		{"prefix", "x" + good},
		{"version", strings.Replace(good, "v=19", "v=16", 1)},
		{"no params", strings.Replace(good, "m=19456,t=2,p=1", "", 1)},
		{"zero time", strings.Replace(good, "t=2", "t=0", 1)},
		{"huge memory", strings.Replace(good, "m=19456", "m=4194304", 1)},
		{"zero threads", strings.Replace(good, "p=1", "p=0", 1)},
		{"bad salt", strings.Replace(good, "yKx6uccA6/2d4S7c5Av00A", "!!", 1)},
		{"short key", good[:strings.LastIndex(good, "$")+1] + "AAAA"},
		{"extra field", good + "$x"},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			if ok, err := passhash.Verify(tc.hash, "4821"); ok || !errors.Is(err, passhash.ErrMalformed) {
				t.Errorf("Verify(%q) = %v, %v; want false, ErrMalformed", tc.hash, ok, err)
			}
			if err := passhash.Check(tc.hash); !errors.Is(err, passhash.ErrMalformed) {
				t.Errorf("Check(%q) = %v, want ErrMalformed", tc.hash, err)
			}
		})
	}
}

func TestHasParams(t *testing.T) {
	h, err := passhash.Hash("Guichet-Été-7", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !passhash.HasParams(h, cheap) {
		t.Errorf("HasParams(%q, cheap) = false, want true", h)
	}
	if passhash.HasParams(h, passhash.Default) {
		t.Errorf("HasParams(%q, Default) = true, want false", h)
	}
	if passhash.HasParams(fixtures[0].hash, passhash.Default) {
		t.Errorf("HasParams(earlier password hash, Default) = true, want false")
	}
	if !passhash.HasParams(fixtures[2].hash, passhash.Default) {
		t.Errorf("HasParams(earlier PIN hash, Default) = false, want true (the same parameters)")
	}
	if passhash.HasParams("$argon2id$", passhash.Default) {
		t.Error("HasParams(malformed) = true")
	}
}
