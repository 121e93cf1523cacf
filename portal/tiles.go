package portal

import (
	"net/url"
	"strings"

	"github.com/communes/kiosk/allowlist"
)

// tile is one site of the welcome and home pages.
type tile struct {
	// Name is the site's name; Href opens its home page (through /go).
	Name, Href string
	// Icon is the site's own icon, or "" when it has none (the group's
	// heading then carries the category's pictogram alone).
	Icon string
	// Group identifies the tile's group: the category's slug, or for a
	// category the kiosk does not know, the category as IT wrote it.
	Group string
	// Category is the group's heading in the page language; CategoryIcon
	// its pictogram.
	Category, CategoryIcon string
}

// tileGroup is one heading of the welcome and home pages and its tiles.
type tileGroup struct {
	Label, Icon string
	Tiles       []tile
}

// tiles returns the tiles of the open sites that have a home page, in
// file order.
func (h *Handler) tiles(p *page) []tile {
	var ts []tile
	dir := h.iconsDir()
	for _, s := range h.sites() {
		if s.Home == "" {
			continue
		}
		slug := categorySlug(s.Category)
		t := tile{
			Name: s.Name, Group: slug,
			Category:     p.T("cat." + slug),
			CategoryIcon: Base + "icons/default/" + slug + ".svg",
			Href:         Base + "go?site=" + url.QueryEscape(s.Name) + "&lang=" + p.Lang,
		}
		if c := strings.TrimSpace(s.Category); slug == "autre" && c != "" {
			// A category of the town's own ("culture"): a heading of its
			// own, as written.
			t.Group, t.Category = "autre:"+allowlist.CategoryKey(c), c
		}
		if s.Icon != "" && iconExists(dir, s.Icon) {
			t.Icon = Base + "icons/" + url.PathEscape(s.Icon)
		}
		ts = append(ts, t)
	}
	return ts
}

// TileGroups returns the page's tiles grouped by category: groups in the
// order their first site appears in allowlist.yaml, tiles in file order
// within each (the file lists the most used first).
func (p *page) TileGroups() []tileGroup {
	var groups []tileGroup
	index := make(map[string]int)
	for _, t := range p.Tiles {
		i, ok := index[t.Group]
		if !ok {
			i = len(groups)
			index[t.Group] = i
			groups = append(groups, tileGroup{Label: t.Category, Icon: t.CategoryIcon})
		}
		groups[i].Tiles = append(groups[i].Tiles, t)
	}
	return groups
}
