package remote

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/blake2b"
)

// Prefixes and algorithm tags of minisign's text formats.
const (
	untrustedPrefix = "untrusted comment: "
	trustedPrefix   = "trusted comment: "

	algEd25519 = "Ed" // key algorithm; also the legacy, non-prehashed signature
	algHashed  = "ED" // signature over the BLAKE2b-512 hash of the message
)

// Sizes of minisign's binary blobs.
const (
	keyIDSize     = 8
	publicKeySize = 2 + keyIDSize + ed25519.PublicKeySize // 42
	signatureSize = 2 + keyIDSize + ed25519.SignatureSize // 74

	// maxCommentSize bounds a comment line, as minisign does (8 KiB for the
	// trusted one).
	maxCommentSize = 8192
)

// Errors returned by verification. Each one means the file must not be used.
var (
	// ErrBadSignature means the signature does not verify with the key.
	ErrBadSignature = errors.New("signature does not verify")

	// ErrWrongKey means the signature was made by another key.
	ErrWrongKey = errors.New("signature made with another key")

	// ErrLegacySignature means the signature is minisign's legacy,
	// non-prehashed kind ("Ed"), which is refused.
	ErrLegacySignature = errors.New(`legacy "Ed" signature refused (sign again with minisign >= 0.10 or kiosk allowlist sign)`)
)

// KeyID is minisign's 8-byte key number.
type KeyID [keyIDSize]byte

// String returns the key ID as minisign prints it: 16 upper-case hex digits
// of the little-endian number.
func (id KeyID) String() string {
	return fmt.Sprintf("%016X", binary.LittleEndian.Uint64(id[:]))
}

// PublicKey is a minisign public key.
type PublicKey struct {
	// ID is the key number that signatures carry.
	ID KeyID
	// Key is the ed25519 public key.
	Key ed25519.PublicKey
}

// ParsePublicKey parses a minisign public key given either as its base64 line
// ("RWQ…") or as the whole content of a minisign.pub file.
func ParsePublicKey(s string) (PublicKey, error) {
	s = strings.TrimSpace(s)
	lines := strings.Split(s, "\n")
	line := strings.TrimSpace(lines[len(lines)-1])
	if len(lines) > 2 || (len(lines) == 2 && !strings.HasPrefix(lines[0], untrustedPrefix)) {
		return PublicKey{}, errors.New("parsing public key: want the base64 key or a minisign .pub file")
	}
	raw, err := base64.StdEncoding.DecodeString(line)
	if err != nil {
		return PublicKey{}, fmt.Errorf("parsing public key: %w", err)
	}
	if len(raw) != publicKeySize || string(raw[:2]) != algEd25519 {
		return PublicKey{}, fmt.Errorf("parsing public key: not a minisign ed25519 key (%d bytes)", len(raw))
	}
	var pk PublicKey
	copy(pk.ID[:], raw[2:10])
	pk.Key = ed25519.PublicKey(bytes.Clone(raw[10:]))
	return pk, nil
}

// String returns the key as a minisign.pub file.
func (pk PublicKey) String() string {
	raw := make([]byte, 0, publicKeySize)
	raw = append(raw, algEd25519...)
	raw = append(raw, pk.ID[:]...)
	raw = append(raw, pk.Key...)
	return fmt.Sprintf("%sminisign public key %s\n%s\n", untrustedPrefix, pk.ID,
		base64.StdEncoding.EncodeToString(raw))
}

// Signature is a parsed minisign signature file (.minisig).
type Signature struct {
	// Algorithm is "ED" (prehashed) or "Ed" (legacy).
	Algorithm string
	// KeyID is the number of the key that made the signature.
	KeyID KeyID
	// Signature is the ed25519 signature of the file (or of its hash).
	Signature []byte
	// UntrustedComment can be changed by anyone; never act on it.
	UntrustedComment string
	// TrustedComment is covered by the global signature.
	TrustedComment string
	// GlobalSignature signs Signature followed by TrustedComment.
	GlobalSignature []byte
}

