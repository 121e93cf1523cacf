package allowlist

import (
	"fmt"
	"path"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
	"golang.org/x/net/idna"
)

// sites reads a list of sites of group g.
func (p *fileParser) sites(n ast.Node, g Group, key *token.Token) {
	n = unwrap(n)
	if n == nil || n.Type() == ast.NullType {
		return
	}
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		p.errorf(tokenOf(n), "%s must be a list of sites (lines starting with \"- name:\")", key.Value)
		return
	}
	for _, item := range seq.Values {
		if s := p.site(item, g); s != nil {
			p.list.Sites = append(p.list.Sites, s)
			if g == Public {
				p.list.public = append(p.list.public, s)
			} else {
				p.list.supervised = append(p.list.supervised, s)
			}
		}
	}
}

// site reads one site; it returns nil when the site is unusable.
func (p *fileParser) site(n ast.Node, g Group) *Site {
	n0 := len(p.errs)
	values, ok := p.mapping(n, "a site", siteKeys...)
	if !ok {
		return nil
	}
	start := tokenOf(n)
	if len(values) > 0 {
		start = values[0].Key.GetToken()
	}
	s := &Site{Group: g, Line: start.Position.Line}
	var home *token.Token
	var lists []*ast.MappingValueNode
	named := false
	for _, mv := range values {
		switch mv.Key.GetToken().Value {
		case "name":
			var ok bool
			s.Name, _, ok = p.scalarNode(mv.Value, "name")
			named = !ok || s.Name != ""
		case "category":
			s.Category = p.scalar(mv, "category")
		case "home":
			s.Home = p.scalar(mv, "home")
			home = tokenOf(mv.Value)
		case "icon":
			s.Icon = p.scalar(mv, "icon")
			if msg := checkIcon(s.Icon); msg != "" {
				p.errorf(tokenOf(mv.Value), "icon %q %s", s.Icon, msg)
			}
		case "hosts", "ips":
			lists = append(lists, mv)
		}
	}
	if named {
		p.siteName(s, start)
	} else if len(p.errs) == n0 {
		p.errorf(start, "site without a name: add \"name: ...\" (the title of its tile)")
	}
	for _, mv := range lists {
		p.patterns(s, mv)
	}
	if len(s.Patterns) == 0 && len(p.errs) == n0 {
		p.errorf(start, "site %q has no hosts: list the host names it needs under \"hosts:\"", s.Name)
	}
	if s.Home != "" {
		p.checkHome(s, home)
	}
	return s
}

// iconExts are the image types the welcome screen serves.
var iconExts = []string{".svg", ".png", ".jpg", ".jpeg", ".webp", ".gif"}

// checkIcon explains what is wrong with an icon file name, or returns "".
func checkIcon(name string) string {
	switch {
	case name == "":
		return ""
	case strings.ContainsAny(name, `/\:`):
		return "must be a file name in the icons folder, without a path"
	case strings.HasPrefix(name, "."):
		return "must not start with a dot"
	}
	ext := strings.ToLower(path.Ext(name))
	for _, e := range iconExts {
		if ext == e {
			return ""
		}
	}
	return "must be an image: " + strings.Join(iconExts, ", ")
}

// siteName checks that the site has a name not used before (ignoring case).
func (p *fileParser) siteName(s *Site, tk *token.Token) {
	if strings.TrimSpace(s.Name) == "" {
		if s.Name != "" {
			p.errorf(tk, "site name %q is blank", s.Name)
		}
		return
	}
	k := strings.ToLower(strings.TrimSpace(s.Name))
	if first, dup := p.names[k]; dup {
		p.errorf(tk, "duplicate site name %q (first at line %d): names must be unique", s.Name, first.Line)
		return
	}
	p.names[k] = s
}

// patterns reads a site's hosts: or ips: list.
func (p *fileParser) patterns(s *Site, mv *ast.MappingValueNode) {
	key := mv.Key.GetToken().Value
	n := unwrap(mv.Value)
	if n == nil || n.Type() == ast.NullType {
		p.errorf(mv.Key.GetToken(), "%s is empty: list at least one entry or remove the key", key)
		return
	}
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		if _, alias := n.(*ast.AliasNode); alias {
			p.errorf(tokenOf(n), "%s: YAML aliases (*name) are not supported: write the list", key)
			return
		}
		example := "caf.fr"
		if _, scalar := n.(ast.ScalarNode); scalar {
			example = tokenOf(n).Value
		}
		p.errorf(tokenOf(n), "%s must be a list: write \"%s: [%s]\" or one \"- entry\" per line", key, key, example)
		return
	}
	for _, item := range seq.Values {
		raw, tk, ok := p.scalarNode(item, key+" entry")
		if !ok {
			continue
		}
		host, exact, port, msg := parsePattern(raw, key == "ips")
		if msg != "" {
			p.errorf(tk, "%s", msg)
			continue
		}
		pt := &Pattern{Raw: raw, Host: host, Exact: exact, Port: port, Site: s, Line: tk.Position.Line, Col: tk.Position.Column}
		k := patternKey{host, port, exact}
		if first, dup := p.seen[k]; dup {
			p.errorf(tk, "%q is already listed at line %d (site %q): list each host once", raw, first.Line, first.Site.Name)
			continue
		}
		p.seen[k] = pt
		s.Patterns = append(s.Patterns, pt)
	}
}

// checkHome checks that the home URL is http(s) and allowed by the site's
// own patterns.
func (p *fileParser) checkHome(s *Site, tk *token.Token) {
	home, err := asciiHomeURL(s.Home)
	if err != nil {
		p.errorf(tk, "home %q: %v", s.Home, err)
		return
	}
	s.Home = home
	host, port, err := SplitURL(s.Home)
	if err != nil {
		p.errorf(tk, "home %q: %v", s.Home, err)
		return
	}
	for _, pt := range s.Patterns {
		if pt.Port == port && (pt.Host == host || !pt.Exact && strings.HasSuffix(host, "."+pt.Host) && !IsIPLiteral(host)) {
			return
		}
	}
	want := host
	if port != 0 {
		want = fmt.Sprintf("%s:%d", host, port)
	}
	p.errorf(tk, "home %q is not covered by the site's own hosts: add %s to its hosts", s.Home, want)
}

// asciiHomeURL converts a Unicode host in a home URL to its A-label form,
// once, so that the URL is what a browser would send.
func asciiHomeURL(raw string) (string, error) {
	if isASCII(raw) {
		return raw, nil
	}
	i := strings.Index(raw, "://")
	if i < 0 {
		return raw, nil // SplitURL explains what is wrong
	}
	start := i + 3
	end := len(raw)
	if j := strings.IndexAny(raw[start:], "/?#"); j >= 0 {
		end = start + j
	}
	h, port, hasPort := splitHostPort(raw[start:end])
	if isASCII(h) {
		return raw, nil
	}
	a, err := idna.Lookup.ToASCII(h)
	if err != nil {
		return "", fmt.Errorf("invalid international domain name %q: %w", h, err)
	}
	if hasPort {
		a += ":" + port
	}
	return raw[:start] + a + raw[end:], nil
}
