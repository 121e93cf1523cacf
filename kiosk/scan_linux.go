//go:build webview && linux

package kiosk

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// maxDocuments is how many documents one session may scan.
const maxDocuments = 20

// document is a page the resident scanned in this session. It lives in the
// session's profile (HOME/documents), so the wipe removes it.
type document struct {
	ID     int    `json:"id"`
	At     string `json:"at"`     // when it was scanned, "10:32"
	Format string `json:"format"` // "pdf" or "jpeg"
	path   string
}

// documents is the resident's scanned documents and the page's pending
// file chooser (main loop only).
type documents struct {
	docs     []document
	open     bool   // a page's file chooser waits: the overlay is shown
	format   string // what it accepts best: "pdf" or "jpeg"
	scanning bool
}

// fileChooser answers a page's <input type=file> (main loop): GTK's dialog
// is never shown; with a scanner the toolbar's overlay offers "Numériser"
// and the session's documents, else the chooser is cancelled with a notice.
func (b *browser) fileChooser(accept string) {
	page := b.committed
	switch {
	case b.conf.OutOfOrder != "" || b.quitting || !b.owned || isPortalURL(page):
		b.g.answerChooser("")
		return
	case b.conf.Scanner == "":
		b.l.Info("file upload refused: this terminal has no scanner (kiosk shell --scanner)", "host", hostOf(page))
		b.g.answerChooser("")
		b.notice(noticeUploadUnavailable)
		return
	case !b.residentActed():
		b.l.Warn("file chooser refused without the resident's input", "host", hostOf(page))
		b.g.answerChooser("")
		return
	}
	b.docs.open = true
	b.docs.format = scanFormat(accept)
	b.l.Info("file chooser: documents offered", "host", hostOf(page), "accept", accept, "format", b.docs.format, "documents", len(b.docs.docs))
	b.showDocuments()
}

// scanDocument scans a page for the resident (binding kioskScan, after the
// resident's input; main loop). The scan runs on its own goroutine.
func (b *browser) scanDocument(id string) {
	switch {
	case b.conf.Scanner == "" || !b.docs.open:
		b.v.reply(id, false, jsonString(`{"error":"no file chooser open","code":"no_chooser"}`))
		return
	case b.docs.scanning:
		b.v.reply(id, false, jsonString(`{"error":"a scan is running","code":"busy"}`))
		return
	case len(b.docs.docs) >= maxDocuments:
		b.notice(noticeScanLimit)
		b.v.reply(id, false, jsonString(`{"error":"document limit reached","code":"scan_limit"}`))
		return
	}
	home, err := os.UserHomeDir()
	if err != nil {
		b.v.reply(id, false, jsonString(err.Error()))
		return
	}
	dir := filepath.Join(home, "documents")
	n := len(b.docs.docs) + 1
	format := b.docs.format
	ext := map[string]string{"pdf": ".pdf", "jpeg": ".jpg"}[format]
	doc := document{ID: n, Format: format, path: filepath.Join(dir, "document-"+strconv.Itoa(n)+ext)}
	b.docs.scanning = true
	b.showDocuments()
	b.v.reply(id, true, "null")
	b.l.Info("scanning", "scanner", b.conf.Scanner, "format", format, "document", n)
	go func() {
		start := time.Now()
		err := scan(b.ctx, b.conf.Scanner, format, dir, doc.path)
		b.onMain(func() {
			b.docs.scanning = false
			if err != nil {
				b.l.Error("scan failed", "scanner", b.conf.Scanner, "err", err)
				b.notice(noticeScanFailed)
				b.showDocuments()
				return
			}
			size := int64(0)
			if fi, err := os.Stat(doc.path); err == nil {
				size = fi.Size()
			}
			doc.At = time.Now().Format("15:04")
			b.docs.docs = append(b.docs.docs, doc)
			b.l.Info("document scanned", "document", n, "format", format, "bytes", size, "took", time.Since(start).Round(time.Millisecond))
			b.showDocuments()
		})
	}()
}

// attachDocument answers the page's file chooser (binding kioskAttach,
// after the resident's input; main loop): the document id, or 0 to cancel.
func (b *browser) attachDocument(id string, docID int) {
	if !b.docs.open {
		b.v.reply(id, false, jsonString(`{"error":"no file chooser open","code":"no_chooser"}`))
		return
	}
	path := ""
	if docID != 0 {
		for _, d := range b.docs.docs {
			if d.ID == docID {
				path = d.path
			}
		}
		if path == "" {
			b.v.reply(id, false, jsonString(`{"error":"no such document","code":"not_found"}`))
			return
		}
	}
	b.docs.open = false
	if !b.g.answerChooser(path) {
		path = ""
	}
	if path != "" {
		b.l.Info("document attached", "document", docID, "host", hostOf(b.committed))
		b.notice(noticeAttached)
	} else {
		b.l.Info("file chooser cancelled", "host", hostOf(b.committed))
	}
	b.showDocuments()
	b.v.reply(id, true, "null")
}

// closeDocuments cancels a pending chooser when its page goes (main loop).
func (b *browser) closeDocuments() {
	if b.docs.open {
		b.docs.open = false
		b.g.answerChooser("")
		b.showDocuments()
	}
}

// showDocuments sends the overlay's state to the toolbar (main loop).
func (b *browser) showDocuments() {
	docs := b.docs.docs
	if docs == nil {
		docs = []document{}
	}
	st, _ := json.Marshal(map[string]any{"open": b.docs.open, "scanning": b.docs.scanning, "docs": docs})
	b.v.eval("window.kioskDocuments && window.kioskDocuments(" + string(st) + ")")
}
