package fleet

import "strings"

// The France Services operators, in the order their reports list them.
// Each site of an allowlist belongs to at most one, found from its hosts.
const (
	OperatorANTS          = "ANTS"
	OperatorCAF           = "CAF"
	OperatorCPAM          = "CPAM (ameli)"
	OperatorDGFiP         = "DGFiP (impôts)"
	OperatorRetraite      = "Retraite"
	OperatorMSA           = "MSA"
	OperatorFranceTravail = "France Travail"
	OperatorJustice       = "Justice"
	OperatorLaPoste       = "La Poste"
)

// Operators lists the France Services operators in report order.
var Operators = []string{
	OperatorANTS, OperatorCAF, OperatorCPAM, OperatorDGFiP, OperatorRetraite,
	OperatorMSA, OperatorFranceTravail, OperatorJustice, OperatorLaPoste,
}

// operatorDomains maps registrable domains to their operator. A host
// belongs to an operator when it is one of these names or a subdomain.
var operatorDomains = map[string]string{
	"ants.gouv.fr":             OperatorANTS,
	"caf.fr":                   OperatorCAF,
	"ameli.fr":                 OperatorCPAM,
	"assurance-maladie.fr":     OperatorCPAM,
	"impots.gouv.fr":           OperatorDGFiP,
	"info-retraite.fr":         OperatorRetraite,
	"lassuranceretraite.fr":    OperatorRetraite,
	"agirc-arrco.fr":           OperatorRetraite,
	"retraitesdeletat.gouv.fr": OperatorRetraite,
	"msa.fr":                   OperatorMSA,
	"francetravail.fr":         OperatorFranceTravail,
	"pole-emploi.fr":           OperatorFranceTravail,
	"justice.fr":               OperatorJustice,
	"justice.gouv.fr":          OperatorJustice,
	"laposte.fr":               OperatorLaPoste,
	"laposte.net":              OperatorLaPoste,
}

// OperatorOf returns the France Services operator of a site from its
// canonical host names (allowlist.Pattern.Host), or "" when none is an
// operator's: the first host that names an operator decides, so a site that
// also lists FranceConnect's hosts still counts for its own operator.
func OperatorOf(hosts []string) string {
	for _, h := range hosts {
		h = strings.TrimSuffix(strings.ToLower(h), ".")
		for {
			if op, ok := operatorDomains[h]; ok {
				return op
			}
			_, rest, ok := strings.Cut(h, ".")
			if !ok {
				break
			}
			h = rest
		}
	}
	return ""
}
