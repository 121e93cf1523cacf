package admin

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// MinPasswordLength is the shortest admin password accepted, in characters.
const MinPasswordLength = 10

// maxPasswordLength bounds the work done on a submitted password.
const maxPasswordLength = 1024

// argon2Params are the argon2id cost parameters stored with each hash.
type argon2Params struct {
	time    uint32 // passes
	memory  uint32 // KiB
	threads uint8
	keyLen  uint32
}

// hashParams are the parameters used for new hashes: RFC 9106 §4 second
// recommended option (t=3, m=64 MiB, p=4), 32-byte key, 16-byte salt. About
// 150 ms on a 2-core kiosk PC. Internal tests lower them.
var hashParams = argon2Params{time: 3, memory: 64 * 1024, threads: 4, keyLen: 32}

// errBadHash means a stored hash could not be parsed.
var errBadHash = errors.New("malformed password hash")

// checkPasswordPolicy returns a French message when p is not acceptable.
func checkPasswordPolicy(p string) error {
	n := len([]rune(p))
	switch {
	case n < MinPasswordLength:
		return fmt.Errorf("le mot de passe doit faire au moins %d caractères", MinPasswordLength)
	case len(p) > maxPasswordLength:
		return fmt.Errorf("le mot de passe doit faire au plus %d octets", maxPasswordLength)
	}
	return nil
}

// hashPassword returns an encoded argon2id hash of p in the PHC string
// format: $argon2id$v=19$m=65536,t=3,p=4$salt$key.
func hashPassword(p string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("reading salt: %w", err)
	}
	pr := hashParams
	key := argon2.IDKey([]byte(p), salt, pr.time, pr.memory, pr.threads, pr.keyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, pr.memory, pr.time, pr.threads, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// verifyPassword reports whether p matches the encoded hash, comparing in
// constant time.
func verifyPassword(encoded, p string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var pr argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &pr.memory, &pr.time, &pr.threads); err != nil {
		return false, errBadHash
	}
	if pr.memory == 0 || pr.memory > 1<<21 || pr.time == 0 || pr.time > 64 || pr.threads == 0 {
		return false, errBadHash
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil || len(want) < 16 {
		return false, errBadHash
	}
	if len(p) > maxPasswordLength {
		return false, nil
	}
	got := argon2.IDKey([]byte(p), salt, pr.time, pr.memory, pr.threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
