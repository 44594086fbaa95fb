// Certificate login (/login/certificate). The private key file is read and
// used here, in the page, by WebCrypto (keyfile.js); only the certificate
// and the signature of the server's challenge are sent. Messages come
// translated from the page's data-msg-* attributes and the server's JSON errors.
(function () {
  "use strict";
  var form = document.getElementById("certlogin");
  if (!form) return;
  var K = window.paraphKey;
  var errorBox = document.getElementById("certlogin-error");
  var status = document.getElementById("certlogin-status");
  var submit = document.getElementById("certlogin-submit");
  var csrf = form.querySelector('input[name="csrf"]').value;
  var msg = function (name) { return form.dataset["msg" + name] || name; };

  if (!K || !K.supported()) {
    document.getElementById("certlogin-nocrypto").hidden = false; // e.g. a page not served over HTTPS
    return;
  }
  form.hidden = false;

  function fail(text) {
    errorBox.textContent = text;
    errorBox.hidden = false;
    status.textContent = "";
    submit.disabled = false;
    errorBox.scrollIntoView({ block: "nearest" });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    errorBox.hidden = true;
    submit.disabled = true;
    status.textContent = msg("Working");
    var cert, key;
    K.readFile(document.getElementById("certlogin-cert")).catch(function () { throw new Error(msg("Cert")); })
      .then(function (b) { cert = b; return K.readFile(document.getElementById("certlogin-key")).catch(function () { throw new Error(msg("Key")); }); })
      .then(function (b) { key = K.pkcs8(b, msg); return K.post("/login/certificate/challenge", { certificate: K.toBase64(cert) }, csrf, msg); })
      .then(function (ch) {
        return K.signWith(ch.algorithm, key, K.fromBase64(ch.data), msg).then(function (sig) {
          return K.post("/login/certificate", { challenge_id: ch.challenge_id, signature: K.toBase64(sig), next: form.dataset.next || "" }, csrf, msg);
        });
      })
      .then(function (done) { window.location.assign(done.redirect || "/"); })
      .catch(function (err) { fail(err && err.message ? err.message : msg("Network")); });
  });
})();
