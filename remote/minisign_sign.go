package remote

import (
	"bytes"
	"crypto/ed25519"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/blake2b"
	"golang.org/x/crypto/scrypt"
)

// Secret key file layout (after base64): algorithm, KDF and checksum tags,
// KDF salt and limits, then the 104 bytes of key number, key and checksum,
// XORed with the scrypt stream when the key is encrypted.
const (
	kdfScrypt    = "Sc"
	kdfNone      = "\x00\x00"
	chkBlake2b   = "B2"
	saltSize     = 32
	keynumSKSize = keyIDSize + ed25519.PrivateKeySize + 32 // 104
	secretSize   = 2 + 2 + 2 + saltSize + 8 + 8 + keynumSKSize

	// Minisign's default scrypt limits (libsodium's "sensitive" ones): about
	// 1 GiB of memory and a few seconds per use.
	defaultOpsLimit = 33554432
	defaultMemLimit = 1073741824
)

// ErrPassword means the secret key did not decrypt with the password given.
var ErrPassword = errors.New("wrong password or damaged secret key")

// PrivateKey is a minisign secret key.
type PrivateKey struct {
	// ID is the key number written into signatures.
	ID KeyID
	// Key is the ed25519 private key.
	Key ed25519.PrivateKey
}

// Public returns the public half of k.
func (k PrivateKey) Public() PublicKey {
	return PublicKey{ID: k.ID, Key: k.Key.Public().(ed25519.PublicKey)}
}

// GenerateKey makes a new key pair from the random source r (crypto/rand's
// Reader in production).
func GenerateKey(r io.Reader) (PrivateKey, error) {
	_, sk, err := ed25519.GenerateKey(r)
	if err != nil {
		return PrivateKey{}, fmt.Errorf("generating key: %w", err)
	}
	var k PrivateKey
	if _, err := io.ReadFull(r, k.ID[:]); err != nil {
		return PrivateKey{}, fmt.Errorf("generating key number: %w", err)
	}
	k.Key = sk
	return k, nil
}

// Sign returns a minisign signature file for msg: a prehashed ("ED")
// signature and a global signature over it and trustedComment.
// trustedComment must be one line; minisign's own is
// "timestamp:N\tfile:NAME\thashed".
func (k PrivateKey) Sign(msg []byte, untrustedComment, trustedComment string) ([]byte, error) {
	if strings.ContainsAny(untrustedComment+trustedComment, "\r\n") {
		return nil, errors.New("signing: comments must be one line")
	}
	if len(trustedComment) > maxCommentSize {
		return nil, errors.New("signing: trusted comment too long")
	}
	h := blake2b.Sum512(msg)
	sig := ed25519.Sign(k.Key, h[:])
	global := ed25519.Sign(k.Key, append(bytes.Clone(sig), trustedComment...))
	raw := make([]byte, 0, signatureSize)
	raw = append(raw, algHashed...)
	raw = append(raw, k.ID[:]...)
	raw = append(raw, sig...)
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s%s\n%s\n%s%s\n%s\n", untrustedPrefix, untrustedComment,
		base64.StdEncoding.EncodeToString(raw), trustedPrefix, trustedComment,
		base64.StdEncoding.EncodeToString(global))
	return b.Bytes(), nil
}

// ScryptLimits are libsodium's opslimit and memlimit for scrypt, as stored in
// a minisign secret key.
type ScryptLimits struct {
	Ops, Mem uint64
}

// DefaultScryptLimits are minisign's defaults.
var DefaultScryptLimits = ScryptLimits{Ops: defaultOpsLimit, Mem: defaultMemLimit}

// MarshalSecretKey returns k as a minisign secret key file, encrypted with
// password (scrypt with limits, then XOR, as minisign does) or, when password
// is empty, unencrypted (like minisign -W). rand supplies the salt.
func (k PrivateKey) MarshalSecretKey(password []byte, limits ScryptLimits, rand io.Reader) ([]byte, error) {
	raw := make([]byte, 0, secretSize)
	raw = append(raw, algEd25519...)
	kdf := kdfNone
	if len(password) > 0 {
		kdf = kdfScrypt
	}
	raw = append(raw, kdf...)
	raw = append(raw, chkBlake2b...)
	salt := make([]byte, saltSize)
	if _, err := io.ReadFull(rand, salt); err != nil {
		return nil, fmt.Errorf("making salt: %w", err)
	}
	raw = append(raw, salt...)
	raw = binary.LittleEndian.AppendUint64(raw, limits.Ops)
	raw = binary.LittleEndian.AppendUint64(raw, limits.Mem)
	chk := secretChecksum(k.ID, k.Key)
	keynum := append(append(append([]byte{}, k.ID[:]...), k.Key...), chk[:]...)
	comment := "minisign encrypted secret key"
	if len(password) > 0 {
		stream, err := scryptStream(password, salt, limits)
		if err != nil {
			return nil, err
		}
		subtle.XORBytes(keynum, keynum, stream)
	} else {
		comment = "minisign secret key (not encrypted)"
	}
	raw = append(raw, keynum...)
	return fmt.Appendf(nil, "%s%s\n%s\n", untrustedPrefix, comment, base64.StdEncoding.EncodeToString(raw)), nil
}

