// Package passhash hashes the kiosk's secrets (the admin page's passwords,
// agents' PINs and passwords) with argon2id, in the PHC string format:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>
//
// New hashes use one parameter set, Default. A hash carries its own
// parameters, so Verify checks hashes made with other parameters too (the
// admin page's and agent passwords' earlier m=64 MiB, t=3, p=4).
package passhash

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters.
type Params struct {
	// Time is the number of passes over the memory.
	Time uint32
	// MemoryKiB is the memory used, in KiB.
	MemoryKiB uint32
	// Threads is the degree of parallelism.
	Threads uint8
	// KeyLen is the length of the derived key, in bytes.
	KeyLen uint32
}

// Default are the parameters of every new hash: OWASP's argon2id
// recommendation (m=19 MiB, t=2, p=1) and a 32-byte key, with a 16-byte
// salt. A check takes about 40 ms and 19 MiB on a kiosk PC. One set serves
// both PINs and passwords: a PIN check verifies every account's hash, so
// each must stay cheap, and the lockouts (the keypad's, the login page's),
// not the KDF, stop guessing online. Tests may use cheaper parameters.
var Default = Params{Time: 2, MemoryKiB: 19 * 1024, Threads: 1, KeyLen: 32}

// ErrMalformed means an encoded hash could not be parsed or has absurd
// parameters.
var ErrMalformed = errors.New("malformed argon2id hash")

// saltLen is the length of a new hash's salt, in bytes.
const saltLen = 16

// enc encodes salts and keys as the PHC format does.
var enc = base64.RawStdEncoding

// Hash returns the encoded argon2id hash of secret with parameters p and a
// fresh random salt. Callers use Default outside tests.
func Hash(secret string, p Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("reading salt: %w", err)
	}
	key := argon2.IDKey([]byte(secret), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		p.MemoryKiB, p.Time, p.Threads, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// Verify reports whether secret matches the encoded hash, with the
// parameters the hash carries, comparing in constant time. An error wraps
// ErrMalformed.
func Verify(encoded, secret string) (bool, error) {
	h, err := parse(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(secret), h.salt, h.p.Time, h.p.MemoryKiB, h.p.Threads, h.p.KeyLen)
	return subtle.ConstantTimeCompare(got, h.key) == 1, nil
}

// Check returns an error wrapping ErrMalformed when encoded is not a hash
// Verify can check. It runs no argon2id.
func Check(encoded string) error {
	_, err := parse(encoded)
	return err
}

// HasParams reports whether encoded is a well-formed hash made with p. A
// caller rehashes a secret it has just verified when it is not, so that
// every hash ends up costing the same (see Dummy).
func HasParams(encoded string, p Params) bool {
	h, err := parse(encoded)
	return err == nil && h.p == p
}

// Dummy does the work of one verification with parameters p, for answers
// that take as long when there is no hash to compare with.
func Dummy(secret string, p Params) {
	_ = argon2.IDKey([]byte(secret), make([]byte, saltLen), p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
}

// decoded is a parsed hash.
type decoded struct {
	p         Params
	salt, key []byte
}

// parse parses an encoded hash, refusing absurd parameters (more than
// 2 GiB of memory or 64 passes, a salt under 8 bytes, a key outside 16-64
// bytes).
func parse(encoded string) (decoded, error) {
	var d decoded
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return d, ErrMalformed
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return d, ErrMalformed
	}
	p := &d.p
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return d, ErrMalformed
	}
	if p.MemoryKiB < 8 || p.MemoryKiB > 1<<21 || p.Time == 0 || p.Time > 64 || p.Threads == 0 {
		return d, ErrMalformed
	}
	var err error
	if d.salt, err = enc.DecodeString(parts[4]); err != nil || len(d.salt) < 8 {
		return d, ErrMalformed
	}
	if d.key, err = enc.DecodeString(parts[5]); err != nil || len(d.key) < 16 || len(d.key) > 64 {
		return d, ErrMalformed
	}
	p.KeyLen = uint32(len(d.key))
	return d, nil
}
