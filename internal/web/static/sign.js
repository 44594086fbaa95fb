// Qualified signature of a document in the browser (the document page).
// Two steps: the server prepares the signed attributes for the chosen
// certificate; the page signs them with the key file in WebCrypto
// (keyfile.js) — the key never leaves the page — and sends the signature
// value; the server assembles the CMS and checks it like any signature.
(function () {
  "use strict";
  var dialog = document.getElementById("sign-dialog");
  var open = document.getElementById("sign-open");
  var K = window.paraphKey;
  if (!dialog || !open || !K || !K.supported() || typeof dialog.showModal !== "function") return;
  var form = document.getElementById("sign-form");
  var errorBox = document.getElementById("sign-error");
  var status = document.getElementById("sign-status");
  var submit = document.getElementById("sign-submit");
  var cancel = document.getElementById("sign-cancel");
  var csrf = form.querySelector('input[name="csrf"]').value;
  var doc = form.dataset.doc;
  var msg = function (name) { return form.dataset["msg" + name] || name; };

  open.hidden = false;
  open.addEventListener("click", function () { dialog.showModal(); });
  cancel.addEventListener("click", function () { dialog.close(); });
  if (!submit) return; // no certificate yet: the dialog says where to add one

  function fail(text) {
    errorBox.textContent = text;
    errorBox.hidden = false;
    status.textContent = "";
    submit.disabled = false;
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    errorBox.hidden = true;
    submit.disabled = true;
    status.textContent = msg("Working");
    var certID = document.getElementById("sign-cert").value;
    var key;
    K.readFile(document.getElementById("sign-key")).catch(function () { throw new Error(msg("Key")); })
      .then(function (b) {
        key = K.pkcs8(b, msg);
        return K.post("/documents/" + doc + "/sign/prepare", { certificate_id: certID }, csrf, msg);
      })
      .then(function (p) {
        return K.signWith(p.algorithm, key, K.fromBase64(p.to_be_signed), msg).then(function (sig) {
          return K.post("/documents/" + doc + "/sign/complete", { prepare_id: p.prepare_id, signature: K.toBase64(sig) }, csrf, msg);
        });
      })
      .then(function (done) { window.location.assign(done.redirect); })
      .catch(function (err) { fail(err && err.message ? err.message : msg("Network")); });
  });
})();
