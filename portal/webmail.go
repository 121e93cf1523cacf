package portal

import "github.com/communes/kiosk/allowlist"

// webmailCategory is the category of the webmail sites in allowlist.yaml.
const webmailCategory = "messagerie"

// isWebmail reports whether host is a host of a webmail site that only an
// agent-unlocked session opens (a site of category messagerie under
// supervised:). The blocked page then tells the resident that an agent
// can open the mailbox for this session, for instance to read a code sent
// by e-mail. host may be in any spelling; one that is not a host name is
// not a webmail.
func (h *Handler) isWebmail(host string) bool {
	c, err := allowlist.CanonicalHost(host)
	if err != nil || allowlist.IsIPLiteral(c) {
		return false
	}
	l := h.conf.Allowlist()
	if l == nil || l.Match(c, 0, false).Allowed {
		return false
	}
	s := l.Match(c, 0, true).Site()
	return s != nil && s.Group == allowlist.Supervised && allowlist.CategoryKey(s.Category) == webmailCategory
}

// webmailMessages is the blocked page's line for a refused webmail.
var webmailMessages = map[string]map[string]string{
	"fr": {"blocked.webmail": "C’est une messagerie. Un agent peut l’ouvrir pour vous pendant cette session, par exemple pour lire un code reçu par e-mail."},
	"en": {"blocked.webmail": "This is a webmail site. A member of staff can open it for you for this session, for example to read a code sent to you by e-mail."},
	"ar": {"blocked.webmail": "هذا موقع بريد إلكتروني. يمكن لأحد الموظفين فتحه لكم خلال هذه الجلسة، مثلًا لقراءة رمز وصلكم بالبريد الإلكتروني."},
	"es": {"blocked.webmail": "Es un correo electrónico. Un agente puede abrirlo durante esta sesión, por ejemplo para leer un código recibido por correo."},
	"pt": {"blocked.webmail": "É um correio eletrónico. Um funcionário pode abri-lo durante esta sessão, por exemplo para ler um código recebido por e-mail."},
	"ru": {"blocked.webmail": "Это электронная почта. Сотрудник может открыть её для вас на время этого сеанса, например чтобы прочитать код, присланный по почте."},
	"tr": {"blocked.webmail": "Bu bir e-posta sitesi. Bir görevli, örneğin e-postayla gelen bir kodu okumanız için, onu bu oturum boyunca sizin için açabilir."},
}

func init() { addMessages(webmailMessages) }
