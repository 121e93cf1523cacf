package allowlist

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
	"golang.org/x/net/idna"
)

// SupportedVersion is the only value of the file's version key this
// package reads.
const SupportedVersion = 1

var (
	topKeys  = []string{"version", "sites", "supervised"}
	siteKeys = []string{"name", "category", "home", "icon", "hosts", "ips"}
)

// Load reads the allowlist file at path and parses it with Parse.
func Load(path string) (*List, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading allowlist: %w", err)
	}
	return Parse(data, path)
}

// Parse parses and validates an allowlist file; filename is used in
// messages. When the file has problems, Parse returns a nil List and an
// Errors holding every problem at once, in file order.
func Parse(data []byte, filename string) (*List, error) {
	p := &fileParser{
		file:  filename,
		list:  &List{File: filename},
		names: make(map[string]*Site),
		seen:  make(map[patternKey]*Pattern),
	}
	p.parse(data)
	if len(p.errs) > 0 {
		sortErrors(p.errs)
		return nil, p.errs
	}
	p.list.index()
	return p.list, nil
}

// fileParser walks the YAML tree of one file and collects problems.
type fileParser struct {
	file  string
	list  *List
	errs  Errors
	names map[string]*Site
	seen  map[patternKey]*Pattern
}

// errorf records a problem at tk (the start of the file when tk is nil).
func (p *fileParser) errorf(tk *token.Token, format string, args ...any) {
	e := &Error{File: p.file, Line: 1, Col: 1, Msg: fmt.Sprintf(format, args...)}
	if tk != nil && tk.Position != nil {
		e.Line, e.Col = tk.Position.Line, tk.Position.Column
	}
	p.errs = append(p.errs, e)
}

func (p *fileParser) parse(data []byte) {
	f, err := parser.ParseBytes(data, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		var ye yaml.Error
		if errors.As(err, &ye) {
			p.errorf(ye.GetToken(), "YAML syntax: %s", ye.GetMessage())
		} else {
			p.errorf(nil, "YAML syntax: %v", err)
		}
		return
	}
	var docs []*ast.DocumentNode
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 {
		p.errorf(nil, "empty file: it should start with \"version: %d\" and list sites under \"sites:\"", SupportedVersion)
		return
	}
	if len(docs) > 1 {
		p.errorf(docs[1].GetToken(), "only one YAML document is allowed (remove the \"---\" line)")
	}
	p.top(docs[0].Body)
}

// top reads the top-level mapping.
func (p *fileParser) top(n ast.Node) {
	values, ok := p.mapping(n, "the file", topKeys...)
	if !ok {
		return
	}
	var version ast.Node
	sitesKey := tokenOf(n)
	for _, mv := range values {
		key := mv.Key.GetToken()
		switch key.Value {
		case "version":
			version = mv.Value
			p.version(mv)
		case "sites":
			sitesKey = key
			p.sites(mv.Value, Public, key)
		case "supervised":
			p.sites(mv.Value, Supervised, key)
		}
	}
	if version == nil {
		p.errorf(tokenOf(n), "missing \"version: %d\" (put it on the first line)", SupportedVersion)
	}
	if len(p.list.Sites) == 0 && !p.hasSiteErrors() {
		p.errorf(sitesKey, "no sites: list at least one site under \"sites:\" or \"supervised:\" (an empty list would open nothing)")
	}
}

// hasSiteErrors reports whether problems were found (so that an empty
// list is not reported twice).
func (p *fileParser) hasSiteErrors() bool { return len(p.errs) > 0 }

// version checks the version key.
func (p *fileParser) version(mv *ast.MappingValueNode) {
	v := unwrap(mv.Value)
	tk := mv.Key.GetToken()
	if v != nil {
		tk = v.GetToken()
	}
	if v == nil || v.Type() == ast.NullType {
		p.errorf(tk, "version has no value: write \"version: %d\"", SupportedVersion)
		return
	}
	if v.Type() != ast.IntegerType {
		p.errorf(tk, "version must be the number %d, not %q", SupportedVersion, tk.Value)
		return
	}
	if tk.Value != fmt.Sprint(SupportedVersion) {
		p.errorf(tk, "version %s is not supported: this kiosk reads version %d", tk.Value, SupportedVersion)
		return
	}
	p.list.Version = SupportedVersion
}

