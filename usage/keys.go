package usage

import (
	"encoding/binary"
	"time"

	"go.etcd.io/bbolt"
)

// File layout (schema 3), see docs/usage.md:
//
//	meta/schema          -> uint64 SchemaVersion
//	days/<day>/<key>     -> uint64 (or uint64 count + uint64 sessions for blocked pairs)
//
// where <day> is the local calendar day as a big-endian uint32 count of days since
// 1970-01-01, so day buckets sort by date. The first byte of a key inside a day bucket
// says what it counts.
//
// Counters are stored by name, so a counter added later (prints) needs no new schema
// version: a day written before it has no such key and reads as 0, and an older kiosk
// skips the names it doesn't know.
var (
	metaBucket = []byte("meta")
	daysBucket = []byte("days")
	schemaKey  = []byte("schema")
)

// Key prefixes inside a day bucket, in key order.
const (
	prefixLegacy   = 'b' // 'b' host 0x00 from  -> count, last seen (unix seconds); schema < 3, migrated at Open
	prefixCounter  = 'c' // 'c' name            -> count
	prefixDuration = 'd' // 'd' uint16 minutes  -> sessions of that length
	prefixEnded    = 'e' // 'e' reason          -> sessions ended for that reason
	prefixHour     = 'h' // 'h' byte hour       -> sessions started in that hour
	prefixLang     = 'l' // 'l' language        -> sessions in that language
	prefixPair     = 'p' // 'p' host 0x00 from  -> count, sessions (the day is the bucket's)
	prefixSite     = 's' // 's' site name       -> sessions that visited the site
	prefixThreat   = 't' // 't' signature name  -> files of USB keys the antivirus refused
)

// Names of the counters stored under prefixCounter besides the Counter ones.
const (
	keySessions       = "sessions"
	keySupervised     = "supervised"
	keyDuration       = "duration_s"
	keyActive         = "active_s"
	keyIdle           = "idle_s"
	keyBlocked        = "blocked"
	keyBlockedPairs   = "blocked_pairs"
	keyBlockedDropped = "blocked_dropped"
	keyBlockedEvicted = "blocked_evicted"
)

// maxMinutes caps the duration histogram: longer sessions land in the last bucket.
const maxMinutes = 24 * 60

// dayNum is a calendar day: days since 1970-01-01.
type dayNum uint32

// civilDay returns the day number of the calendar date y-m-d.
func civilDay(y int, m time.Month, d int) dayNum {
	n := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	switch {
	case n < 0:
		return 0
	case n > 1<<32-1:
		return 1<<32 - 1
	}

	return dayNum(n)
}

// dayIn returns the calendar day of t in loc.
func dayIn(t time.Time, loc *time.Location) dayNum {
	y, m, d := t.In(loc).Date()

	return civilDay(y, m, d)
}

// String returns the day as "2006-01-02".
func (d dayNum) String() string {
	return time.Unix(int64(d)*86400, 0).UTC().Format(time.DateOnly)
}

// key returns the day bucket's name.
func (d dayNum) key() []byte {
	return binary.BigEndian.AppendUint32(nil, uint32(d))
}

// counterKey returns the key of a named counter.
func counterKey(name string) []byte {
	return append([]byte{prefixCounter}, name...)
}

// prefixed returns prefix followed by s.
func prefixed(prefix byte, s string) []byte {
	return append([]byte{prefix}, s...)
}

// addU64 adds n to the big-endian uint64 stored at key in b.
func addU64(b *bbolt.Bucket, key []byte, n uint64) error {
	if n == 0 {
		return nil
	}
	if v := b.Get(key); len(v) == 8 {
		n += binary.BigEndian.Uint64(v)
	}

	return b.Put(key, binary.BigEndian.AppendUint64(nil, n))
}

// u64 decodes a stored count; it returns 0 for a value of the wrong length.
func u64(v []byte) uint64 {
	if len(v) < 8 {
		return 0
	}

	return binary.BigEndian.Uint64(v)
}
