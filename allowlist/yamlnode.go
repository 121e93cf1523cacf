package allowlist

import (
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

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
