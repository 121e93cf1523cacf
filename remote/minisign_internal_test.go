package remote

import (
	"bytes"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
)

// Made with minisign 0.11 (Debian 12): minisign -G -W, then minisign -S -m f
// where f is "hello\n".
const (
	vecPub = `untrusted comment: minisign public key B7F33F9E3880EB0E
RWQO64A4nj/zt9QeoVpbcueeH7AWp5FVCkLKF7LgixuoYIDkXFvHAS8h
`
	vecSig = `untrusted comment: signature from minisign secret key
RUQO64A4nj/zt/TiH+y1+RScDTzr08bodhSNKnyIvcgL5A86EXZkI2OPs+w37Kd7jc37iaGc2SSNFWl/Fsf6ibX3C8xin+0kyQg=
trusted comment: timestamp:1795644479	file:f	hashed
USwP00ALeNjQ7fSeqIEwM7Q2uHN0W1f5eBuquepyunnROcEgHUe3A9X8cfJH3Mqzok6r5jwpzxAq+1h0033kBQ==
`
	vecKey = `untrusted comment: minisign encrypted secret key
RWQAAEIyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAADuuAOJ4/87c6n8zmdMl4UPO44UxfMay5wuT0IO0Xc4vzCIk+T4jAHNQeoVpbcueeH7AWp5FVCkLKF7LgixuoYIDkXFvHAS8hAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
`
	vecMsg = "hello\n"
)

func TestPublicKey_Verify_minisignVector(t *testing.T) {
	pk, err := ParsePublicKey(vecPub)
	if err != nil {
		t.Fatalf("ParsePublicKey: %v", err)
	}
	if got, want := pk.ID.String(), "B7F33F9E3880EB0E"; got != want {
		t.Errorf("ID = %s, want %s", got, want)
	}
	// The base64 line alone works too.
	pk2, err := ParsePublicKey("RWQO64A4nj/zt9QeoVpbcueeH7AWp5FVCkLKF7LgixuoYIDkXFvHAS8h")
	if err != nil || !bytes.Equal(pk2.Key, pk.Key) {
		t.Fatalf("ParsePublicKey(base64 line) = %v, %v", pk2, err)
	}
	if pk.String() != vecPub {
		t.Errorf("String() = %q, want %q", pk.String(), vecPub)
	}
	sig, err := ParseSignature([]byte(vecSig))
	if err != nil {
		t.Fatalf("ParseSignature: %v", err)
	}
	if err := pk.Verify([]byte(vecMsg), sig); err != nil {
		t.Errorf("Verify(minisign's signature) = %v, want nil", err)
	}
	if ts, ok := sig.Timestamp(); !ok || ts != 1795644479 {
		t.Errorf("Timestamp() = %d, %v", ts, ok)
	}
	sk, err := ParseSecretKey([]byte(vecKey), nil)
	if err != nil {
		t.Fatalf("ParseSecretKey(minisign -W key): %v", err)
	}
	if !bytes.Equal(sk.Public().Key, pk.Key) || sk.ID != pk.ID {
		t.Errorf("secret key does not match the public key")
	}
}

func TestPublicKey_Verify(t *testing.T) {
	k := mustKey(t)
	other := mustKey(t)
	msg := []byte("version: 1\nsites: []\n")
	good, err := k.Sign(msg, "u", "timestamp:10\tfile:a.yaml\thashed")
	if err != nil {
		t.Fatal(err)
	}
	byOther, _ := other.Sign(msg, "u", "timestamp:10")
	lines := strings.Split(string(good), "\n")
	legacy := strings.Join([]string{lines[0], "RW" + lines[1][2:], lines[2], lines[3], ""}, "\n") // "ED" -> "Ed"
	forgedComment := strings.Join([]string{lines[0], lines[1], "trusted comment: timestamp:99", lines[3], ""}, "\n")
	untrustedChanged := strings.Join([]string{"untrusted comment: anything", lines[1], lines[2], lines[3], ""}, "\n")

	testCases := []struct {
		name    string
		msg     []byte
		sig     string
		wantErr error
	}{
		{"good", msg, string(good), nil},
		{"untrusted comment changed", msg, untrustedChanged, nil},
		{"tampered file", append(bytes.Clone(msg), ' '), string(good), ErrBadSignature},
		{"empty file", nil, string(good), ErrBadSignature},
		{"forged trusted comment", msg, forgedComment, ErrBadSignature},
		{"wrong key", msg, string(byOther), ErrWrongKey},
		{"legacy", msg, legacy, ErrLegacySignature},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			sig, err := ParseSignature([]byte(tc.sig))
			if err != nil {
				t.Fatalf("ParseSignature: %v", err)
			}
			err = k.Public().Verify(tc.msg, sig)
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("Verify() = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestParseSignature_malformed(t *testing.T) {
	lines := strings.Split(vecSig, "\n")
	testCases := []struct{ name, sig string }{
		{"empty", ""},
		{"three lines", strings.Join(lines[:3], "\n")},
		{"no untrusted prefix", strings.Join([]string{"comment", lines[1], lines[2], lines[3]}, "\n")},
		{"no trusted prefix", strings.Join([]string{lines[0], lines[1], "timestamp:1", lines[3]}, "\n")},
		{"bad base64", strings.Join([]string{lines[0], "!!!", lines[2], lines[3]}, "\n")},
		{"short signature", strings.Join([]string{lines[0], "RUQO64A4", lines[2], lines[3]}, "\n")},
		{"short global", strings.Join([]string{lines[0], lines[1], lines[2], "USwP"}, "\n")},
		{"unknown algorithm", strings.Join([]string{lines[0], "X" + lines[1][1:], lines[2], lines[3]}, "\n")},
		{"yaml instead", "version: 1\nsites: []\n"},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseSignature([]byte(tc.sig)); err == nil {
				t.Errorf("ParseSignature(%q) = nil error, want one", tc.sig)
			}
		})
	}
}

