package browser

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/communes/kiosk/kiosk"
)

// How long the page may leave the probe unanswered: after stuckPage the
// built-in "page unavailable" screen replaces it (WebView2's own error
// pages run no script and have no toolbar); after hungPage this process
// ends as a crash.
const (
	stuckPage = 8 * time.Second
	hungPage  = 45 * time.Second // as on Linux (events_linux.go)
)

// bindAll binds the raw call and installs the guard script (before the
// main loop runs; the toolbar comes after it).
func (b *Browser) bindAll() error {
	if err := b.w.BindRaw(rawBinding, b.rawCall); err != nil {
		return fmt.Errorf("binding %s: %w", rawBinding, err)
	}
	b.v.Toolbar(guardScript())
	return nil
}

// rawCall receives every call of the guard script (main): id settles the
// page's Promise, page is the calling document's URL.
func (b *Browser) rawCall(id, name, page string, args []json.RawMessage) {
	if src := b.w.Source(); src != "" {
		// WebView2's own word on the top-level document beats the page's.
		page = src
	}
	b.page = page
	if strings.HasPrefix(id, toolbarCall) {
		b.v.Reply(id, false, jsonString("bad call id")) // that prefix is the toolbar world's (none here)
		return
	}
	switch name {
	case "_probe":
		b.probe = time.Time{}
	case "_loaded":
		b.probe = time.Time{}
		if u, err := url.Parse(page); err == nil && isPortal(u) && (u.Path == "/" || u.Path == "") && !b.owned {
			b.send(kiosk.MsgReady)
		}
	default:
		b.binding(id, name, page, args)
	}
}

// pageStatus is the HTTP status of the calling page (main). Without
// WebView2's navigation events the shell does not know it: a page on a
// host the allowlist refuses can only be the proxy's blocked page (the
// proxy refuses every request there), so it counts as the 403 page of
// that host.
func (b *Browser) pageStatus(page string) int {
	if page != "" && !isPortalURL(page) && !b.nav.allowed(page) {
		return 403
	}
	return 200
}

// checkResponsive sends a probe to the page on each heartbeat (main): a
// page that leaves it unanswered (an endless script, a crashed renderer,
// WebView2's error page) is replaced by the "page unavailable" screen,
// and if that does not answer either, this process ends as a crash.
func (b *Browser) checkResponsive() {
	if b.quitting {
		return
	}
	if b.probe.IsZero() {
		b.probe = time.Now()
		b.v.Eval("window.__kioskProbe && window.__kioskProbe()")
		return
	}
	silent := time.Since(b.probe)
	switch {
	case silent > hungPage:
		b.l.Error("page not answering: ending the browser process", "silent", silent.Round(time.Second))
		b.finish(ErrCrashed)
	case silent > stuckPage && b.showing != screenBuiltin && !b.recovering.Load():
		b.l.Warn("page not answering: page unavailable", "host", hostOf(b.page))
		b.showBuiltin(unavailablePage(b.nav.portalURL("home")))
	}
}

// toolbarWorld: WebView2 (through webview_go) runs the toolbar in the
// page's own script world, so its calls cannot be told from the page's.
const toolbarWorld = false

// residentActed is always true on Windows: WebView2 takes the input in its
// own window, where this process does not see it, so the toolbar's actions
// cannot be tied to the resident's input there (docs/shell.md).
func (b *Browser) residentActed() bool { return true }

// printPage answers the toolbar's "Imprimer": printing is Linux only (the
// WebView2 shell refuses every print, docs/windows.md).
func (b *Browser) printPage(id string) {
	b.reply(id, false, jsonString(`{"error":"no printer","code":"no_printer"}`))
}

// scanDocument and attachDocument answer the documents overlay, which the
// WebView2 shell never opens (it refuses file choosers).
func (b *Browser) scanDocument(id string, _ int) {
	b.reply(id, false, jsonString(`{"error":"no scanner","code":"no_chooser"}`))
}

func (b *Browser) attachDocument(id string, _ int) {
	b.reply(id, false, jsonString(`{"error":"no file chooser open","code":"no_chooser"}`))
}

// holdForPrint never holds: nothing prints on Windows.
func (b *Browser) holdForPrint() bool { return false }
