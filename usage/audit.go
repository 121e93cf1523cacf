package usage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.etcd.io/bbolt"
)

// The audit log of agent actions (issue 5) lives in the day buckets, so that the
// retention that deletes old counts deletes old entries too:
//
//	days/<day>/'a' <unix nanoseconds uint64> <seq uint16> -> 0x01 agent 0x00 action 0x00 detail
//
// Keys sort by time inside a day. 'a' sorts before every count prefix, and Report
// ignores it. Files holding audit entries carry schema 2: an older kiosk refuses them
// as "written by a newer version" instead of calling them corrupt.
const (
	prefixAudit       = 'a'
	auditValueVersion = 1
	auditKeyLen       = 1 + 8 + 2
)

// Limits applied to audit entries, in bytes.
const (
	maxAuditAgent  = 64
	maxAuditAction = 32
	maxAuditDetail = 96
	maxAuditWord   = 40 // a word of the detail longer than this (not a host) is cut
)

// maxAuditEntries bounds what AuditLog returns.
const maxAuditEntries = 100_000

// AuditEntry is one agent action of the audit log.
type AuditEntry struct {
	// At is when the action happened, in the store's Location.
	At time.Time `json:"at"`
	// Agent is the display name of the agent ("?" for a wrong PIN).
	Agent string `json:"agent"`
	// Action is a short machine name ("end", "extend", "agent_add"...).
	Action string `json:"action"`
	// Detail is a short text or a host name; never resident data.
	Detail string `json:"detail,omitempty"`
}

// Audit writes an agent action to the audit log and returns once it is committed to
// disk (fsync), like a session end: agent actions are rare (a few dozen a day, wrong
// PINs bounded by the keypad lockout and logins by the admin page's throttle), and an
// audit trail that a crash could shorten would not be one. It never returns an error,
// to fit session.Auditor: a failure is logged and makes Healthy report it.
//
// The strings are sanitised: agent and action lose control characters and are cut,
// and in detail any word that looks like a URL is reduced to its host name, so that
// no path, query or typed text is stored. An entry older than the retention is
// dropped.
//
// It's safe for concurrent use.
func (s *Store) Audit(at time.Time, agent, action, detail string) {
	if err := s.audit(at, agent, action, detail); err != nil {
		s.logger.Error("writing audit entry", "action", cleanAuditAction(action), "err", err)
	}
}

func (s *Store) audit(at time.Time, agent, action, detail string) error {
	if s.closed.Load() {
		return ErrClosed
	}
	if at.IsZero() {
		at = s.now()
	}
	day := dayIn(at, s.loc)
	if day < s.firstKept(dayIn(s.now(), s.loc)) {
		return nil
	}
	val := encodeAudit(cleanAuditAgent(agent), cleanAuditAction(action), cleanAuditDetail(detail))
	ns := max(at.UnixNano(), 0)

	err := s.db.Update(func(tx *bbolt.Tx) error {
		if err := upgradeSchema(tx, auditSchema); err != nil {
			return err
		}
		days, err := tx.CreateBucketIfNotExists(daysBucket)
		if err != nil {
			return err
		}
		b, err := days.CreateBucketIfNotExists(day.key())
		if err != nil {
			return err
		}
		key := make([]byte, auditKeyLen)
		key[0] = prefixAudit
		binary.BigEndian.PutUint64(key[1:], uint64(ns))
		for seq := range 1 << 16 {
			binary.BigEndian.PutUint16(key[9:], uint16(seq))
			if b.Get(key) == nil {
				return b.Put(key, val)
			}
		}

		return errors.New("too many audit entries at the same instant")
	})
	s.setHealth(err)
	if err != nil {
		return fmt.Errorf("writing audit entry: %w", err)
	}

	return nil
}

// auditSchema is the schema version of a file that holds audit entries.
const auditSchema = 2

// upgradeSchema raises the stored schema version to v when it is lower.
func upgradeSchema(tx *bbolt.Tx, v uint64) error {
	meta, err := tx.CreateBucketIfNotExists(metaBucket)
	if err != nil {
		return err
	}
	if cur := meta.Get(schemaKey); len(cur) == 8 && binary.BigEndian.Uint64(cur) >= v {
		return nil
	}

	return meta.Put(schemaKey, binary.BigEndian.AppendUint64(nil, v))
}

