package usage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	"go.etcd.io/bbolt"
)

// maxReportDays caps the length of a report range (about ten years).
const maxReportDays = 3660

// minuteCount is a bin of the duration histogram.
type minuteCount struct {
	minutes uint16
	n       uint64
}

// counterNames maps a stored counter name to its Counter.
var counterNames = func() map[string]Counter {
	m := make(map[string]Counter, numCounters)
	for k := range numCounters {
		m[k.String()] = k
	}

	return m
}()

// Report returns the counts of the calendar days from..to (inclusive, in
// Config.Location), with one row per day, including counts not yet flushed. It returns
// an error wrapping ErrInvalid when to is before from or the range exceeds ten years.
func (s *Store) Report(from, to time.Time) (*Report, error) {
	d0, d1, err := s.dayRange(from, to)
	if err != nil {
		return nil, err
	}
	rows := make([]Day, d1-d0+1)
	hists := make([][]minuteCount, len(rows))
	for i := range rows {
		rows[i].Date = (d0 + dayNum(i)).String()
		rows[i].Counts = newCounts()
	}

	s.flushMu.Lock()
	defer s.flushMu.Unlock()

	if s.closed.Load() {
		return nil, ErrClosed
	}
	err = s.forDays(d0, d1, func(day dayNum, b *bbolt.Bucket) {
		i := day - d0
		hists[i] = readDay(b, &rows[i].Counts, hists[i])
	})
	if err != nil {
		return nil, fmt.Errorf("reading usage report: %w", err)
	}
	s.addPending(d0, d1, rows)

	r := &Report{From: d0.String(), To: d1.String(), Days: rows, Totals: newCounts()}
	var all [maxMinutes + 1]uint64
	for i := range rows {
		rows[i].MedianDuration = median(hists[i])
		r.Totals.add(&rows[i].Counts)
		for _, mc := range hists[i] {
			all[mc.minutes] += mc.n
		}
	}
	var hist []minuteCount
	for m, n := range all {
		if n > 0 {
			hist = append(hist, minuteCount{minutes: uint16(m), n: n})
		}
	}
	r.Totals.MedianDuration = median(hist)

	return r, nil
}

// dayRange returns the calendar days of from and to, checked.
func (s *Store) dayRange(from, to time.Time) (d0, d1 dayNum, err error) {
	d0, d1 = dayIn(from, s.loc), dayIn(to, s.loc)
	if d1 < d0 || d1-d0 >= maxReportDays {
		return 0, 0, fmt.Errorf("%w: range %s..%s", ErrInvalid, d0, d1)
	}

	return d0, d1, nil
}

// forDays calls f for each stored day bucket of d0..d1, in order.
func (s *Store) forDays(d0, d1 dayNum, f func(day dayNum, b *bbolt.Bucket)) error {
	return s.db.View(func(tx *bbolt.Tx) error {
		days := tx.Bucket(daysBucket)
		if days == nil {
			return nil
		}
		end := d1.key()
		c := days.Cursor()
		for k, v := c.Seek(d0.key()); k != nil && bytes.Compare(k, end) <= 0; k, v = c.Next() {
			if v == nil && len(k) == 4 {
				f(dayNum(binary.BigEndian.Uint32(k)), days.Bucket(k))
			}
		}

		return nil
	})
}

// newCounts returns Counts with its maps allocated.
func newCounts() Counts {
	c := Counts{EndedBy: map[EndReason]uint64{}, Sites: map[string]uint64{}, Langs: map[string]uint64{}, Threats: map[string]uint64{}}
	for _, r := range EndReasons {
		c.EndedBy[r] = 0
	}

	return c
}

