package portal

// Message returns the text of the message key in the language lang, in
// French when lang has none, "" when key is unknown: the kiosk's own texts
// for those that read them aloud (kiosk/browser/speech).
func Message(lang, key string) string {
	if s := messages[lang][key]; s != "" {
		return s
	}
	return messages["fr"][key]
}
