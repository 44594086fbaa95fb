// Key files in the browser, shared by the certificate login and signing:
// read a file, take the DER of a PKCS#8 key, name the WebCrypto algorithm of
// each signature algorithm the server names, and post JSON with the CSRF
// header. The private key is only ever used here, in the page.
(function () {
  "use strict";

  function readFile(input) {
    return new Promise(function (resolve, reject) {
      var f = input && input.files && input.files[0];
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
  // or DER as is), or throws msg's text for the forms WebCrypto cannot take.
  function pkcs8(bytes, msg) {
    var text = new TextDecoder().decode(bytes);
    if (text.indexOf("-----BEGIN") < 0) return bytes;
    if (text.indexOf("ENCRYPTED PRIVATE KEY") >= 0) throw new Error(msg("KeyEncrypted"));
    var m = /-----BEGIN PRIVATE KEY-----([\s\S]*?)-----END PRIVATE KEY-----/.exec(text);
    if (!m) throw new Error(msg("KeyFormat"));
    return fromBase64(m[1].replace(/[^A-Za-z0-9+/=]/g, ""));
  }

  // How each algorithm the server names is imported and used in WebCrypto
  // (ECDSA signs as r‖s, which the server accepts).
  var algorithms = {
    "ECDSA-SHA256": { key: { name: "ECDSA", namedCurve: "P-256" }, sign: { name: "ECDSA", hash: "SHA-256" } },
    "ECDSA-SHA384": { key: { name: "ECDSA", namedCurve: "P-384" }, sign: { name: "ECDSA", hash: "SHA-384" } },
    "RSA-PKCS1-SHA256": { key: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, sign: { name: "RSASSA-PKCS1-v1_5" } },
    "Ed25519": { key: { name: "Ed25519" }, sign: { name: "Ed25519" } }
  };

  // signWith imports the key for the server's algorithm and signs data.
  function signWith(algorithm, key, data, msg) {
    var alg = algorithms[algorithm];
    if (!alg) return Promise.reject(new Error(msg("Unsupported")));
    return crypto.subtle.importKey("pkcs8", key, alg.key, false, ["sign"])
      .catch(function () { throw new Error(msg("KeyMismatch")); })
      .then(function (k) { return crypto.subtle.sign(alg.sign, k, data); })
      .then(function (sig) { return new Uint8Array(sig); });
  }

  function post(url, body, csrf, msg) {
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

  function supported() {
    return !!(window.crypto && window.crypto.subtle && window.FileReader && window.fetch);
  }

  window.paraphKey = { readFile: readFile, toBase64: toBase64, fromBase64: fromBase64, pkcs8: pkcs8,
    signWith: signWith, post: post, supported: supported };
})();
