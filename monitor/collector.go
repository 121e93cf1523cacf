package monitor

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// RemoteStatus is what the signed allowlist fetcher reports.
type RemoteStatus struct {
	// LastSuccess is the time of the last verified download (zero if none).
	LastSuccess time.Time
	// LastCheck is the time of the last attempt (zero if none).
	LastCheck time.Time
	// Failing is true when the last attempt failed.
	Failing bool
}

// Config configures a Collector. Every field but Terminal may be left
// zero: the metrics it feeds are then not exported.
type Config struct {
	// Terminal is the terminal's name (kiosk serve --terminal-name). It
	// must not be empty.
	Terminal string
	// Version is the kiosk version.
	Version string
	// OutOfOrder returns why the terminal is out of order, or "" when it
	// is not.
	OutOfOrder func() string
	// Wipes, Shell and Printer are the trackers main feeds.
	Wipes   *WipeTracker
	Shell   *ShellTracker
	Printer *PrinterTracker
	// Allowlist returns the bytes of the allowlist in force (nil before
	// the first load) and where it comes from: "file" or "url".
	Allowlist func() (data []byte, source string)
	// Remote returns the signed fetcher's status; nil when the allowlist
	// is a local file.
	Remote func() RemoteStatus
	// DataDir is the directory whose file system's free space is exported.
	DataDir string
	// Maintenance returns the maintenance loop's status; nil: its
	// metrics are not exported.
	Maintenance func() MaintenanceStatus
	// Now returns the current time. If nil, time.Now is used.
	Now func() time.Time
}

// Collector is a prometheus.Collector of the terminal's facts, read at
// scrape time. It's safe for concurrent use.
type Collector struct {
	conf Config

	hashMu   sync.Mutex
	hashOf   *byte // first byte of the allowlist bytes last hashed
	hashLen  int
	hashText string
}

// type check
var _ prometheus.Collector = (*Collector)(nil)

// New checks c and returns a Collector.
func New(c *Config) (*Collector, error) {
	if c.Terminal == "" {
		return nil, errors.New("monitor: Terminal must not be empty")
	}
	conf := *c
	if conf.Now == nil {
		conf.Now = time.Now
	}
	return &Collector{conf: conf}, nil
}

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, labels, nil)
}

// The descriptions of the metrics (docs/fleet.md lists them).
var (
	descInfo = desc("kiosk_terminal_info",
		"Always 1: the terminal's name (--terminal-name) and kiosk version, to join on instance.", "terminal", "version")
	descOutOfOrder = desc("kiosk_terminal_out_of_order_info",
		"1 while the terminal is out of order, with the reason; absent otherwise.", "reason")
	descWipeTime = desc("kiosk_wipe_last_timestamp_seconds",
		"When the last session wipe was reported or timed out (Unix time); absent before the first since start.")
	descWipeOK = desc("kiosk_wipe_last_success",
		"1 when the last session wipe succeeded, 0 when it failed; absent before the first since start.")
	descShell = desc("kiosk_shell_connected",
		"1 while the shell keeps its long poll of the local API open (or polled in the last 30 s), else 0.")
	descShellSeen = desc("kiosk_shell_last_seen_timestamp_seconds",
		"When the shell last polled the local API (Unix time); absent if never since start.")
	descAllowlist = desc("kiosk_allowlist_info",
		"Always 1: the SHA-256 of the allowlist in force and its source (file or url).", "sha256", "source")
	descRemoteOK = desc("kiosk_allowlist_remote_last_success_timestamp_seconds",
		"When the signed allowlist was last downloaded and verified (Unix time, the kept copy's time after a restart); 0 if never.")
	descRemoteCheck = desc("kiosk_allowlist_remote_last_check_timestamp_seconds",
		"When the signed allowlist URL was last tried (Unix time); 0 before the first attempt.")
	descRemoteFail = desc("kiosk_allowlist_remote_failing",
		"1 when the last fetch of the signed allowlist failed (the list in force stays), else 0.")
	descPrinterFail = desc("kiosk_printer_failing",
		"1 when the shell's last printer report says printing failed or jobs stayed stuck, else 0; absent before the first report.")
	descPrinterJobs = desc("kiosk_printer_queued_jobs",
		"Jobs in the printer's queue at the shell's last report; absent before the first report.")
	descPrinterTime = desc("kiosk_printer_report_timestamp_seconds",
		"When the shell last reported the printer's state (Unix time); absent before the first report.")
	descDiskFree = desc("kiosk_data_free_bytes",
		"Bytes available to the service on the data directory's file system.")
	descDiskSize = desc("kiosk_data_size_bytes",
		"Size in bytes of the data directory's file system.")
)

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descInfo, descOutOfOrder, descWipeTime, descWipeOK, descShell, descShellSeen,
		descAllowlist, descRemoteOK, descRemoteCheck, descRemoteFail, descPrinterFail, descPrinterJobs, descPrinterTime,
		descDiskFree, descDiskSize, descMaintPending, descMaintSince, descMaintOverdue} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	now := c.conf.Now()
	gauge(descInfo, 1, c.conf.Terminal, c.conf.Version)
	if c.conf.OutOfOrder != nil {
		if why := c.conf.OutOfOrder(); why != "" {
			gauge(descOutOfOrder, 1, clip(why, 120))
		}
	}
	if w := c.conf.Wipes; w != nil {
		if at, ok := w.Last(); !at.IsZero() {
			gauge(descWipeTime, unixTime(at))
			gauge(descWipeOK, bool01(ok))
		}
	}
	if s := c.conf.Shell; s != nil {
		ok, seen := s.Connected(now)
		gauge(descShell, bool01(ok))
		if !seen.IsZero() {
			gauge(descShellSeen, unixTime(seen))
		}
	}
	if c.conf.Allowlist != nil {
		if data, source := c.conf.Allowlist(); data != nil {
			gauge(descAllowlist, 1, c.hash(data), source)
		}
	}
	if c.conf.Remote != nil {
		st := c.conf.Remote()
		gauge(descRemoteOK, unixTime(st.LastSuccess))
		gauge(descRemoteCheck, unixTime(st.LastCheck))
		gauge(descRemoteFail, bool01(st.Failing))
	}
	if p := c.conf.Printer; p != nil {
		if r := p.Last(); !r.At.IsZero() {
			gauge(descPrinterFail, bool01(r.Failing))
			gauge(descPrinterJobs, float64(r.Queued))
			gauge(descPrinterTime, unixTime(r.At))
		}
	}
	c.collectMaintenance(ch)
	if c.conf.DataDir != "" {
		if free, size, err := diskSpace(c.conf.DataDir); err == nil {
			gauge(descDiskFree, float64(free))
			gauge(descDiskSize, float64(size))
		} else {
			ch <- prometheus.NewInvalidMetric(descDiskFree, err)
		}
	}
}

// hash returns the hex SHA-256 of data, computed once per allowlist: the
// holder keeps the same slice until the next reload.
func (c *Collector) hash(data []byte) string {
	var first *byte
	if len(data) > 0 {
		first = &data[0]
	}
	c.hashMu.Lock()
	defer c.hashMu.Unlock()
	if c.hashText == "" || first != c.hashOf || len(data) != c.hashLen {
		sum := sha256.Sum256(data)
		c.hashOf, c.hashLen, c.hashText = first, len(data), hex.EncodeToString(sum[:])
	}
	return c.hashText
}

func unixTime(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}

func bool01(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// clip keeps the first n runes of s.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
