package admin

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// errLayout means the site's hosts: list is written in a way the learning view does
// not edit (an alias, a value on its own line...): IT edits the file by hand.
var errLayout = errors.New("layout not editable")

// insertHost returns data with host added at the end of the "hosts:" list of the
// site named site, leaving every other byte as it was (comments, blank lines, quoting,
// line endings). A block list gets a new "- host" line with the indentation of its
// last entry; a flow list ("hosts: [a, b]") gets ", host" before its "]". data must
// be a valid allowlist; the caller validates the result.
func insertHost(data []byte, site, host string) ([]byte, error) {
	bom := []byte("\xef\xbb\xbf")
	body, hadBOM := bytes.CutPrefix(data, bom)
	seq, err := hostsList(body, site)
	if err != nil {
		return nil, err
	}
	var out []byte
	if seq.IsFlowStyle {
		out, err = insertFlow(body, seq, host)
	} else {
		out, err = insertBlock(body, seq, host)
	}
	if err != nil {
		return nil, err
	}
	if hadBOM {
		out = append(bytes.Clone(bom), out...)
	}
	return out, nil
}

// hostsList finds the hosts: list of the site named site.
func hostsList(body []byte, site string) (seq *ast.SequenceNode, err error) {
	defer func() {
		if r := recover(); r != nil {
			seq, err = nil, fmt.Errorf("%w: YAML parser failure: %v", errLayout, r)
		}
	}()
	f, err := parser.ParseBytes(body, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		return nil, fmt.Errorf("parsing the allowlist: %w", err)
	}
	if len(f.Docs) != 1 || f.Docs[0] == nil {
		return nil, fmt.Errorf("%w: not one YAML document", errLayout)
	}
	for _, group := range []string{"sites", "supervised"} {
		sites, ok := valueOf(f.Docs[0].Body, group).(*ast.SequenceNode)
		if !ok {
			continue
		}
		for _, item := range sites.Values {
			name, ok := valueOf(item, "name").(*ast.StringNode)
			if !ok || name.Value != site {
				continue
			}
			seq, ok := valueOf(item, "hosts").(*ast.SequenceNode)
			if !ok || len(seq.Values) == 0 {
				return nil, fmt.Errorf("%w: site %q has no hosts: list", errLayout, site)
			}
			return seq, nil
		}
	}
	return nil, fmt.Errorf("%w: site %q not found", errSiteNotFound, site)
}

// valueOf returns the value of key in the mapping n, or nil.
func valueOf(n ast.Node, key string) ast.Node {
	var values []*ast.MappingValueNode
	switch m := n.(type) {
	case *ast.MappingNode:
		values = m.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{m}
	}
	for _, mv := range values {
		if mv.Key.GetToken().Value == key {
			return mv.Value
		}
	}
	return nil
}

// lineBounds returns the byte offsets of the start and end (before "\n") of the
// 1-based line n of body.
func lineBounds(body []byte, n int) (start, end int, ok bool) {
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(body[start:], '\n')
		if j < 0 {
			return 0, 0, false
		}
		start += j + 1
	}
	end = len(body)
	if j := bytes.IndexByte(body[start:], '\n'); j >= 0 {
		end = start + j
	}
	return start, end, true
}

// insertBlock adds "- host" after the line of the list's last entry.
func insertBlock(body []byte, seq *ast.SequenceNode, host string) ([]byte, error) {
	last := seq.Values[len(seq.Values)-1].GetToken()
	if last == nil {
		return nil, errLayout
	}
	start, end, ok := lineBounds(body, last.Position.Line)
	if !ok {
		return nil, errLayout
	}
	line := string(body[start:end])
	text := strings.TrimLeft(line, " \t")
	indent := line[:len(line)-len(text)]
	rest, dash := strings.CutPrefix(text, "-")
	value := strings.TrimLeft(rest, " ")
	if !dash || value == "" || len(value) == len(rest) || strings.HasPrefix(value, "-") {
		return nil, fmt.Errorf("%w: the last entry of hosts: is not a \"- host\" line", errLayout)
	}
	eol := "\n"
	if strings.HasSuffix(line, "\r") || end == len(body) && bytes.Contains(body, []byte("\r\n")) {
		eol = "\r\n"
	}
	add := indent + "-" + rest[:len(rest)-len(value)] + host + eol
	out := make([]byte, 0, len(body)+len(add)+2)
	if end == len(body) {
		// The last line of a file without a final newline.
		out = append(append(out, body...), eol...)
		return append(out, strings.TrimSuffix(add, eol)...), nil
	}
	out = append(out, body[:end+1]...)
	out = append(out, add...)
	return append(out, body[end+1:]...), nil
}

// insertFlow adds ", host" before the list's "]".
func insertFlow(body []byte, seq *ast.SequenceNode, host string) ([]byte, error) {
	if seq.End == nil {
		return nil, errLayout
	}
	start, end, ok := lineBounds(body, seq.End.Position.Line)
	if !ok {
		return nil, errLayout
	}
	// Column counts characters from 1.
	off := start
	for col := 1; col < seq.End.Position.Column && off < end; col++ {
		_, size := utf8.DecodeRune(body[off:end])
		off += size
	}
	if off >= end || body[off] != ']' {
		return nil, fmt.Errorf("%w: the end of the hosts: list was not found", errLayout)
	}
	add := ", " + host
	out := make([]byte, 0, len(body)+len(add))
	out = append(out, body[:off]...)
	out = append(out, add...)
	return append(out, body[off:]...), nil
}
