// Small helpers of the kiosk admin page: copy buttons and the print button.
// The page works without them.
"use strict";
document.addEventListener("click", function (ev) {
  var t = ev.target;
  if (t.classList.contains("copy")) {
    var text = t.getAttribute("data-copy");
    var done = function () { t.textContent = "Copié"; setTimeout(function () { t.textContent = "Copier"; }, 1500); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { selectCode(t); });
    } else {
      selectCode(t);
    }
  } else if (t.classList.contains("print-button")) {
    window.print();
  }
});
function selectCode(button) {
  var code = button.parentNode.querySelector("code");
  if (!code) { return; }
  var r = document.createRange();
  r.selectNodeContents(code);
  var s = window.getSelection();
  s.removeAllRanges();
  s.addRange(r);
  button.textContent = "Sélectionné : Ctrl+C";
}
