package usage

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"slices"

	"go.etcd.io/bbolt"
)

// storedPair is a blocked pair of a day bucket, as the per-day limits see it.
type storedPair struct {
	key             []byte
	domain          string // registrable domain of the refused host
	count, sessions uint64
	fresh           bool // written by this flush: not evicted by it
}

// dayPairs indexes the pairs of one day bucket by group, for the per-day limits.
type dayPairs struct {
	total   int
	byKey   map[string]*storedPair
	pages   map[string][]*storedPair // by the asking page's group
	domains map[string]int           // by the refused host's registrable domain
}

// pairKey returns the key of the pair k in a day bucket.
func pairKey(k blockedKey) []byte {
	key := append(prefixed(prefixPair, k.host), 0)

	return append(key, k.from...)
}

// pairValue encodes a stored pair: count and sessions, nothing else.
func pairValue(count, sessions uint64) []byte {
	return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, count), sessions)
}

// indexPairs reads the pairs of the day bucket b.
func indexPairs(b *bbolt.Bucket) *dayPairs {
	d := &dayPairs{byKey: map[string]*storedPair{}, pages: map[string][]*storedPair{}, domains: map[string]int{}}
	c := b.Cursor()
	for k, v := c.Seek([]byte{prefixPair}); len(k) > 0 && k[0] == prefixPair; k, v = c.Next() {
		host, from, ok := bytes.Cut(k[1:], []byte{0})
		if !ok || len(v) != 16 {
			continue
		}
		sp := &storedPair{key: bytes.Clone(k), domain: registrable(string(host)), count: u64(v), sessions: u64(v[8:])}
		d.add(registrable(string(from)), sp)
	}

	return d
}

// add indexes sp under the page group page.
func (d *dayPairs) add(page string, sp *storedPair) {
	d.total++
	d.byKey[string(sp.key)] = sp
	d.pages[page] = append(d.pages[page], sp)
	d.domains[sp.domain]++
}

// remove drops sp from the index.
func (d *dayPairs) remove(page string, sp *storedPair) {
	d.total--
	delete(d.byKey, string(sp.key))
	d.pages[page] = slices.DeleteFunc(d.pages[page], func(x *storedPair) bool { return x == sp })
	d.domains[sp.domain]--
}

// victim returns the pair that a new pair of the page group page and host domain
// domain with sessions sessions may replace, or nil when it must be dropped. A page
// only ever replaces its own pairs, so that a flood from one page cannot push out the
// pairs of another; and it replaces the one seen in the fewest sessions, if that is
// not more than the new pair's.
func (d *dayPairs) victim(page, domain string, sessions uint64) *storedPair {
	domainFull := d.domains[domain] >= maxDayDomain
	var weak *storedPair
	for _, sp := range d.pages[page] {
		if sp.fresh || domainFull && sp.domain != domain {
			continue
		}
		if weak == nil || cmp.Or(cmp.Compare(sp.sessions, weak.sessions), cmp.Compare(sp.count, weak.count),
			bytes.Compare(weak.key, sp.key)) < 0 {
			weak = sp
		}
	}
	if weak == nil || weak.sessions > sessions {
		return nil
	}

	return weak
}

// full reports whether a new pair of page and domain exceeds a per-day limit.
func (d *dayPairs) full(page, domain string) bool {
	return d.total >= maxDayBlocked || len(d.pages[page]) >= maxDayPage || d.domains[domain] >= maxDayDomain
}

// blockedTally is what writeBlocked did, for the day's counters.
type blockedTally struct {
	requests, dropped, added, evicted uint64
}

// writeBlocked adds the pending pairs to the day bucket b within the per-day limits.
// The pairs seen in the most sessions go first, so that when a group is full, the
// pairs that stay are those asked for by the most sessions.
func writeBlocked(b *bbolt.Bucket, pending map[blockedKey]*blockedVal) (blockedTally, error) {
	var t blockedTally
	keys := make([]blockedKey, 0, len(pending))
	for k, v := range pending {
		t.requests += v.count
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b blockedKey) int {
		va, vb := pending[a], pending[b]
		return cmp.Or(cmp.Compare(vb.sessions, va.sessions), cmp.Compare(vb.count, va.count),
			cmp.Compare(a.host, b.host), cmp.Compare(a.from, b.from))
	})

	var idx *dayPairs
	for _, k := range keys {
		v := pending[k]
		key := pairKey(k)
		if old := b.Get(key); old != nil {
			count, sessions := v.count+u64(old), v.sessions+u64(old[min(8, len(old)):])
			if idx != nil {
				if sp := idx.byKey[string(key)]; sp != nil {
					sp.count, sp.sessions = count, sessions
				}
			}
			if err := b.Put(key, pairValue(count, sessions)); err != nil {
				return t, err
			}

			continue
		}
		if v.sessions == 0 {
			// Counted in a session whose first request went to a pair dropped since.
			t.dropped += v.count

			continue
		}
		if idx == nil {
			idx = indexPairs(b)
		}
		page, domain := registrable(k.from), registrable(k.host)
		if idx.full(page, domain) {
			weak := idx.victim(page, domain, v.sessions)
			if weak == nil {
				t.dropped += v.count

				continue
			}
			if err := b.Delete(weak.key); err != nil {
				return t, err
			}
			idx.remove(page, weak)
			t.evicted++
		}
		if err := b.Put(key, pairValue(v.count, v.sessions)); err != nil {
			return t, err
		}
		idx.add(page, &storedPair{key: key, domain: domain, count: v.count, sessions: v.sessions, fresh: true})
		t.added++
	}

	return t, nil
}
