package portal

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
)

//go:embed assets templates
var files embed.FS

// Inline assets and the page CSP that allows exactly them.
var (
	pageCSS = mustRead("assets/portal.css")
	pageJS  = mustRead("assets/portal.js")
	pageCSP = "default-src 'none'; img-src " + Base + " data:; style-src " + hashOf(pageCSS) +
		"; script-src " + hashOf(pageJS) + "; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	pages = template.Must(template.New("pages").Funcs(template.FuncMap{
		"keys": func() []string { return []string{"1", "2", "3", "4", "5", "6", "7", "8", "9"} },
	}).ParseFS(files, "templates/*.tmpl"))
)

func mustRead(name string) string {
	b, err := files.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// hashOf returns the CSP source expression of an inline element's text.
func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// buildToolbar fills the toolbar script with the strings of every language.
func buildToolbar() ([]byte, error) {
	// The on-screen keyboard runs with the toolbar, in its script world.
	js := []byte(mustRead("assets/toolbar.js") + "\n" + mustRead("assets/keyboard.js"))
	strs := map[string]map[string]string{}
	for _, l := range Languages {
		m := map[string]string{}
		for k, v := range messages[l.Code] {
			if isToolbarKey(k) {
				m[k] = v
			}
		}
		strs[l.Code] = m
	}
	b, err := json.Marshal(strs)
	if err != nil {
		return nil, fmt.Errorf("building toolbar: %w", err)
	}
	portal, _ := json.Marshal(Base)
	for _, r := range []struct{ old, new []byte }{
		{[]byte("/*STRINGS*/{}"), b},
		{[]byte(`/*PORTAL*/"http://kiosk.invalid/"`), portal},
	} {
		if !bytes.Contains(js, r.old) {
			return nil, fmt.Errorf("building toolbar: placeholder %s missing", r.old)
		}
		js = bytes.Replace(js, r.old, r.new, 1)
	}
	return js, nil
}

// isToolbarKey reports whether the toolbar uses the message key.
func isToolbarKey(k string) bool {
	for _, p := range []string{"bar.", "idle.", "warn.", "confirm.", "help.", "print.", "doc."} {
		if len(k) > len(p) && k[:len(p)] == p {
			return true
		}
	}
	return false
}

// serveToolbar serves /toolbar.js.
func (h *Handler) serveToolbar(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Type", "text/javascript; charset=utf-8")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("Content-Length", strconv.Itoa(len(h.toolbar)))
	if r.Method != http.MethodHead {
		_, _ = w.Write(h.toolbar)
	}
}

// ToolbarJS returns the toolbar script (what /toolbar.js serves).
func (h *Handler) ToolbarJS() []byte { return bytes.Clone(h.toolbar) }
