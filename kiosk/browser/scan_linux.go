package browser

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Limits of one session's documents.
const (
	maxDocuments = 20
	maxPages     = 10 // pages of one document
)

// document is what the resident scanned for one attachment: one or more
// pages. Its files live in the session's profile (HOME/documents), so the
// wipe removes them. It belongs to the site (host) whose form it was
// scanned for: another site's page never sees it, even if its script
// acted within the resident's touch.
type document struct {
	ID    int    `json:"id"`
	N     int    `json:"n"`  // its number among its site's documents (shown)
	At    string `json:"at"` // when its last page was scanned, "10:32"
	Pages int    `json:"pages"`
	host  string
	pages []string
}

// documents is the resident's scanned documents and the page's pending
// file chooser (main loop only).
type documents struct {
	docs     []document
	open     bool   // a page's file chooser waits: the overlay is shown
	format   string // what it accepts best: "pdf" or "jpeg"
	host     string // the host of its page
	scanning bool
}

// FileChooser answers a page's <input type=file> (main loop): GTK's dialog
// is never shown; with a scanner the toolbar's overlay offers "Numériser"
// and the session's documents, with --usb the files of the resident's USB
// key (usb_linux.go), else the chooser is cancelled with a notice.
func (b *Browser) FileChooser(accept string) {
	page := b.committed
	switch {
	case b.conf.OutOfOrder != "" || b.quitting || !b.owned || isPortalURL(page):
		b.g.AnswerChooser("")
		return
	case b.conf.Scanner == "" && !b.conf.USB:
		b.l.Info("file upload refused: this terminal has no scanner (kiosk shell --scanner)", "host", hostOf(page))
		b.g.AnswerChooser("")
		b.notice(noticeUploadUnavailable)
		return
	case !b.residentActed():
		b.l.Warn("file chooser refused without the resident's input", "host", hostOf(page))
		b.g.AnswerChooser("")
		return
	}
	b.docs.open = true
	b.docs.format = scanFormat(accept)
	b.docs.host = hostOf(page)
	b.l.Info("file chooser: documents offered", "host", b.docs.host, "accept", accept, "format", b.docs.format, "documents", len(b.siteDocuments()))
	b.usbOverlayOpened()
	b.showDocuments()
}

// scanDocument scans a page for the resident (binding kioskScan, after the
// resident's input; main loop): a new document when docID is 0, else one
// more page of document docID. The scan runs on its own goroutine.
func (b *Browser) scanDocument(id string, docID int) {
	fail := func(code, msg string) {
		b.reply(id, false, jsonString(fmt.Sprintf(`{"error":%q,"code":%q}`, msg, code)))
	}
	var doc *document
	switch {
	case b.conf.Scanner == "" || !b.docs.open:
		fail("no_chooser", "no file chooser open")
		return
	case b.docs.scanning:
		fail("busy", "a scan is running")
		return
	case docID == 0 && len(b.docs.docs) >= maxDocuments:
		b.notice(noticeScanLimit)
		fail("scan_limit", "document limit reached")
		return
	case docID != 0:
		if doc = b.findDocument(docID); doc == nil {
			fail("not_found", "no such document")
			return
		}
		if len(doc.pages) >= maxPages {
			b.notice(noticeScanLimit)
			fail("scan_limit", "page limit reached")
			return
		}
	}
	home, err := os.UserHomeDir()
	if err != nil {
		fail("scan_failed", err.Error())
		return
	}
	dir := filepath.Join(home, "documents")
	n, page := len(b.docs.docs)+1, 1
	if doc != nil {
		n, page = doc.ID, len(doc.pages)+1
	}
	file := filepath.Join(dir, fmt.Sprintf("document-%d-page-%d.jpg", n, page))
	host := b.docs.host
	b.docs.scanning = true
	b.showDocuments()
	b.reply(id, true, "null")
	b.l.Info("scanning", "scanner", b.conf.Scanner, "document", n, "page", page)
	go func() {
		start := time.Now()
		err := scan(b.ctx, b.conf.Scanner, dir, file)
		b.onMain(func() {
			b.docs.scanning = false
			if err != nil {
				b.l.Error("scan failed", "scanner", b.conf.Scanner, "err", err)
				b.notice(noticeScanFailed)
				b.showDocuments()
				return
			}
			d := b.findDocument(n)
			if d == nil {
				b.docs.docs = append(b.docs.docs, document{ID: n, host: host})
				d = &b.docs.docs[len(b.docs.docs)-1]
			}
			d.pages = append(d.pages, file)
			d.Pages, d.At = len(d.pages), time.Now().Format("15:04")
			b.l.Info("document scanned", "document", n, "page", page, "took", time.Since(start).Round(time.Millisecond))
			b.showDocuments()
		})
	}()
}

