//go:build webview && linux

package webkit

import (
	"encoding/json"
	"fmt"
)

// replyJS is the script that settles the call seq of a bound function
// (webview's window._rpc): resolved with resultJSON's value when ok, else
// rejected with it. resultJSON reaches the page as a string literal and is
// parsed there, so nothing in it is ever evaluated as code; a value that
// does not parse rejects the call.
func replyJS(seq string, ok bool, resultJSON string) string {
	s, _ := json.Marshal(seq)
	r, _ := json.Marshal(resultJSON)
	return fmt.Sprintf(`(function(){var rpc=window._rpc,seq=%s,p=rpc&&rpc[seq];if(!p){return;}delete rpc[seq];`+
		`var v;try{v=JSON.parse(%s);}catch(e){p.reject(new Error("Failed to parse binding result as JSON"));return;}`+
		`if(%t){p.resolve(v);}else{p.reject(v);}})()`, s, r, ok)
}