// ParseSecretKey reads a minisign secret key file, decrypting it with
// password when it is encrypted.
func ParseSecretKey(data, password []byte) (PrivateKey, error) {
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], untrustedPrefix) {
		return PrivateKey{}, errors.New("parsing secret key: not a minisign secret key file")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(lines[1]))
	if err != nil || len(raw) != secretSize {
		return PrivateKey{}, errors.New("parsing secret key: not a minisign secret key")
	}
	if string(raw[:2]) != algEd25519 || string(raw[4:6]) != chkBlake2b {
		return PrivateKey{}, errors.New("parsing secret key: unsupported algorithms")
	}
	kdf := string(raw[2:4])
	salt := raw[6 : 6+saltSize]
	limits := ScryptLimits{
		Ops: binary.LittleEndian.Uint64(raw[38:46]),
		Mem: binary.LittleEndian.Uint64(raw[46:54]),
	}
	keynum := bytes.Clone(raw[54:])
	switch kdf {
	case kdfNone:
	case kdfScrypt:
		if len(password) == 0 {
			return PrivateKey{}, errors.New("parsing secret key: the key is encrypted, give its password")
		}
		stream, err := scryptStream(password, salt, limits)
		if err != nil {
			return PrivateKey{}, err
		}
		subtle.XORBytes(keynum, keynum, stream)
	default:
		return PrivateKey{}, fmt.Errorf("parsing secret key: unknown KDF %q", kdf)
	}
	var k PrivateKey
	copy(k.ID[:], keynum[:keyIDSize])
	k.Key = ed25519.PrivateKey(bytes.Clone(keynum[keyIDSize : keyIDSize+ed25519.PrivateKeySize]))
	chk := secretChecksum(k.ID, k.Key)
	got := keynum[keyIDSize+ed25519.PrivateKeySize:]
	// minisign -W (0.11) leaves the checksum of an unencrypted key zeroed.
	zeroOK := kdf == kdfNone && bytes.Equal(got, make([]byte, len(got)))
	if !zeroOK && subtle.ConstantTimeCompare(chk[:], got) != 1 {
		return PrivateKey{}, fmt.Errorf("parsing secret key: %w", ErrPassword)
	}
	if !bytes.Equal(ed25519.NewKeyFromSeed(k.Key.Seed()), k.Key) {
		return PrivateKey{}, errors.New("parsing secret key: damaged key")
	}
	return k, nil
}

// secretChecksum is minisign's BLAKE2b-256 of the algorithm, key number and key.
func secretChecksum(id KeyID, sk ed25519.PrivateKey) [32]byte {
	var in []byte
	in = append(in, algEd25519...)
	in = append(in, id[:]...)
	in = append(in, sk...)
	return blake2b.Sum256(in)
}

// scryptStream derives the key stream that encrypts a secret key, turning
// libsodium's limits into scrypt's N, r and p as libsodium does.
func scryptStream(password, salt []byte, l ScryptLimits) ([]byte, error) {
	nLog2, r, p := scryptParams(l)
	if nLog2 > 24 || p > 16 {
		return nil, fmt.Errorf("parsing secret key: scrypt limits too high (N=2^%d, p=%d)", nLog2, p)
	}
	stream, err := scrypt.Key(password, salt, 1<<nLog2, r, p, keynumSKSize)
	if err != nil {
		return nil, fmt.Errorf("deriving key from password: %w", err)
	}
	return stream, nil
}

// scryptParams is libsodium's pickparams for crypto_pwhash_scryptsalsa208sha256.
func scryptParams(l ScryptLimits) (nLog2 uint, r, p int) {
	ops := max(l.Ops, 32768)
	r = 8
	logN := func(maxN uint64) uint {
		n := uint(1)
		for ; n < 63; n++ {
			if uint64(1)<<n > maxN/2 {
				break
			}
		}
		return n
	}
	if ops < l.Mem/32 {
		return logN(ops / uint64(r*4)), r, 1
	}
	nLog2 = logN(l.Mem / uint64(r*128))
	maxrp := min((ops/4)/(uint64(1)<<nLog2), 0x3fffffff)
	return nLog2, r, int(maxrp) / r
}