// findDocument returns the document id scanned for the pending chooser's
// site, or nil.
func (b *Browser) findDocument(id int) *document {
	for i := range b.docs.docs {
		if d := &b.docs.docs[i]; d.ID == id && d.host == b.docs.host {
			return d
		}
	}
	return nil
}

// siteDocuments are the documents scanned for the pending chooser's site.
func (b *Browser) siteDocuments() []document {
	docs := []document{}
	for _, d := range b.docs.docs {
		if d.host == b.docs.host {
			d.N = len(docs) + 1
			docs = append(docs, d)
		}
	}
	return docs
}

// attachDocument answers the page's file chooser (binding kioskAttach,
// after the resident's input; main loop): the document id, or 0 to cancel.
// A one-page document goes as its JPEG where the page asks for images;
// otherwise its pages go as one PDF.
func (b *Browser) attachDocument(id string, docID int) {
	if !b.docs.open {
		b.reply(id, false, jsonString(`{"error":"no file chooser open","code":"no_chooser"}`))
		return
	}
	path := ""
	if docID != 0 {
		doc := b.findDocument(docID)
		if doc == nil {
			b.reply(id, false, jsonString(`{"error":"no such document","code":"not_found"}`))
			return
		}
		if b.docs.format == "jpeg" && len(doc.pages) == 1 {
			path = filepath.Join(filepath.Dir(doc.pages[0]), fmt.Sprintf("document-%d.jpg", doc.ID))
			if err := os.Link(doc.pages[0], path); err != nil && !os.IsExist(err) {
				path = doc.pages[0]
			}
		} else {
			path = filepath.Join(filepath.Dir(doc.pages[0]), fmt.Sprintf("document-%d.pdf", doc.ID))
			if err := writePDF(path, doc.pages, scanDPI); err != nil {
				b.l.Error("making the document's PDF", "err", err)
				b.notice(noticeScanFailed)
				b.reply(id, false, jsonString(`{"error":"no PDF","code":"scan_failed"}`))
				return
			}
		}
	}
	b.docs.open = false
	if !b.g.AnswerChooser(path) {
		path = ""
	}
	if path != "" {
		b.l.Info("document attached", "document", docID, "file", filepath.Base(path), "host", hostOf(b.committed))
		b.notice(noticeAttached)
	} else {
		b.l.Info("file chooser cancelled", "host", hostOf(b.committed))
	}
	b.showDocuments()
	b.reply(id, true, "null")
}

// closeDocuments cancels a pending chooser when its page goes (main loop).
func (b *Browser) closeDocuments() {
	if b.docs.open {
		b.docs.open = false
		b.g.AnswerChooser("")
		b.showDocuments()
	}
}

// showDocuments sends the overlay's state to the toolbar (main loop):
// pages may be added where the page takes a PDF.
func (b *Browser) showDocuments() {
	st, _ := json.Marshal(map[string]any{
		"open": b.docs.open, "scanning": b.docs.scanning, "docs": b.siteDocuments(),
		"multipage": b.docs.format == "pdf", "scanner": b.conf.Scanner != "", "usb": b.usbView(),
	})
	b.v.ToolbarEval("window.kioskDocuments && window.kioskDocuments(" + string(st) + ")")
}
