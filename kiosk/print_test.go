//go:build webview && linux

package kiosk_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/internal/testcups"
	"github.com/communes/kiosk/internal/wait"
)

// The toolbar's print notice and its "Imprimer" button, in its shadow root.
const (
	jsBanner      = `document.querySelector('kiosk-toolbar').shadowRoot.querySelector('.banner')`
	jsPrintButton = `document.querySelector('kiosk-toolbar').shadowRoot.querySelector('button.print')`
)

// TestShell_Print prints on a real CUPS queue through WebKitGTK's print
// operation, with no dialog. The queue is stopped, as a printer out of
// paper is: the jobs stay there, to be looked at, until the end of the
// session cancels them.
func TestShell_Print(t *testing.T) {
	const queue = "kiosk-accueil"
	cups := testcups.Start(t)
	cups.AddQueue(queue, true)
	r := newRig(t, rigOptions{
		shellArgs: []string{"--printer", queue, "--print-grace", "1s"},
		shellEnv:  cups.Env(),
	})
	r.sessionOn("")

	// The site's own script prints (a printable page calling print() on
	// load): nothing prints, the toolbar asks the resident.
	mark := r.log.len()
	r.mustEval("window.print(); 1")
	r.log.wait(t, "print asked without the resident's input: confirmation shown", mark, 5*time.Second)
	r.waitEval("the print confirmation", jsBanner+".textContent.includes('Touchez « Imprimer »') && !"+jsPrintButton+".hidden", 5*time.Second)
	if dir := os.Getenv("KIOSK_SCREENSHOTS"); dir != "" {
		r.shot(filepath.Join(dir, "print.png")) // the README's picture of it
	}
	if jobs := cups.Jobs(queue); len(jobs) != 0 {
		t.Fatalf("a site's script printed on its own: %q", jobs)
	}
	// Its script presses the toolbar's button: ignored.
	r.mustEval(jsPrintButton + ".click(); 1")
	r.log.wait(t, "toolbar: a press not made by the resident ignored", mark, 5*time.Second)
	if jobs := cups.Jobs(queue); len(jobs) != 0 {
		t.Fatalf("a site's script printed through the toolbar: %q", jobs)
	}

	// The resident presses "Imprimer": the page goes to the printer.
	r.mustEval("window.print(); 1")
	r.waitEval("the print confirmation", "!"+jsPrintButton+".hidden", 5*time.Second)
	mark = r.log.len()
	r.pressToolbar("print")
	r.log.wait(t, "print job queued", mark, 20*time.Second)
	r.waitEval("the sent notice", jsBanner+".textContent.includes('envoyé à l’imprimante')", 5*time.Second)
	waitJobs(t, cups, queue, 1)
	files := cups.DataFiles()
	if len(files) != 1 {
		t.Fatalf("spool files %q, want one document", files)
	}
	if doc, err := os.ReadFile(files[0]); err != nil || !bytes.HasPrefix(doc, []byte("%PDF-")) {
		t.Errorf("the queued document is not a PDF (%v): %.20q", err, doc)
	}

	// The resident's own touch on the site's print button prints at once.
	mark = r.log.len()
	r.touchEval("window.print(); 1")
	r.log.wait(t, "print job queued", mark, 20*time.Second)
	waitJobs(t, cups, queue, 2)

	// A PDF (an attestation) prints as the PDF itself, not as a picture of
	// the viewer: its bytes reach the queue unchanged.
	r.mustEval("location.href = '" + siteURL + "doc.pdf'; 1")
	r.waitFor("the PDF shown", 10*time.Second, func() bool {
		res, err := r.eval("1")
		return err == nil && strings.HasSuffix(res.URI, "/doc.pdf")
	})
	mark = r.log.len()
	r.touchEval("window.print(); 1")
	r.log.wait(t, "print job queued", mark, 20*time.Second)
	waitJobs(t, cups, queue, 3)
	found := false
	for _, f := range cups.DataFiles() {
		if doc, err := os.ReadFile(f); err == nil && string(doc) == pdfDoc {
			found = true
		}
	}
	if !found {
		t.Errorf("the PDF shown did not reach the queue as it is")
	}
	r.openPage("")

	// At most maxPrintJobs (10) per session.
	for i := 4; i <= 10; i++ {
		mark = r.log.len()
		r.touchEval("window.print(); 1")
		r.log.wait(t, "print job queued", mark, 20*time.Second)
	}
	mark = r.log.len()
	r.touchEval("window.print(); 1")
	r.log.wait(t, "print refused: the session's limit is reached", mark, 5*time.Second)
	r.waitEval("the limit notice", jsBanner+".textContent.includes('nombre maximum d’impressions')", 5*time.Second)
	waitJobs(t, cups, queue, 10)

	// The service counted the prints (counts only).
	if n := r.metric("kiosk_prints_total"); n != 10 {
		t.Errorf("kiosk_prints_total = %v, want 10", n)
	}

	// The session ends: after the grace its jobs are cancelled, and their
	// documents are gone from the spool.
	mark = r.log.len()
	r.endSession()
	r.log.wait(t, "print jobs of an earlier session cancelled", mark, 10*time.Second)
	if jobs := cups.Jobs(queue); len(jobs) != 0 {
		t.Errorf("jobs left after the session: %q", jobs)
	}
	if files := cups.DataFiles(); len(files) != 0 {
		t.Errorf("documents left in the spool: %q", files)
	}
}

// TestShell_PrintWithoutPrinter: with no --printer, a print shows that the
// terminal has none, and nothing else happens.
func TestShell_PrintWithoutPrinter(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.sessionOn("")
	mark := r.log.len()
	r.touchEval("window.print(); 1")
	r.log.wait(t, "print refused: this terminal has no printer (kiosk shell --printer)", mark, 5*time.Second)
	r.waitEval("the notice", jsBanner+".textContent.includes('pas d’imprimante') && "+jsPrintButton+".hidden", 5*time.Second)
	if strings.Contains(r.log.text(), "printing") {
		t.Error("the shell printed without a printer")
	}
}

// waitJobs waits until queue holds n jobs.
func waitJobs(t *testing.T, cups *testcups.Server, queue string, n int) {
	t.Helper()
	wait.UntilErr(t, 10*time.Second, fmt.Sprintf("queue %s holding %d jobs", queue, n), func() error {
		if jobs := cups.Jobs(queue); len(jobs) != n {
			return fmt.Errorf("it holds %q", jobs)
		}
		return nil
	})
}