// ParseSignature parses a minisign signature file: an untrusted comment line,
// the base64 signature, a trusted comment line and the base64 global
// signature. It checks the shape only; [PublicKey.Verify] checks the rest.
func ParseSignature(data []byte) (Signature, error) {
	lines := strings.Split(strings.TrimRight(string(data), "\r\n"), "\n")
	if len(lines) != 4 {
		return Signature{}, fmt.Errorf("parsing signature: want 4 lines, got %d", len(lines))
	}
	for i := range lines {
		lines[i] = strings.TrimSuffix(lines[i], "\r")
		if len(lines[i]) > maxCommentSize+len(trustedPrefix) {
			return Signature{}, fmt.Errorf("parsing signature: line %d too long", i+1)
		}
	}
	var sig Signature
	var ok bool
	if sig.UntrustedComment, ok = strings.CutPrefix(lines[0], untrustedPrefix); !ok {
		return Signature{}, errors.New("parsing signature: line 1 is not an untrusted comment")
	}
	raw, err := base64.StdEncoding.DecodeString(lines[1])
	if err != nil || len(raw) != signatureSize {
		return Signature{}, errors.New("parsing signature: line 2 is not a minisign signature")
	}
	sig.Algorithm = string(raw[:2])
	if sig.Algorithm != algHashed && sig.Algorithm != algEd25519 {
		return Signature{}, fmt.Errorf("parsing signature: unknown algorithm %q", sig.Algorithm)
	}
	copy(sig.KeyID[:], raw[2:10])
	sig.Signature = raw[10:]
	if sig.TrustedComment, ok = strings.CutPrefix(lines[2], trustedPrefix); !ok {
		return Signature{}, errors.New("parsing signature: line 3 is not a trusted comment")
	}
	sig.GlobalSignature, err = base64.StdEncoding.DecodeString(lines[3])
	if err != nil || len(sig.GlobalSignature) != ed25519.SignatureSize {
		return Signature{}, errors.New("parsing signature: line 4 is not a global signature")
	}
	return sig, nil
}

// Verify checks that sig is a valid prehashed signature of msg by pk and that
// its trusted comment is authentic. Any error means msg must not be used.
func (pk PublicKey) Verify(msg []byte, sig Signature) error {
	if sig.KeyID != pk.ID {
		return fmt.Errorf("%w: signature key %s, trusted key %s", ErrWrongKey, sig.KeyID, pk.ID)
	}
	if sig.Algorithm != algHashed {
		return ErrLegacySignature
	}
	h := blake2b.Sum512(msg)
	if !ed25519.Verify(pk.Key, h[:], sig.Signature) {
		return fmt.Errorf("%w: file", ErrBadSignature)
	}
	global := append(bytes.Clone(sig.Signature), sig.TrustedComment...)
	if !ed25519.Verify(pk.Key, global, sig.GlobalSignature) {
		return fmt.Errorf("%w: trusted comment", ErrBadSignature)
	}
	return nil
}

// FileName returns the "file:NAME" field of the trusted comment, as minisign
// and kiosk allowlist sign write it (the signed file's base name), and
// whether there was one. Fields are separated by tabs; a name may hold
// spaces.
func (sig Signature) FileName() (string, bool) {
	for _, f := range strings.Split(sig.TrustedComment, "\t") {
		if v, ok := strings.CutPrefix(f, "file:"); ok && v != "" {
			return v, true
		}
	}
	return "", false
}

// Timestamp returns the "timestamp:N" field of the trusted comment (Unix
// seconds), as minisign and kiosk allowlist sign write it, and whether there
// was one.
func (sig Signature) Timestamp() (int64, bool) {
	for _, f := range strings.FieldsFunc(sig.TrustedComment, func(r rune) bool { return r == '\t' || r == ' ' }) {
		if v, ok := strings.CutPrefix(f, "timestamp:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}