func TestParsePublicKey_malformed(t *testing.T) {
	for _, s := range []string{"", "RWQ", "not base64!", vecSig, "untrusted comment: x\nRUQO64A4nj/zt/TiH+y1+RScDTzr08bodhSNKnyIvcgL5A86EXZkI2OPs+w37Kd7jc37iaGc2SSNFWl/Fsf6ibX3C8xin+0kyQg="} {
		if _, err := ParsePublicKey(s); err == nil {
			t.Errorf("ParsePublicKey(%q) = nil error, want one", s)
		}
	}
}

func TestPrivateKey_MarshalSecretKey(t *testing.T) {
	k := mustKey(t)
	small := ScryptLimits{Ops: 32768, Mem: 16 << 20} // N=2^10: fast
	testCases := []struct {
		name      string
		password  string
		read      string
		wantErr   bool
		encrypted bool
	}{
		{"encrypted", "correct horse", "correct horse", false, true},
		{"wrong password", "correct horse", "battery", true, true},
		{"missing password", "correct horse", "", true, true},
		{"unencrypted", "", "", false, false},
		{"unencrypted ignores password", "", "x", false, false},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			data, err := k.MarshalSecretKey([]byte(tc.password), small, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			if tc.encrypted && bytes.Contains(data, []byte("not encrypted")) {
				t.Errorf("encrypted key says it is not encrypted")
			}
			got, err := ParseSecretKey(data, []byte(tc.read))
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseSecretKey() error = %v, wantErr %v", err, tc.wantErr)
			}
			if err == nil && (!bytes.Equal(got.Key, k.Key) || got.ID != k.ID) {
				t.Errorf("ParseSecretKey() returned another key")
			}
		})
	}
}

func TestScryptParams(t *testing.T) {
	testCases := []struct {
		name  string
		l     ScryptLimits
		nLog2 uint
		r, p  int
	}{
		{"minisign default", DefaultScryptLimits, 20, 8, 1},
		{"small", ScryptLimits{Ops: 32768, Mem: 16 << 20}, 10, 8, 1},
		{"interactive", ScryptLimits{Ops: 524288, Mem: 16777216}, 14, 8, 1},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			n, r, p := scryptParams(tc.l)
			if n != tc.nLog2 || r != tc.r || p != tc.p {
				t.Errorf("scryptParams(%v) = %d, %d, %d, want %d, %d, %d", tc.l, n, r, p, tc.nLog2, tc.r, tc.p)
			}
		})
	}
}

func mustKey(t *testing.T) PrivateKey {
	t.Helper()
	k, err := GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func BenchmarkPublicKey_Verify(b *testing.B) {
	k, err := GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	msg := bytes.Repeat([]byte("  - name: CAF\n    hosts: [caf.fr]\n"), 600) // ~20 KB, a large allowlist
	sigData, err := k.Sign(msg, "bench", "timestamp:1\tfile:allowlist.yaml\thashed")
	if err != nil {
		b.Fatal(err)
	}
	pk := k.Public()
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		sig, err := ParseSignature(sigData)
		if err != nil {
			b.Fatal(err)
		}
		if err := pk.Verify(msg, sig); err != nil {
			b.Fatal(err)
		}
	}
}
