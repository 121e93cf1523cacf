package admin

import (
	"fmt"

	"github.com/communes/kiosk/internal/passhash"
)

// MinPasswordLength is the shortest admin password accepted, in characters.
const MinPasswordLength = 10

// maxPasswordLength bounds the work done on a submitted password.
const maxPasswordLength = 1024

// hashParams are the argon2id parameters of new hashes: passhash.Default
// (docs/admin.md). Internal tests lower them.
var hashParams = passhash.Default

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
// format: $argon2id$v=19$m=19456,t=2,p=1$salt$key.
func hashPassword(p string) (string, error) {
	return passhash.Hash(p, hashParams)
}

// verifyPassword reports whether p matches the encoded hash (made with any
// parameters), comparing in constant time. An error wraps
// passhash.ErrMalformed.
func verifyPassword(encoded, p string) (bool, error) {
	if len(p) > maxPasswordLength {
		if err := passhash.Check(encoded); err != nil {
			return false, err
		}
		return false, nil
	}
	return passhash.Verify(encoded, p)
}
