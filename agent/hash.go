package agent

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// params are the argon2id cost parameters of one hash; they are stored in
// the hash itself (PHC string format), so they can change later.
type params struct {
	time    uint32 // passes
	memory  uint32 // KiB
	threads uint8
	keyLen  uint32
}

// Parameters of new hashes. Internal tests lower them.
var (
	// pinParams: OWASP's argon2id minimum (m=19 MiB, t=2, p=1). A PIN
	// check verifies every account's hash, so each must stay cheap
	// (about 40 ms on a kiosk PC); the keypad lockout, not the KDF,
	// stops guessing on the kiosk.
	pinParams = params{time: 2, memory: 19 * 1024, threads: 1, keyLen: 32}
	// passwordParams: RFC 9106 §4 second recommended option (t=3,
	// m=64 MiB, p=4), as the admin page's own password.
	passwordParams = params{time: 3, memory: 64 * 1024, threads: 4, keyLen: 32}
)

// errBadHash means a stored hash could not be parsed.
var errBadHash = errors.New("malformed hash")

// hash returns the encoded argon2id hash of secret with a fresh 16-byte
// salt: $argon2id$v=19$m=19456,t=2,p=1$salt$key.
func hash(secret string, pr params) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("reading salt: %w", err)
	}
	key := argon2.IDKey([]byte(secret), salt, pr.time, pr.memory, pr.threads, pr.keyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		pr.memory, pr.time, pr.threads, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// decoded is a parsed hash.
type decoded struct {
	pr        params
	salt, key []byte
}

// parseHash parses an encoded hash, refusing absurd parameters.
func parseHash(encoded string) (decoded, error) {
	var d decoded
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return d, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return d, errBadHash
	}
	pr := &d.pr
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &pr.memory, &pr.time, &pr.threads); err != nil {
		return d, errBadHash
	}
	if pr.memory < 8 || pr.memory > 1<<21 || pr.time == 0 || pr.time > 64 || pr.threads == 0 {
		return d, errBadHash
	}
	enc := base64.RawStdEncoding
	var err error
	if d.salt, err = enc.DecodeString(parts[4]); err != nil || len(d.salt) < 8 {
		return d, errBadHash
	}
	if d.key, err = enc.DecodeString(parts[5]); err != nil || len(d.key) < 16 || len(d.key) > 64 {
		return d, errBadHash
	}
	pr.keyLen = uint32(len(d.key))
	return d, nil
}

// verify reports whether secret matches d, comparing in constant time.
func (d decoded) verify(secret string) bool {
	got := argon2.IDKey([]byte(secret), d.salt, d.pr.time, d.pr.memory, d.pr.threads, d.pr.keyLen)
	return subtle.ConstantTimeCompare(got, d.key) == 1
}

// verify reports whether secret matches the encoded hash.
func verify(encoded, secret string) (bool, error) {
	d, err := parseHash(encoded)
	if err != nil {
		return false, err
	}
	return d.verify(secret), nil
}

// dummy does the work of one verification with pr, for constant-time
// answers when there is nothing to compare with.
func dummy(secret string, pr params) {
	_ = argon2.IDKey([]byte(secret), make([]byte, 16), pr.time, pr.memory, pr.threads, pr.keyLen)
}
