// Certificate login (/login/certificate). The private key file is read and
// used here, in the page, by WebCrypto; only the certificate and the
// signature of the server's challenge are sent. Messages come translated
// from the page's data-msg-* attributes and the server's JSON errors.
(function () {
  "use strict";
  var form = document.getElementById("certlogin");
  if (!form) return;
  var errorBox = document.getElementById("certlogin-error");
  var status = document.getElementById("certlogin-status");
  var submit = document.getElementById("certlogin-submit");
  var csrf = form.querySelector('input[name="csrf"]').value;
  var msg = function (name) { return form.dataset["msg" + name] || name; };

  if (!window.crypto || !window.crypto.subtle || !window.FileReader || !window.fetch) {
    document.getElementById("certlogin-nocrypto").hidden = false; // e.g. a page not served over HTTPS
    return;
  }
  form.hidden = false;

  function fail(text) {
    errorBox.textContent = text;
    errorBox.hidden = false;
    status.textContent = "";
    submit.disabled = false;
    errorBox.focus && errorBox.scrollIntoView({ block: "nearest" });
  }

  function readFile(input) {
    return new Promise(function (resolve, reject) {
      var f = input.files && input.files[0];
      if (!f) { reject(new Error("missing")); return; }
      var r = new FileReader();
      r.onload = function () { resolve(new Uint8Array(r.result)); };
      r.onerror = function () { reject(r.error); };
      r.readAsArrayBuffer(f);
    });
  }

  function toBase64(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i += 0x8000) {
      s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(s);
  }

  function fromBase64(b64) {
    var s = atob(b64), out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }

  // pkcs8 returns the DER of a PKCS#8 key file (PEM "BEGIN PRIVATE KEY",
  // or DER as is), or throws a message for the forms WebCrypto cannot take.
  function pkcs8(bytes) {
    var text = new TextDecoder().decode(bytes);
    if (text.indexOf("-----BEGIN") < 0) return bytes;
    if (text.indexOf("ENCRYPTED PRIVATE KEY") >= 0) throw new Error(msg("KeyEncrypted"));
    var m = /-----BEGIN PRIVATE KEY-----([\s\S]*?)-----END PRIVATE KEY-----/.exec(text);
    if (!m) throw new Error(msg("KeyFormat"));
    return fromBase64(m[1].replace(/[^A-Za-z0-9+/=]/g, ""));
  }

  // How each algorithm the server names is imported and used in WebCrypto.
  var algorithms = {
    "ECDSA-SHA256": { key: { name: "ECDSA", namedCurve: "P-256" }, sign: { name: "ECDSA", hash: "SHA-256" } },
    "ECDSA-SHA384": { key: { name: "ECDSA", namedCurve: "P-384" }, sign: { name: "ECDSA", hash: "SHA-384" } },
    "RSA-PKCS1-SHA256": { key: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, sign: { name: "RSASSA-PKCS1-v1_5" } },
    "Ed25519": { key: { name: "Ed25519" }, sign: { name: "Ed25519" } }
  };

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body)
    }).then(function (res) {
      var type = res.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") < 0) throw new Error(msg("Network"));
      return res.json().then(function (data) {
        if (!res.ok) throw new Error(data.error || msg("Network"));
        return data;
      });
    }, function () { throw new Error(msg("Network")); });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    errorBox.hidden = true;
    submit.disabled = true;
    status.textContent = msg("Working");
    var cert, key;
    readFile(document.getElementById("certlogin-cert")).catch(function () { throw new Error(msg("Cert")); })
      .then(function (b) { cert = b; return readFile(document.getElementById("certlogin-key")).catch(function () { throw new Error(msg("Key")); }); })
      .then(function (b) { key = pkcs8(b); return post("/login/certificate/challenge", { certificate: toBase64(cert) }); })
      .then(function (ch) {
        var alg = algorithms[ch.algorithm];
        if (!alg) throw new Error(msg("Unsupported"));
        return crypto.subtle.importKey("pkcs8", key, alg.key, false, ["sign"])
          .catch(function () { throw new Error(msg("KeyMismatch")); })
          .then(function (k) { return crypto.subtle.sign(alg.sign, k, fromBase64(ch.data)); })
          .then(function (sig) {
            return post("/login/certificate", { challenge_id: ch.challenge_id, signature: toBase64(new Uint8Array(sig)), next: form.dataset.next || "" });
          });
      })
      .then(function (done) { window.location.assign(done.redirect || "/"); })
      .catch(function (err) { fail(err && err.message ? err.message : msg("Network")); });
  });
})();
