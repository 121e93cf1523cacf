package allowlist

import (
	"slices"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// selfService reads the top-level self_service key: a list of categories
// of supervised: sites that every resident may open, as if they were
// listed under sites: (a town that lets residents read their webmail on
// their own writes "self_service: [messagerie]"). Each entry must name the
// category of at least one supervised site, so that a typo does not leave
// a town believing it opened something. It runs after every site is read.
func (p *fileParser) selfService(mv *ast.MappingValueNode) {
	key := mv.Key.GetToken()
	n := unwrap(mv.Value)
	if n == nil || n.Type() == ast.NullType {
		return // "self_service:" with nothing: nothing opened
	}
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		example := "messagerie"
		if _, scalar := n.(ast.ScalarNode); scalar {
			example = tokenOf(n).Value
		}
		p.errorf(tokenOf(n), "%s must be a list of categories: write \"%s: [%s]\"", key.Value, key.Value, example)
		return
	}
	seen := make(map[string]int)
	for _, item := range seq.Values {
		raw, tk, ok := p.scalarNode(item, "self_service entry")
		if !ok {
			continue
		}
		cat := CategoryKey(raw)
		if cat == "" {
			p.errorf(tk, "self_service entry %q is blank: write a category of the supervised sites", raw)
			continue
		}
		if line, dup := seen[cat]; dup {
			p.errorf(tk, "self_service: category %q is already listed at line %d", raw, line)
			continue
		}
		seen[cat] = tk.Position.Line
		if !p.openCategory(cat) {
			p.errorf(tk, "self_service: no site under supervised: has category %q (categories there: %s)",
				raw, strings.Join(p.supervisedCategories(), ", "))
			continue
		}
		p.list.SelfService = append(p.list.SelfService, raw)
	}
}

// openCategory moves the supervised sites of category cat to the public
// group and reports whether there was one.
func (p *fileParser) openCategory(cat string) bool {
	l := p.list
	found := false
	kept := l.supervised[:0]
	for _, s := range l.supervised {
		if CategoryKey(s.Category) != cat {
			kept = append(kept, s)
			continue
		}
		found = true
		s.Group = Public
		s.SelfService = true
	}
	l.supervised = kept
	if found {
		// Keep public sites in file order.
		l.public = l.public[:0]
		for _, s := range l.Sites {
			if s.Group == Public {
				l.public = append(l.public, s)
			}
		}
	}
	return found
}

// supervisedCategories lists the categories of the remaining supervised
// sites, for messages.
func (p *fileParser) supervisedCategories() []string {
	var cats []string
	for _, s := range p.list.supervised {
		if s.Category != "" && !slices.Contains(cats, s.Category) {
			cats = append(cats, s.Category)
		}
	}
	if len(cats) == 0 {
		return []string{"none"}
	}
	return cats
}

// accentFolder removes the accents French category names carry.
var accentFolder = strings.NewReplacer(
	"à", "a", "â", "a", "ä", "a", "ç", "c", "é", "e", "è", "e", "ê", "e", "ë", "e",
	"î", "i", "ï", "i", "ô", "o", "ö", "o", "ù", "u", "û", "u", "ü", "u", "ÿ", "y",
)

// CategoryKey returns the form in which categories are compared: lower
// case, without surrounding spaces or French accents ("Santé" and "sante"
// are the same category).
func CategoryKey(category string) string {
	return accentFolder.Replace(strings.ToLower(strings.TrimSpace(category)))
}
