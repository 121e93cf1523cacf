package portal

import "testing"

func TestCategorySlug_shippedCategories(t *testing.T) {
	for in, want := range map[string]string{
		"démarches": "demarches", "identité et titres": "identite", "Identité": "identite",
		"logement et énergie": "logement", "ÉTRANGERS": "etrangers", "étrangers": "etrangers",
		"handicap": "handicap", "études": "etudes", "justice": "justice", "messagerie": "messagerie",
		"Messagerie ": "messagerie", "culture": "autre", "identité et": "autre",
	} {
		if got := categorySlug(in); got != want {
			t.Errorf("categorySlug(%q) = %q, want %q", in, got, want)
		}
	}
	// Every known category has a heading in every language and a pictogram.
	for _, slug := range categorySlugs {
		for _, l := range Languages {
			if messages[l.Code]["cat."+slug] == "" {
				t.Errorf("%s: no heading for category %s", l.Code, slug)
			}
		}
		if _, err := files.ReadFile("assets/icons/" + slug + ".svg"); err != nil {
			t.Errorf("category %s has no pictogram: %v", slug, err)
		}
	}
}
