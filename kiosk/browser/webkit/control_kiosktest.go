//go:build webview && linux && kiosktest

package webkit

import (
	"bufio"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"sync"

	"github.com/communes/kiosk/kiosk/browser"
)

// Test builds (-tags kiosktest) let the tests drive the page: when
// KIOSK_TEST_CONTROL names a directory, the browser process listens on
// DIR/browser.sock for JSON lines {"js": "..."} and answers each with
// {"result": <JSON value>, "error": "..."} after evaluating it in the page
// (WebKit's own evaluation hook); with "input": true the resident's touch
// is recorded first, as GTK's input signals do. Production builds have no
// such socket.

type evalResult struct {
	Result json.RawMessage `json:"result,omitempty"`
	URI    string          `json:"uri"`
	Error  string          `json:"error,omitempty"`
}

var (
	evalMu   sync.Mutex
	evalSeq  int64
	evalWait = map[int64]chan evalResult{}
)

func startControl(b *browser.Browser) {
	dir := os.Getenv("KIOSK_TEST_CONTROL")
	if dir == "" {
		return
	}
	path := filepath.Join(dir, "browser.sock")
	_ = os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		b.Logger().Error("test control socket", "err", err)
		return
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serveControl(b, c)
		}
	}()
}

func serveControl(b *browser.Browser, c net.Conn) {
	defer c.Close()
	sc := bufio.NewScanner(c)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	enc := json.NewEncoder(c)
	for sc.Scan() {
		var req struct {
			JS    string `json:"js"`
			Input bool   `json:"input"` // the resident touched the view first
		}
		if err := json.Unmarshal(sc.Bytes(), &req); err != nil {
			_ = enc.Encode(evalResult{Error: err.Error()})
			continue
		}
		evalMu.Lock()
		evalSeq++
		id := evalSeq
		ch := make(chan evalResult, 1)
		evalWait[id] = ch
		evalMu.Unlock()
		var uri string
		onMain(func() {
			uri = theGUI.uri()
			if req.Input {
				b.Input() // what GTK's input signals call
			}
			if req.JS == "" {
				evalDone(id, "null", "")
				return
			}
			theGUI.evalAsync(req.JS, id)
		})
		r := <-ch
		r.URI = uri
		_ = enc.Encode(r)
	}
}

func evalDone(id int64, result, errMsg string) {
	evalMu.Lock()
	ch := evalWait[id]
	delete(evalWait, id)
	evalMu.Unlock()
	if ch == nil {
		return
	}
	r := evalResult{Error: errMsg}
	if result != "" {
		r.Result = json.RawMessage(result)
	}
	ch <- r
}
