package portal

import (
	"bytes"
	"html"
	"html/template"
	"net/http"
	"strconv"
	"strings"
)

// page is the data of one page template.
type page struct {
	Page      string // template name
	Lang, Dir string
	Title     string
	CSS       template.CSS
	JS        template.JS
	Data      map[string]any // JSON for portal.js

	msgs map[string]string

	// Welcome and home.
	WelcomeText string
	Languages   []langLink
	Tiles       []tile
	StartOnTile bool
	StartHref   string
	// Mode is the session mode (welcome: which start buttons show).
	Mode string
	// Blocked.
	Host string
	// End.
	SatisfactionSeconds int
}

// langLink is one choice of the welcome screen's language list.
type langLink struct {
	Code, Name, Dir, Href string
	Current               bool
}

// T returns the message key in the page language (French when missing).
func (p *page) T(key string) string {
	if s, ok := p.msgs[key]; ok {
		return s
	}
	return messages["fr"][key]
}

// WithHost returns message key with {host} replaced by the page's host in
// bold, HTML-escaped; without a host (not a valid host name: displayHost),
// message key+"_nohost", which names no site.
func (p *page) WithHost(key string) template.HTML {
	if p.Host == "" {
		return template.HTML(html.EscapeString(p.T(key + "_nohost")))
	}
	before, after, _ := strings.Cut(p.T(key), "{host}")
	return template.HTML(html.EscapeString(before) + `<span class="host" dir="ltr">` +
		html.EscapeString(p.Host) + `</span>` + html.EscapeString(after))
}

// basePage returns the common data of page name with title key.
func (h *Handler) basePage(r *http.Request, name, titleKey string) *page {
	l := h.lang(r)
	dir := "ltr"
	if l.RTL {
		dir = "rtl"
	}
	p := &page{
		Page: name, Lang: l.Code, Dir: dir,
		CSS: template.CSS(pageCSS), JS: template.JS(pageJS),
		msgs:                messages[l.Code],
		SatisfactionSeconds: int(h.conf.SatisfactionTimeout.Seconds()),
	}
	p.Title = p.T(titleKey)
	p.Mode = h.conf.Mode
	p.Data = map[string]any{"page": name, "lang": l.Code, "satisfaction_s": p.SatisfactionSeconds, "mode": p.Mode}
	return p
}

// welcomePage is the screen shown between sessions.
func (h *Handler) welcomePage(r *http.Request) *page {
	p := h.basePage(r, "welcome", "welcome.title")
	p.WelcomeText = strings.TrimSpace(h.conf.WelcomeText[p.Lang])
	for _, l := range h.langs {
		dir := "ltr"
		if l.RTL {
			dir = "rtl"
		}
		p.Languages = append(p.Languages, langLink{
			Code: l.Code, Name: l.Name, Dir: dir, Current: l.Code == p.Lang,
			Href: Base + "?lang=" + l.Code,
		})
	}
	p.Tiles = h.tiles(p)
	p.StartOnTile = true
	p.StartHref = Base + "home?lang=" + p.Lang
	p.keypadData()
	return p
}

// homePage is the session's start page.
func (h *Handler) homePage(r *http.Request) *page {
	p := h.basePage(r, "home", "home.title")
	p.Tiles = h.tiles(p)
	return p
}

// render executes p into a buffer, then writes it with status and the
// page headers.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, p *page) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, p.Page, p); err != nil {
		h.log.Error("rendering page", "page", p.Page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Security-Policy", pageCSP)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

// keypadKeys are the messages the keypad's script shows.
var keypadKeys = []string{"pin.wrong", "pin.locked", "pin.sec", "pin.min", "pin.error", "pin.short"}

// keypadData adds the keypad's messages to the page data.
func (p *page) keypadData() {
	m := make(map[string]string, len(keypadKeys))
	for _, k := range keypadKeys {
		m[k] = p.T(k)
	}
	p.Data["msgs"] = m
}
