package portal

import "testing"

func TestMessages_Complete(t *testing.T) {
	for _, l := range Languages {
		m, ok := messages[l.Code]
		if !ok {
			t.Fatalf("no messages for %s", l.Code)
		}
		for k := range messages["fr"] {
			if m[k] == "" {
				t.Errorf("%s: missing %q", l.Code, k)
			}
		}
		for k := range m {
			if _, ok := messages["fr"][k]; !ok {
				t.Errorf("%s: key %q not in French", l.Code, k)
			}
		}
	}
	if len(messages) != len(Languages) {
		t.Errorf("%d message tables for %d languages", len(messages), len(Languages))
	}
}

func TestCategorySlug(t *testing.T) {
	for in, want := range map[string]string{"famille": "famille", "Santé": "sante", "impots": "impots", " IMPÔTS ": "impots", "culture": "autre", "": "autre"} {
		if got := categorySlug(in); got != want {
			t.Errorf("categorySlug(%q) = %q, want %q", in, got, want)
		}
	}
}