// mapping returns the key/value pairs of a mapping node, reporting unknown
// shapes, duplicate keys and keys outside known (when known is not nil).
func (p *fileParser) mapping(n ast.Node, what string, known ...string) ([]*ast.MappingValueNode, bool) {
	n = unwrap(n)
	var values []*ast.MappingValueNode
	switch m := n.(type) {
	case *ast.MappingNode:
		values = m.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{m}
	default:
		p.errorf(tokenOf(n), "%s must be a mapping of \"key: value\" lines", what)
		return nil, false
	}
	seen := make(map[string]int)
	out := values[:0:0]
	for _, mv := range values {
		tk := mv.Key.GetToken()
		k := tk.Value
		if !isKnown(k, known) {
			p.errorf(tk, "unknown key %q in %s%s (known keys: %s)", k, what, suggest(k, known), strings.Join(known, ", "))
			continue
		}
		if line, dup := seen[k]; dup {
			p.errorf(tk, "duplicate key %q in %s (first at line %d)", k, what, line)
			continue
		}
		seen[k] = tk.Position.Line
		out = append(out, mv)
	}
	return out, true
}

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
			if strings.ContainsAny(s.Icon, `/\`) || s.Icon == "." || s.Icon == ".." {
				p.errorf(tokenOf(mv.Value), "icon %q must be a file name in the icons folder, without a path", s.Icon)
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
		p.errorf(tokenOf(n), "%s must be a list: write \"%s: [%s]\" or one \"- entry\" per line", key, key, tokenOf(n).Value)
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

// scalar returns the text of a scalar value, reporting other shapes.
func (p *fileParser) scalar(mv *ast.MappingValueNode, key string) string {
	s, _, _ := p.scalarNode(mv.Value, key)
	return s
}

// scalarNode returns the text of a scalar node as written (numbers and
// booleans included, so that "127.1" stays "127.1").
func (p *fileParser) scalarNode(n ast.Node, what string) (string, *token.Token, bool) {
	n = unwrap(n)
	tk := tokenOf(n)
	switch v := n.(type) {
	case nil, *ast.NullNode:
		p.errorf(tk, "%s is empty", what)
		return "", tk, false
	case *ast.StringNode:
		return v.Value, tk, true
	case *ast.LiteralNode:
		return strings.TrimSpace(v.Value.Value), tk, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return tk.Value, tk, true
	case *ast.AliasNode:
		p.errorf(tk, "%s: YAML aliases (*name) are not supported: write the value", what)
	case *ast.TagNode:
		p.errorf(tk, "%s: YAML tags (!...) are not supported", what)
	case *ast.MappingNode, *ast.MappingValueNode:
		p.errorf(tk, "%s must be a single value, not a mapping (put quotes around a value that contains \": \" or ends with \":\")", what)
	default:
		p.errorf(tk, "%s must be a single value, not a %s", what, describe(n))
	}
	return "", tk, false
}

// unwrap skips anchors (harmless) and returns the node they name.
func unwrap(n ast.Node) ast.Node {
	for {
		a, ok := n.(*ast.AnchorNode)
		if !ok {
			return n
		}
		n = a.Value
	}
}

// tokenOf returns the first token of n, or nil.
func tokenOf(n ast.Node) *token.Token {
	if n == nil {
		return nil
	}
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 {
		return m.Values[0].Key.GetToken()
	}
	if mv, ok := n.(*ast.MappingValueNode); ok {
		return mv.Key.GetToken()
	}
	return n.GetToken()
}

// describe names the shape of n for messages.
func describe(n ast.Node) string {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "mapping"
	case *ast.SequenceNode:
		return "list"
	}
	return n.Type().String()
}

func isKnown(k string, known []string) bool {
	for _, x := range known {
		if k == x {
			return true
		}
	}
	return false
}

// suggest returns ` (did you mean "x"?)` for a key close to a known one.
func suggest(k string, known []string) string {
	lk := strings.ToLower(k)
	best, bestD := "", 3
	for _, x := range known {
		if d := distance(lk, x); d < bestD {
			best, bestD = x, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// distance is the Levenshtein distance of two short strings.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