// AuditLog returns the audit entries of the calendar days from..to (inclusive, in
// Config.Location), oldest first, at most 100,000. It returns an error wrapping
// ErrInvalid for a bad range, like Report.
func (s *Store) AuditLog(from, to time.Time) ([]AuditEntry, error) {
	d0, d1, err := s.dayRange(from, to)
	if err != nil {
		return nil, err
	}
	if s.closed.Load() {
		return nil, ErrClosed
	}
	var out []AuditEntry
	err = s.forDays(d0, d1, func(_ dayNum, b *bbolt.Bucket) {
		c := b.Cursor()
		for k, v := c.Seek([]byte{prefixAudit}); len(k) > 0 && k[0] == prefixAudit; k, v = c.Next() {
			if len(out) >= maxAuditEntries {
				return
			}
			e, ok := decodeAudit(k, v)
			if ok {
				e.At = e.At.In(s.loc)
				out = append(out, e)
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("reading audit log: %w", err)
	}

	return out, nil
}

// encodeAudit returns the stored value of an entry.
func encodeAudit(agent, action, detail string) []byte {
	v := make([]byte, 0, 3+len(agent)+len(action)+len(detail))
	v = append(v, auditValueVersion)
	v = append(v, agent...)
	v = append(v, 0)
	v = append(v, action...)
	v = append(v, 0)

	return append(v, detail...)
}

// decodeAudit parses a stored entry.
func decodeAudit(k, v []byte) (AuditEntry, bool) {
	if len(k) != auditKeyLen || len(v) < 3 || v[0] != auditValueVersion || !utf8.Valid(v[1:]) {
		return AuditEntry{}, false
	}
	parts := bytes.Split(v[1:], []byte{0})
	if len(parts) != 3 {
		return AuditEntry{}, false
	}
	ns := int64(binary.BigEndian.Uint64(k[1:]))

	return AuditEntry{At: time.Unix(0, ns), Agent: string(parts[0]), Action: string(parts[1]),
		Detail: string(parts[2])}, true
}

// checkAuditEntry verifies an audit entry when an existing file is opened.
func checkAuditEntry(k, v []byte) error {
	if _, ok := decodeAudit(k, v); !ok {
		return fmt.Errorf("bad audit entry %x", k)
	}

	return nil
}

// cleanText returns s as valid UTF-8 without control or format characters, spaces
// collapsed, cut at max bytes on a rune boundary.
func cleanText(s string, limit int) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), r == utf8.RuneError:
			return -1
		}

		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")

	return cutUTF8(s, limit)
}

// cutUTF8 cuts s at limit bytes on a rune boundary.
func cutUTF8(s string, limit int) string {
	for len(s) > limit {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}

	return s
}

// cleanAuditAgent returns a clean agent name ("?" when empty).
func cleanAuditAgent(s string) string {
	if s = cleanText(s, maxAuditAgent); s == "" {
		return "?"
	}

	return s
}

// cleanAuditAction keeps the lower-case letters, digits, '_' and '-' of s.
func cleanAuditAction(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9', r == '_', r == '-':
			return r
		case 'A' <= r && r <= 'Z':
			return r + 'a' - 'A'
		}

		return -1
	}, s)
	if s = cutUTF8(s, maxAuditAction); s == "" {
		return "unknown"
	}

	return s
}

// cleanAuditDetail reduces detail to a short text: a word that looks like a URL or
// an address (scheme, path, query, user info) becomes its host name, other long
// words are cut.
func cleanAuditDetail(s string) string {
	words := strings.Fields(cleanText(s, 4*maxAuditDetail))
	for i, w := range words {
		if strings.Contains(w, "://") || strings.ContainsAny(w, "/?#@=&") {
			words[i] = cleanHost(w)
		} else if len(w) > maxAuditWord && !looksLikeHost(w) {
			words[i] = cutUTF8(w, maxAuditWord) + "…"
		}
	}

	return strings.TrimSpace(cutUTF8(strings.Join(words, " "), maxAuditDetail))
}

// looksLikeHost reports whether w is a plain host name (letters, digits, '.', '-').
func looksLikeHost(w string) bool {
	if !strings.Contains(w, ".") || len(w) > maxHostLen {
		return false
	}
	for i := 0; i < len(w); i++ {
		if c := w[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}

	return true
}
