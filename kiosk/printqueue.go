package kiosk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"time"
)

// CheckDevices validates the --printer, --print-grace and --scanner flags:
// a CUPS queue name (printable, no space, '/', '#', '\\' or quote, at most
// 127 bytes), a positive grace, a SANE device name (printable, no space);
// printer and scanner are Linux only.
func CheckDevices(printer string, grace time.Duration, scanner string) error {
	if grace <= 0 {
		return fmt.Errorf("--print-grace %s: must be positive", grace)
	}
	if scanner != "" {
		if runtime.GOOS != "linux" {
			return errors.New("--scanner: scanning is only available on Linux")
		}
		if strings.HasPrefix(scanner, "-") || len(scanner) > 255 || strings.IndexFunc(scanner, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0 {
			return fmt.Errorf("--scanner %q: not a SANE device name (scanimage -L lists them)", scanner)
		}
	}
	return checkPrinter(printer)
}

// checkPrinter validates a CUPS queue name ("" is none).
func checkPrinter(name string) error {
	if name == "" {
		return nil
	}
	if runtime.GOOS != "linux" {
		return errors.New("--printer: printing is only available on Linux")
	}
	if len(name) > 127 || strings.HasPrefix(name, "-") {
		return fmt.Errorf("--printer %q: not a CUPS queue name", name)
	}
	for _, r := range name {
		if r <= ' ' || r == 0x7f || strings.ContainsRune(`/#\'"`, r) {
			return fmt.Errorf("--printer %q: not a CUPS queue name (no space, /, #, \\ or quote)", name)
		}
	}
	return nil
}

// printQueue is the CUPS queue the browser processes print on. After each
// session the jobs it left in the queue (a printer out of paper, jammed or
// off) may print for PrintGrace, then are cancelled: a resident's document
// must not come out for the next one. It
// talks to CUPS with lpstat(1) and cancel(1) (package cups-client), as the
// shell's user, who owns the jobs; CUPS_SERVER is honoured.
type printQueue struct {
	name  string
	grace time.Duration
	l     *slog.Logger

	// report, if set, tells the service the printer's state after each
	// session (POST /api/shell/printer): failing when jobs were still
	// stuck after the grace or CUPS could not be asked, with the jobs
	// queued then. It must not block for long.
	report func(ctx context.Context, failing bool, queued int)

	wg sync.WaitGroup // cancellations waiting for their grace
}

// checkPrintTools finds lp, lpstat and cancel (package cups-client): without
// them the queue cannot be cleared after a session, so nothing may print.
func checkPrintTools() error {
	for _, p := range []string{"lpstat", "cancel", "lp"} {
		if _, err := exec.LookPath(p); err != nil {
			return fmt.Errorf("--printer needs %s (apt-get install cups-client): %w", p, err)
		}
	}
	return nil
}

// newPrintQueue returns the queue of conf, or nil when nothing prints.
func newPrintQueue(conf *Config, l *slog.Logger) *printQueue {
	if conf.Printer == "" {
		return nil
	}
	return &printQueue{name: conf.Printer, grace: conf.printGrace(), l: l}
}

// cupsTimeout bounds each call to lpstat or cancel.
const cupsTimeout = 10 * time.Second

// pending lists the queue's jobs that are not completed ("queue-id").
func (q *printQueue) pending(ctx context.Context) ([]string, error) {
	out, err := runTool(ctx, cupsTimeout, "lpstat", "-o", q.name)
	if err != nil {
		return nil, err
	}
	return parseLpstat(out, q.name), nil
}

// parseLpstat reads the job ids of `lpstat -o queue`: one job per line,
// "queue-id  user  size  date".
func parseLpstat(out []byte, queue string) []string {
	var ids []string
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		id, ok := strings.CutPrefix(f[0], queue+"-")
		if !ok || id == "" || strings.Trim(id, "0123456789") != "" {
			continue
		}
		ids = append(ids, f[0])
	}
	return ids
}

// cancelArgs is the cancel(1) command line that cancels ids. (cancel -x
// does not purge single jobs: cupsd reads "purge-job", cancel sends
// "purge-jobs". With PreserveJobFiles No, as docs/install.md asks, CUPS
// deletes a cancelled job's document at once.)
func cancelArgs(ids []string) []string { return append([]string{"cancel"}, ids...) }

// cancel cancels ids (a job that completed meanwhile is not an error).
func (q *printQueue) cancel(ctx context.Context, ids []string) error {
	_, err := q.cancelStuck(ctx, ids)
	return err
}

// cancelStuck cancels those of ids still queued and says how many were.
func (q *printQueue) cancelStuck(ctx context.Context, ids []string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	left, err := q.pending(ctx)
	if err != nil {
		return 0, err
	}
	var still []string
	for _, id := range ids {
		for _, p := range left {
			if p == id {
				still = append(still, id)
				break
			}
		}
	}
	if len(still) == 0 {
		return 0, nil
	}
	a := cancelArgs(still)
	if _, err := runTool(ctx, cupsTimeout, a[0], a[1:]...); err != nil {
		return len(still), err
	}
	q.l.Warn("print jobs of an earlier session cancelled", "printer", q.name, "jobs", still)
	return len(still), nil
}

// tell reports the printer's state when a reporter is set.
func (q *printQueue) tell(ctx context.Context, failing bool, queued int) {
	if q.report != nil {
		q.report(ctx, failing, queued)
	}
}

// clearAll cancels every job of the queue at once (leftovers of a shell
// that was killed, or a queue CUPS could not be asked about in time).
func (q *printQueue) clearAll(ctx context.Context) error {
	ids, err := q.pending(ctx)
	if err != nil {
		return err
	}
	return q.cancel(ctx, ids)
}

// afterSession looks at the queue once a session is over. Jobs still
// queued are cancelled after the grace, in the background; the next
// session does not wait. When CUPS cannot be asked and the session
// printed, it returns the error: the terminal is out of order until the
// queue is known empty (fail closed).
func (q *printQueue) afterSession(ctx context.Context, printed bool) error {
	ids, err := q.pending(ctx)
	if err != nil {
		q.tell(ctx, true, 0)
		if !printed {
			q.l.Warn("print queue unreadable", "printer", q.name, "err", err)
			return nil
		}
		return fmt.Errorf("print queue %s after a session that printed: %w", q.name, err)
	}
	if len(ids) == 0 {
		q.tell(ctx, false, 0)
		return nil
	}
	q.l.Info("print jobs still queued after the session", "printer", q.name, "jobs", ids, "cancelled_after", q.grace)
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		sleepCtx(ctx, q.grace)
		// At shutdown the jobs are cancelled at once, and still cancelled.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*cupsTimeout)
		defer cancel()
		stuck, err := q.cancelStuck(cctx, ids)
		if err != nil {
			q.l.Error("cancelling print jobs left by a session", "printer", q.name, "jobs", ids, "err", err)
		}
		// Jobs that did not print within the grace: the printer is failing.
		q.tell(cctx, err != nil || stuck > 0, stuck)
	}()
	return nil
}

// wait waits for the cancellations in progress.
func (q *printQueue) wait() { q.wg.Wait() }

// runTool runs a device tool (CUPS's clients, scanimage) in the C locale
// for at most timeout and returns its output; its error says what the tool
// printed on stderr.
func runTool(ctx context.Context, timeout time.Duration, prog string, args ...string) ([]byte, error) {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(cctx, prog, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, fmt.Errorf("%s: %w: %s", prog, err, msg)
		}
		return nil, fmt.Errorf("%s: %w", prog, err)
	}
	return out, nil
}
