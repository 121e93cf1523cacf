//go:build webview && linux

package kiosk_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The toolbar's documents overlay, in its shadow root.
const (
	jsDocs       = `document.querySelector('kiosk-toolbar').shadowRoot.querySelector('.docs-overlay')`
	jsScanButton = jsDocs + `.querySelector('button.scan')`
)

// pressDocs presses a button of the documents overlay with the real
// pointer.
func (r *rig) pressDocs(sel string) {
	r.t.Helper()
	r.press(jsDocs + ".querySelector('" + sel + "')")
}

// saneTestEnv makes SANE's virtual "test" scanner (libsane1) the only one,
// through a configuration directory of the test's own.
func saneTestEnv(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dll.conf"), []byte("test\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{"SANE_CONFIG_DIR=" + dir}
}

// otherSite is a second allowed site, for what one site may not see of
// another's documents.
const otherSite = "www.impots.gouv.fr"

// TestShell_AttachScannedDocument: a site's form asks for a file; the
// resident scans a page on the terminal's scanner (SANE's virtual one) and
// attaches it; the sandboxed page reads it and the form sends it through
// the proxy; another site's form does not see it; the end of the session
// erases it.
func TestShell_AttachScannedDocument(t *testing.T) {
	r := newRig(t, rigOptions{
		shellArgs: []string{"--scanner", "test:0"}, shellEnv: saneTestEnv(t),
		hosts:     []string{otherSite},
		allowlist: "  - name: Impots\n    hosts:\n      - ." + otherSite + "\n",
	})
	r.sessionOn("upload")

	// The resident touches the form's file button: no file dialog, the
	// documents overlay.
	mark := r.log.len()
	r.touchEval("document.getElementById('file').click(); 1")
	r.log.wait(t, "file chooser: documents offered", mark, 5*time.Second)
	r.waitEval("the documents overlay", "!"+jsDocs+".hidden && "+jsDocs+".textContent.includes('Joindre un document') && "+jsDocs+".textContent.includes('Aucun document')", 5*time.Second)

	// (A site's script pressing "Numériser" or "Joindre", or calling
	// kioskScan or kioskAttach, is refused like the toolbar's other
	// actions: TestShell_ToolbarActionsNeedResidentInput.)
	// The resident scans a page, adds a second one, then attaches the
	// document.
	r.pressDocs("button.scan")
	r.log.wait(t, "document scanned", mark, 30*time.Second)
	attach := jsDocs + `.querySelector('button.attach[data-doc="1"]')`
	addPage := jsDocs + `.querySelector('button.addpage[data-doc="1"]')`
	r.waitEval("the scanned document in the list", attach+" && "+jsDocs+".textContent.includes('Document 1 (1 page), numérisé à')", 5*time.Second)
	mark = r.log.len()
	r.pressDocs(`button.addpage[data-doc="1"]`)
	r.log.wait(t, "document scanned", mark, 30*time.Second)
	r.waitEval("the document's second page", jsDocs+".textContent.includes('Document 1 (2 pages), numérisé à') && !"+addPage+".disabled", 5*time.Second)
	if dir := os.Getenv("KIOSK_SCREENSHOTS"); dir != "" {
		r.shot(filepath.Join(dir, "documents.png")) // the README's picture of it
	}
	docs, _ := filepath.Glob(filepath.Join(r.data, "profiles", "*", "documents", "document-1-page-*.jpg"))
	if len(docs) != 2 {
		t.Fatalf("the scans are not in the session's profile: %q", docs)
	}
	r.pressDocs(`button.attach[data-doc="1"]`)
	r.log.wait(t, "document attached", mark, 5*time.Second)
	r.waitEval("the overlay closed", jsDocs+".hidden", 5*time.Second)

	// The page (sandboxed web process) reads the file it was given.
	r.waitEval("the page read the file", "document.getElementById('chosen').textContent.indexOf('document-1.pdf|') === 0", 10*time.Second)
	chosen := string(r.mustEval("document.getElementById('chosen').textContent").Result)
	if !strings.Contains(chosen, "|application/pdf|%PDF-") {
		t.Errorf("the page read %s, want a PDF", chosen)
	}

	// The form sends it to the site through the proxy.
	r.mustEval("document.getElementById('f').submit(); 1")
	r.waitEval("the site's answer", "document.getElementById('h') && document.getElementById('h').textContent.indexOf('reçu') === 0", 10*time.Second)
	ups := r.origin.uploaded()
	if len(ups) != 1 || ups[0].name != "document-1.pdf" || !strings.HasPrefix(string(ups[0].data), "%PDF-") ||
		!strings.Contains(string(ups[0].data), "/Count 2") {
		t.Fatalf("the site received %d file(s), want document-1.pdf of two pages", len(ups))
	}

	// Another site's form, in the same session: the document scanned for
	// the first site is neither shown nor attachable, even by the page's
	// script acting right after the resident's touch.
	r.mustEval("location.href = 'http://" + otherSite + "/upload'; 1")
	r.waitEval("the other site's form", "location.host === '"+otherSite+"' && document.readyState === 'complete'", 10*time.Second)
	mark = r.log.len()
	r.touchEval("document.getElementById('file').click(); 1")
	r.log.wait(t, "file chooser: documents offered", mark, 5*time.Second)
	r.waitEval("an empty documents overlay", "!"+jsDocs+".hidden && "+jsDocs+".textContent.includes('Aucun document') && !"+attach, 5*time.Second)
	r.touchEval("window.__r = ''; kioskAttach(1).then(function () { window.__r = 'resolved'; }, function (e) { window.__r = 'rejected ' + e; }); 1")
	r.waitEval("kioskAttach settled", "window.__r !== ''", 5*time.Second)
	if got := string(r.mustEval("window.__r + ' ' + document.getElementById('file').files.length").Result); !strings.Contains(got, "rejected") || !strings.HasSuffix(got, ` 0"`) {
		t.Errorf("kioskAttach(1) from the other site: %s, want a rejection and no file", got)
	}

	// The scan goes with the session's profile.
	r.endSession()
	if docs, _ := filepath.Glob(filepath.Join(r.data, "profiles", "*", "documents", "*")); len(docs) != 0 {
		t.Errorf("scanned documents left after the session: %q", docs)
	}
}

// TestShell_UploadWithoutScanner: with no --scanner, a file button says the
// terminal cannot attach documents, and no file dialog opens.
func TestShell_UploadWithoutScanner(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.sessionOn("upload")
	mark := r.log.len()
	r.touchEval("document.getElementById('file').click(); 1")
	r.log.wait(t, "file upload refused: this terminal has no scanner (kiosk shell --scanner)", mark, 5*time.Second)
	r.waitEval("the notice", jsBanner+".textContent.includes('ne permet pas de joindre un document') && "+jsDocs+".hidden", 5*time.Second)
	if n := string(r.mustEval("document.getElementById('file').files.length").Result); n != "0" {
		t.Errorf("files chosen: %s", n)
	}
}
