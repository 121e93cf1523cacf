package maintenance

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrBadWindow is wrapped by the errors of ParseWindow.
var ErrBadWindow = errors.New("bad maintenance window")

// Window is a daily time range in local time, such as 22:00-06:00. A
// window whose end is before its start crosses midnight. The zero Window
// is empty (never open).
type Window struct {
	start, end int // minutes since midnight; start == end is empty
	set        bool
}

// ParseWindow parses "HH:MM-HH:MM" (24-hour clock, local time). The two
// times must differ; "" and "off" return the zero (never open) Window.
func ParseWindow(s string) (Window, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "off" {
		return Window{}, nil
	}
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return Window{}, fmt.Errorf("%w %q: want HH:MM-HH:MM, e.g. 22:00-06:00", ErrBadWindow, s)
	}
	start, err := parseClock(a)
	if err != nil {
		return Window{}, fmt.Errorf("%w %q: start: %w", ErrBadWindow, s, err)
	}
	end, err := parseClock(b)
	if err != nil {
		return Window{}, fmt.Errorf("%w %q: end: %w", ErrBadWindow, s, err)
	}
	if start == end {
		return Window{}, fmt.Errorf("%w %q: start and end are the same time", ErrBadWindow, s)
	}
	return Window{start: start, end: end, set: true}, nil
}

// parseClock parses "HH:MM" into minutes since midnight.
func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, fmt.Errorf("%q is not a time between 00:00 and 23:59", s)
	}
	return hh*60 + mm, nil
}

// Contains reports whether t (in its own location) is inside w. The start
// is inside, the end is not.
func (w Window) Contains(t time.Time) bool {
	if !w.set {
		return false
	}
	m := t.Hour()*60 + t.Minute()
	if w.start < w.end {
		return w.start <= m && m < w.end
	}
	return m >= w.start || m < w.end
}

// IsZero reports whether w is the never-open window.
func (w Window) IsZero() bool { return !w.set }

// String returns "HH:MM-HH:MM", or "off" for the zero Window.
func (w Window) String() string {
	if !w.set {
		return "off"
	}
	return fmt.Sprintf("%02d:%02d-%02d:%02d", w.start/60, w.start%60, w.end/60, w.end%60)
}
