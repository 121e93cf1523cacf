package allowlist

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// SupportedVersion is the only value of the file's version key this
// package reads.
const SupportedVersion = 1

var (
	topKeys  = []string{"version", "sites", "supervised", "self_service"}
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
	if data, ok := p.checkEncoding(data); ok {
		p.parseYAML(data)
	}
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

// maxFileSize bounds what Parse reads: an allowlist is a few kilobytes.
const maxFileSize = 4 << 20

// checkEncoding drops a UTF-8 byte order mark (Windows Notepad writes one)
// and refuses files that are too large or not UTF-8, locating the first
// invalid byte.
func (p *fileParser) checkEncoding(data []byte) ([]byte, bool) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(data) > maxFileSize {
		p.errorf(nil, "file larger than %d MiB: this is not an allowlist", maxFileSize>>20)
		return nil, false
	}
	if bytes.HasPrefix(data, []byte("\xff\xfe")) || bytes.HasPrefix(data, []byte("\xfe\xff")) {
		p.errorf(nil, "file saved as UTF-16: save it as UTF-8")
		return nil, false
	}
	if utf8.Valid(data) {
		return data, true
	}
	line, col := 1, 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			break
		}
		col++
		if r == '\n' {
			line, col = line+1, 1
		}
		data = data[size:]
	}
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Col: col,
		Msg: "invalid UTF-8 (a file saved as Latin-1 or Windows-1252?): save it as UTF-8"})
	return nil, false
}

// parseYAML parses data and walks the tree, reporting every problem. A
// panic of the YAML library becomes an error, so that a reload never takes
// the service down.
func (p *fileParser) parseYAML(data []byte) {
	defer func() {
		if r := recover(); r != nil {
			p.errorf(nil, "YAML parser failure: %v", r)
		}
	}()
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
	var selfService *ast.MappingValueNode
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
		case "self_service":
			selfService = mv
		}
	}
	if selfService != nil {
		p.selfService(selfService)
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
