//go:build webview && linux

package kiosk_test

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/communes/kiosk/internal/testnet"
)

// origin is the test site www.caf.fr, listening on the namespace's public
// test address (the proxy refuses loopback destinations). It counts the
// requests it gets, so a test knows the proxy forwarded one.
type origin struct {
	mu      sync.Mutex
	hits    map[string]int
	uploads []upload // files posted to /upload
}

// upload is a file a form posted to the origin.
type upload struct {
	name, contentType string
	data              []byte
}

func (o *origin) uploaded() []upload {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]upload(nil), o.uploads...)
}

func (o *origin) count(path string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.hits[path]
}

// downloadName is the file name the download responses suggest.
const downloadName = "kiosk-test-download.txt"

const sitePage = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>CAF test</title></head>
<body style="font:20px sans-serif;padding:1em">
<h1 id="h">Site de test CAF</h1>
<p><a id="blocked" href="http://blocked.example/page">Un lien vers un site non autorisé</a></p>
<p><a id="blank" target="_blank" href="/blank">target=_blank</a></p>
<p><button id="open" onclick="window.open('/opened')">window.open</button></p>
<p><a id="att" href="/att">attachment</a> <a id="zip" href="/zip">zip</a>
<a id="dl" download="` + downloadName + `" href="/plain">a download</a> <a id="pdf" href="/doc.pdf">PDF</a></p>
<p><input id="in" value="kiosk-clipboard-secret"> <input id="in2" value=""></p>
</body></html>`

// uploadPage is a form with a file input, as on a benefits site: its script
// reads the chosen file (as sites do for a preview), so the test sees what
// the sandboxed web process could read.
const uploadPage = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Envoi</title></head>
<body style="font:20px sans-serif;padding:1em">
<h1>Envoyer un justificatif</h1>
<form id="f" method="post" action="/upload" enctype="multipart/form-data">
<input id="file" type="file" name="doc" accept="application/pdf,image/jpeg">
<button id="send">Envoyer</button></form>
<p id="chosen"></p>
<script>
document.getElementById('file').addEventListener('change', function (ev) {
  var f = ev.target.files[0];
  if (!f) { return; }
  f.slice(0, 5).arrayBuffer().then(function (b) {
    var head = Array.from(new Uint8Array(b)).map(function (x) { return String.fromCharCode(x); }).join('');
    document.getElementById('chosen').textContent = f.name + '|' + f.size + '|' + f.type + '|' + head;
  }, function (e) { document.getElementById('chosen').textContent = 'unreadable: ' + e; });
});
</script></body></html>`

// pdfDoc is a one-page PDF.
const pdfDoc = "%PDF-1.1\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 144]/Contents 4 0 R/Resources<</Font<</F1<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>>>>>>>endobj\n4 0 obj<</Length 44>>stream\nBT /F1 24 Tf 50 80 Td (Hello PDF) Tj ET\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

func startOrigin(t testing.TB, ns *testnet.NS) *origin {
	t.Helper()
	o := &origin{hits: map[string]int{}}
	ln, err := ns.Listen("tcp", testnet.OriginAddr+":80")
	if err != nil {
		t.Fatalf("origin: %v", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(o.serve)}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return o
}

func (o *origin) serve(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	o.hits[r.URL.Path]++
	o.mu.Unlock()
	h := w.Header()
	switch r.URL.Path {
	case "/":
		h.Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, sitePage)
	case "/upload":
		if r.Method != http.MethodPost {
			h.Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, uploadPage)
			return
		}
		f, fh, err := r.FormFile("doc")
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		data, _ := io.ReadAll(f)
		o.mu.Lock()
		o.uploads = append(o.uploads, upload{fh.Filename, fh.Header.Get("Content-Type"), data})
		o.mu.Unlock()
		h.Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><meta charset="utf-8"><title>Reçu</title></head><body><h1 id="h">reçu %d octets</h1></body></html>`, len(data))
	case "/att":
		h.Set("Content-Type", "text/plain")
		h.Set("Content-Disposition", "attachment; filename="+downloadName)
		fmt.Fprint(w, "a file that must not be saved")
	case "/zip":
		h.Set("Content-Type", "application/zip")
		h.Set("Content-Disposition", "attachment; filename=kiosk-test-download.zip")
		fmt.Fprint(w, "PK\x03\x04 not really a zip")
	case "/plain":
		h.Set("Content-Type", "text/plain")
		fmt.Fprint(w, "plain text behind <a download>")
	case "/doc.pdf":
		h.Set("Content-Type", "application/pdf")
		h.Set("Content-Disposition", "attachment; filename=kiosk-test-download.pdf")
		_, _ = io.WriteString(w, pdfDoc)
	default:
		h.Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><meta charset="utf-8"><title>%s</title></head><body><h1 id="h">page %s</h1></body></html>`, r.URL.Path, r.URL.Path)
	}
}