// readDay adds the day bucket b to c and returns hist with the day's duration bins
// appended, in order.
func readDay(b *bbolt.Bucket, c *Counts, hist []minuteCount) []minuteCount {
	cur := b.Cursor()
	for k, v := cur.First(); k != nil; k, v = cur.Next() {
		if len(k) > 0 && k[0] == prefixPair {
			// Blocked pairs are for BlockedHosts: skip them all.
			if k, v = cur.Seek([]byte{prefixPair + 1}); k == nil {
				break
			}
		}
		if len(k) < 2 {
			continue
		}
		n := u64(v)
		switch k[0] {
		case prefixCounter:
			c.addNamed(k[1:], n)
		case prefixDuration:
			if len(k) == 3 {
				m := min(binary.BigEndian.Uint16(k[1:]), maxMinutes)
				hist = append(hist, minuteCount{minutes: m, n: n})
			}
		case prefixEnded:
			c.EndedBy[EndReason(k[1:])] += n
		case prefixHour:
			if k[1] < 24 {
				c.Hours[k[1]] += n
			}
		case prefixLang:
			c.Langs[string(k[1:])] += n
		case prefixSite:
			c.Sites[string(k[1:])] += n
		case prefixThreat:
			c.Threats[string(k[1:])] += n
		}
	}

	return hist
}

// addNamed adds n to the counter stored under name.
func (c *Counts) addNamed(name []byte, n uint64) {
	switch string(name) {
	case keySessions:
		c.Sessions += n
	case keySupervised:
		c.Supervised += n
	case keyDuration:
		c.TotalDuration += time.Duration(n) * time.Second
	case keyActive:
		c.ActiveDuration += time.Duration(n) * time.Second
	case keyIdle:
		c.IdleDuration += time.Duration(n) * time.Second
	case keyBlocked:
		c.BlockedRequests += n
	default:
		if k, ok := counterNames[string(name)]; ok {
			*c.counter(k) += n
		}
	}
}

// counter returns the field of c that counts k.
func (c *Counts) counter(k Counter) *uint64 {
	switch k {
	case SessionStarted:
		return &c.SessionsStarted
	case HelpRequest:
		return &c.HelpRequests
	case AgentUnlock:
		return &c.AgentUnlocks
	case Extension:
		return &c.Extensions
	case Override:
		return &c.Overrides
	case WipeFailure:
		return &c.WipeFailures
	case SatisfactionYes:
		return &c.SatisfactionYes
	case SatisfactionPartly:
		return &c.SatisfactionPartly
	case SatisfactionNo:
		return &c.SatisfactionNo
	case Print:
		return &c.Prints
	default:
		return new(uint64)
	}
}

// add adds o to c, except MedianDuration.
func (c *Counts) add(o *Counts) {
	c.Sessions += o.Sessions
	c.Supervised += o.Supervised
	c.TotalDuration += o.TotalDuration
	c.ActiveDuration += o.ActiveDuration
	c.IdleDuration += o.IdleDuration
	c.BlockedRequests += o.BlockedRequests
	for k := range numCounters {
		*c.counter(k) += *o.counter(k)
	}
	for i, n := range o.Hours {
		c.Hours[i] += n
	}
	for k, n := range o.EndedBy {
		c.EndedBy[k] += n
	}
	for k, n := range o.Sites {
		c.Sites[k] += n
	}
	for k, n := range o.Langs {
		c.Langs[k] += n
	}
	for k, n := range o.Threats {
		c.Threats[k] += n
	}
}

// addPending adds the counts not yet flushed for days d0..d1 to rows. s.flushMu must
// be held.
func (s *Store) addPending(d0, d1 dayNum, rows []Day) {
	s.mu.Lock()
	defer s.mu.Unlock()

	for day, p := range s.pending {
		if day < d0 || day > d1 {
			continue
		}
		c := &rows[day-d0].Counts
		for k, n := range p.counters {
			*c.counter(Counter(k)) += n
		}
		c.BlockedRequests += p.dropped
		for _, v := range p.blocked {
			c.BlockedRequests += v.count
		}
	}
}

// median returns the median duration of the sorted histogram hist, to the minute.
func median(hist []minuteCount) time.Duration {
	var total uint64
	for _, mc := range hist {
		total += mc.n
	}
	if total == 0 {
		return 0
	}
	lo, hi := nth(hist, (total-1)/2), nth(hist, total/2)

	return time.Duration(lo+hi) * time.Minute / 2
}

// nth returns the minutes of the i-th (0-based) session in hist.
func nth(hist []minuteCount, i uint64) uint64 {
	for _, mc := range hist {
		if i < mc.n {
			return uint64(mc.minutes)
		}
		i -= mc.n
	}

	return 0
}
