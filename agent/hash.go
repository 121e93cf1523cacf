package agent

import "github.com/communes/kiosk/internal/passhash"

// hashParams are the argon2id parameters of new PIN and password hashes:
// passhash.Default, OWASP's m=19 MiB, t=2, p=1 (docs/admin.md). A PIN check
// verifies every account's hash, so each must stay cheap (about 40 ms on a
// kiosk PC); the keypad lockout, not the KDF, stops guessing on the kiosk.
// Hashes made with other parameters (passwords before passhash: m=64 MiB,
// t=3, p=4) keep verifying: a hash carries its parameters. Internal tests
// lower them.
var hashParams = passhash.Default
