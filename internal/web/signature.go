package web

import (
	"encoding/base64"
	"net/http"
	"strings"

	"paraph"
	"paraph/cades"
	"paraph/internal/store"
)

// Qualified signatures from the document page: a .sig made elsewhere is
// uploaded with a plain form; the browser's own signature goes through two
// JSON endpoints (static/sign.js): prepare sends only which of the person's
// certificates signs and gets the bytes to sign; the page signs them with
// the key file in WebCrypto — the key never leaves it — and complete sends
// the signature value. Core checks everything as for any signature.

func (w *Web) uploadSignature(q *request, _ *paraph.Document, _ []*store.SignatureRecord) error {
	f := q.posted("sig")
	data, err := q.file("cms")
	if err == nil {
		_, err = w.svc.SubmitSignature(q.r.Context(), q.r.PathValue("doc"), data)
	}
	if err != nil {
		if err := f.failed(err); err != nil {
			return err
		}
		return w.showAgain(q, err)
	}
	q.setFlash("flash.signed")
	return q.redirect("/documents/" + q.r.PathValue("doc"))
}

// signPrepare takes {certificate_id} — one of the person's certificates in
// the organization they sign for — and answers {prepare_id, to_be_signed
// (base64), algorithm}.
func (w *Web) signPrepare(q *request) error {
	var in struct {
		CertificateID string `json:"certificate_id"`
	}
	if !q.readJSON(&in) {
		return nil
	}
	certs, err := w.svc.Certificates(q.r.Context(), q.me.OrgID, q.me.ID)
	if err != nil {
		return q.jsonError(err)
	}
	var raw []byte
	for _, c := range certs {
		if c.ID == in.CertificateID {
			raw = c.Cert.Raw
		}
	}
	if raw == nil {
		return q.jsonError(paraph.Invalid("certificate", "certificate_required", "Choose your certificate."))
	}
	p, err := w.svc.PrepareSignature(q.r.Context(), q.r.PathValue("doc"), raw)
	if err != nil {
		return q.jsonError(err)
	}
	alg := webCryptoAlgorithm(p.Algorithm, p.DigestAlgorithm)
	if strings.HasPrefix(p.Algorithm, "GOST") {
		return q.writeJSON(http.StatusUnprocessableEntity, map[string]string{
			"reason": "gost_needs_cli", "error": q.web.cat.text(q.lang, "sign.gost")})
	}
	return q.writeJSON(http.StatusOK, map[string]string{"prepare_id": p.ID,
		"to_be_signed": base64.StdEncoding.EncodeToString(p.ToBeSigned), "algorithm": alg})
}

// signComplete takes {prepare_id, signature (base64)} and answers {redirect}.
func (w *Web) signComplete(q *request) error {
	var in struct {
		PrepareID string `json:"prepare_id"`
		Signature string `json:"signature"`
	}
	if !q.readJSON(&in) {
		return nil
	}
	sig, err := base64.StdEncoding.DecodeString(in.Signature)
	if err != nil {
		sig = nil // refused by core as a value that does not verify
	}
	if _, err := w.svc.CompleteSignature(q.r.Context(), q.r.PathValue("doc"), in.PrepareID, sig); err != nil {
		return q.jsonError(err)
	}
	q.setFlash("flash.signed")
	return q.writeJSON(http.StatusOK, map[string]string{"redirect": "/documents/" + q.r.PathValue("doc")})
}

// webCryptoAlgorithm names the prepared signature's algorithm as
// keyfile.js knows it (the certificate login's names): ECDSA's curve goes
// with its hash (P-256 with SHA-256, P-384 with SHA-384).
func webCryptoAlgorithm(alg, digest string) string {
	switch {
	case alg == cades.AlgECDSA && digest == "SHA-256":
		return "ECDSA-SHA256"
	case alg == cades.AlgECDSA && digest == "SHA-384":
		return "ECDSA-SHA384"
	case alg == cades.AlgRSAPKCS1v15 && digest == "SHA-256":
		return "RSA-PKCS1-SHA256"
	case alg == cades.AlgEd25519:
		return "Ed25519"
	}
	return alg + "-" + digest // the page says it cannot sign with it
}
