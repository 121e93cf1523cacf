package portal

import "github.com/communes/kiosk/allowlist"

// categorySlugs maps the category names IT writes in allowlist.yaml, in
// the form allowlist.CategoryKey compares them (lower case, no accents),
// to the message and icon keys ("cat."+slug, icons/default/slug.svg).
var categorySlugs = map[string]string{
	"demarches": "demarches", "famille": "famille", "sante": "sante", "impots": "impots",
	"emploi": "emploi", "retraite": "retraite",
	"identite": "identite", "identite et titres": "identite", "titres": "identite",
	"logement": "logement", "logement et energie": "logement", "energie": "logement",
	"etrangers": "etrangers", "handicap": "handicap", "etudes": "etudes",
	"justice": "justice", "ville": "ville", "messagerie": "messagerie",
}

// categorySlug returns the icon/message key of category, "autre" when
// unknown.
func categorySlug(category string) string {
	if s, ok := categorySlugs[allowlist.CategoryKey(category)]; ok {
		return s
	}
	return "autre"
}

// categoryMessages are the headings of the welcome screen's groups of
// tiles, by language then "cat."+slug. They join messages at start.
var categoryMessages = map[string]map[string]string{
	"fr": {
		"cat.demarches": "Démarches générales", "cat.famille": "Famille", "cat.sante": "Santé",
		"cat.impots": "Impôts", "cat.emploi": "Emploi", "cat.retraite": "Retraite",
		"cat.identite": "Identité et titres", "cat.logement": "Logement et énergie",
		"cat.etrangers": "Étrangers", "cat.handicap": "Handicap", "cat.etudes": "Études",
		"cat.justice": "Justice", "cat.ville": "Ville", "cat.messagerie": "Messagerie",
		"cat.autre": "Autres démarches",
	},
	"en": {
		"cat.demarches": "General services", "cat.famille": "Family", "cat.sante": "Health",
		"cat.impots": "Taxes", "cat.emploi": "Employment", "cat.retraite": "Retirement",
		"cat.identite": "Identity and documents", "cat.logement": "Housing and energy",
		"cat.etrangers": "Foreign nationals", "cat.handicap": "Disability", "cat.etudes": "Studies",
		"cat.justice": "Justice", "cat.ville": "Town", "cat.messagerie": "Email",
		"cat.autre": "Other services",
	},
	"ar": {
		"cat.demarches": "الإجراءات العامة", "cat.famille": "الأسرة", "cat.sante": "الصحة",
		"cat.impots": "الضرائب", "cat.emploi": "العمل", "cat.retraite": "التقاعد",
		"cat.identite": "الهوية والوثائق", "cat.logement": "السكن والطاقة",
		"cat.etrangers": "الأجانب", "cat.handicap": "الإعاقة", "cat.etudes": "الدراسة",
		"cat.justice": "العدالة", "cat.ville": "البلدية", "cat.messagerie": "البريد الإلكتروني",
		"cat.autre": "إجراءات أخرى",
	},
	"es": {
		"cat.demarches": "Trámites generales", "cat.famille": "Familia", "cat.sante": "Salud",
		"cat.impots": "Impuestos", "cat.emploi": "Empleo", "cat.retraite": "Jubilación",
		"cat.identite": "Identidad y documentos", "cat.logement": "Vivienda y energía",
		"cat.etrangers": "Extranjeros", "cat.handicap": "Discapacidad", "cat.etudes": "Estudios",
		"cat.justice": "Justicia", "cat.ville": "Ayuntamiento", "cat.messagerie": "Correo electrónico",
		"cat.autre": "Otros trámites",
	},
	"pt": {
		"cat.demarches": "Serviços gerais", "cat.famille": "Família", "cat.sante": "Saúde",
		"cat.impots": "Impostos", "cat.emploi": "Emprego", "cat.retraite": "Reforma",
		"cat.identite": "Identidade e documentos", "cat.logement": "Habitação e energia",
		"cat.etrangers": "Estrangeiros", "cat.handicap": "Deficiência", "cat.etudes": "Estudos",
		"cat.justice": "Justiça", "cat.ville": "Câmara municipal", "cat.messagerie": "Correio eletrónico",
		"cat.autre": "Outros serviços",
	},
	"ru": {
		"cat.demarches": "Общие услуги", "cat.famille": "Семья", "cat.sante": "Здоровье",
		"cat.impots": "Налоги", "cat.emploi": "Работа", "cat.retraite": "Пенсия",
		"cat.identite": "Удостоверения и документы", "cat.logement": "Жильё и энергия",
		"cat.etrangers": "Иностранцы", "cat.handicap": "Инвалидность", "cat.etudes": "Учёба",
		"cat.justice": "Правосудие", "cat.ville": "Мэрия", "cat.messagerie": "Электронная почта",
		"cat.autre": "Другие услуги",
	},
	"tr": {
		"cat.demarches": "Genel işlemler", "cat.famille": "Aile", "cat.sante": "Sağlık",
		"cat.impots": "Vergiler", "cat.emploi": "İş", "cat.retraite": "Emeklilik",
		"cat.identite": "Kimlik ve belgeler", "cat.logement": "Konut ve enerji",
		"cat.etrangers": "Yabancılar", "cat.handicap": "Engellilik", "cat.etudes": "Eğitim",
		"cat.justice": "Adalet", "cat.ville": "Belediye", "cat.messagerie": "E-posta",
		"cat.autre": "Diğer işlemler",
	},
}

func init() { addMessages(categoryMessages) }

// addMessages adds more to the messages table (strings kept beside the
// code that uses them). A key already in the table is a programming
// error.
func addMessages(more map[string]map[string]string) {
	for lang, m := range more {
		for k, v := range m {
			if _, dup := messages[lang][k]; dup {
				panic("portal: message " + lang + " " + k + " defined twice")
			}
			messages[lang][k] = v
		}
	}
}
