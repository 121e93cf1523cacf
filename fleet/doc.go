// Package fleet is `kiosk report`: one usage report for several terminals.
//
// It reads each terminal's own figures over HTTPS (GET /stats.json on the
// terminal's admin page, HTTP Basic auth with the admin account, the
// terminal's certificate pinned by its SHA-256 fingerprint), puts them side
// by side with one column per terminal and the totals, and writes the table
// as HTML for printing or as CSV for French spreadsheets. A terminal that
// cannot be read is named in the report, never left out silently, and its
// figures are not in the totals. There is no fleet server (design.md §6):
// the figures stay on the terminals.
//
// It also knows the France Services operators (OperatorOf), whose sites
// the report counts together, as those offices report them.
package fleet
