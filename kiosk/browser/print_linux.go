package browser

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/communes/kiosk/kiosk"
)

// maxPrintJobs is how many documents one session may print.
const maxPrintJobs = 10

// printWait bounds how long the end of a session waits for the print jobs
// that GTK is still handing to CUPS.
const printWait = 20 * time.Second

// Toolbar notices (window.kioskNotice): keys of the portal's messages.
const (
	noticePrintUnavailable  = "print.unavailable" // no printer on this terminal
	noticePrintAsk          = "print.ask"         // the page asked; "Imprimer" confirms
	noticePrintSending      = "print.sending"
	noticePrintSent         = "print.sent"
	noticePrintFailed       = "print.failed"
	noticePrintLimit        = "print.limit"
	noticeUploadUnavailable = "doc.unavailable" // no scanner on this terminal
	noticeScanFailed        = "doc.failed"
	noticeScanLimit         = "doc.limit"
	noticeAttached          = "doc.attached"
)

// printer is the print state of the browser process (main loop only).
type printer struct {
	jobs     int  // print jobs started in this session
	inFlight int  // jobs GTK is still handing to CUPS
	held     bool // the end of the session waits for inFlight
}

// PrintRequested decides a print that the page asked for: window.print(),
// the PDF viewer's button (main loop). Only a resident's own touch prints
// at once; a site's script (a printable page that calls print() on load)
// gets the toolbar's confirmation instead.
func (b *Browser) PrintRequested() bool {
	page := b.committed
	switch {
	case b.conf.OutOfOrder != "" || b.quitting || !b.owned || isPortalURL(page):
		return false
	case b.conf.Printer == "":
		b.l.Info("print refused: this terminal has no printer (kiosk shell --printer)", "host", hostOf(page))
		b.notice(noticePrintUnavailable)
		return false
	case !b.residentActed():
		b.l.Info("print asked without the resident's input: confirmation shown", "host", hostOf(page))
		b.notice(noticePrintAsk)
		return false
	}
	return b.startPrint(page)
}

// printPage prints the page shown, for the toolbar's "Imprimer" (binding
// kioskPrint, accepted only after the resident's input; main loop).
func (b *Browser) printPage(id string) {
	page := b.committed
	switch {
	case b.conf.Printer == "":
		b.notice(noticePrintUnavailable)
		b.reply(id, false, jsonString(`{"error":"no printer","code":"no_printer"}`))
	case b.quitting || !b.owned || isPortalURL(page):
		b.reply(id, false, jsonString("not allowed from this page"))
	case !b.startPrint(page):
		b.reply(id, false, jsonString(`{"error":"print limit reached","code":"print_limit"}`))
	default:
		b.g.PrintPage()
		b.reply(id, true, "null")
	}
}

// startPrint counts one print job (main loop); false past the session's
// limit. The supervisor hears of it, so that it clears the queue after the
// session.
func (b *Browser) startPrint(page string) bool {
	if b.print.jobs >= maxPrintJobs {
		b.l.Warn("print refused: the session's limit is reached", "limit", maxPrintJobs, "host", hostOf(page))
		b.notice(noticePrintLimit)
		return false
	}
	b.print.jobs++
	b.print.inFlight++
	b.send(kiosk.MsgPrinted)
	b.l.Info("printing", "host", hostOf(page), "printer", b.conf.Printer, "job", b.print.jobs)
	b.notice(noticePrintSending)
	return true
}

// PrintPDF sends the PDF shown (its own bytes, not the viewer's picture of
// it) to the printer with lp(1), under the title "Document" (main loop).
// The file lives in the session's profile, wiped with it.
func (b *Browser) PrintPDF(pdf []byte, errMsg string) {
	fail := func(msg string) {
		b.PrintFailed(msg)
		b.PrintFinished(true)
	}
	if errMsg != "" || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		fail("the PDF shown is not readable: " + errMsg)
		return
	}
	home, err := os.UserHomeDir()
	if err != nil {
		fail(err.Error())
		return
	}
	dir := filepath.Join(home, "print")
	file := filepath.Join(dir, fmt.Sprintf("document-%d.pdf", b.print.jobs))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		fail(err.Error())
		return
	}
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		fail(err.Error())
		return
	}
	go func() {
		err := kiosk.PrintFile(b.ctx, b.conf.Printer, file)
		b.onMain(func() {
			if err != nil {
				b.PrintFailed(err.Error())
			}
			b.PrintFinished(err != nil)
		})
	}()
}

// PrintFailed logs WebKit's or GTK's error (main loop); printFinished follows.
func (b *Browser) PrintFailed(msg string) {
	b.l.Error("print failed", "printer", b.conf.Printer, "err", msg)
}

// PrintFinished ends a print operation: the job is in CUPS's queue unless
// it failed (main loop).
func (b *Browser) PrintFinished(failed bool) {
	if b.print.inFlight > 0 {
		b.print.inFlight--
	}
	if failed {
		b.notice(noticePrintFailed)
	} else {
		b.l.Info("print job queued", "printer", b.conf.Printer)
		b.notice(noticePrintSent)
		go func() {
			if _, err := b.call("/api/session/printed", nil); err != nil {
				b.l.Warn("counting a print", "err", err)
			}
		}()
	}
	if b.print.held && b.print.inFlight == 0 {
		b.finish(nil)
	}
}

// holdForPrint keeps the process alive after the session while GTK still
// hands print jobs to CUPS, at most printWait, so that a resident who
// prints and ends at once gets the document (main loop). It reports
// whether the end must wait.
func (b *Browser) holdForPrint() bool {
	if b.print.inFlight <= 0 {
		return false
	}
	if !b.print.held {
		b.print.held = true
		b.l.Info("session over: waiting for print jobs", "in_flight", b.print.inFlight)
		time.AfterFunc(printWait, func() {
			b.onMain(func() {
				if b.print.inFlight > 0 {
					b.l.Warn("print jobs not handed to CUPS in time", "in_flight", b.print.inFlight)
					b.print.inFlight = 0
				}
				b.finish(nil)
			})
		})
	}
	return true
}

// notice shows a notice (a message key) in the toolbar (main loop).
func (b *Browser) notice(key string) {
	b.v.ToolbarEval("window.kioskNotice && window.kioskNotice(" + jsonString(key) + ")")
}
