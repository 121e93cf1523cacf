// Package monitor exposes the facts a town's monitoring needs about one
// terminal as Prometheus metrics: its name and version, why it is out of
// order, the last wipe, whether the shell is connected, the allowlist in
// force and its last good signed fetch, the printer as the shell reports
// it, and the free space of the data directory.
//
// The metrics are read from the facts at scrape time (never inferred): the
// Collector asks the functions of its Config, and the small trackers of
// this package (ShellTracker, WipeTracker, PrinterTracker) keep the facts
// that no other package holds. The rules and the dashboard shipped in
// packaging/prometheus/ are written against these names; docs/fleet.md
// lists them.
//
// The package imports no other package of the project.
package monitor
