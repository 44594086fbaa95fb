package web

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

	"paraph"
	"paraph/internal/store"
)

// The certificate login signs a server challenge in the browser with
// WebCrypto: static/certlogin.js reads the certificate and the private key
// files, sends only the certificate here, signs the challenge and sends the
// signature. The key never leaves the page. GOST keys cannot sign in
// WebCrypto: the page says to use the CLI (paraph login --cert … --key …).

type certLoginPage struct{ Next string }

func (w *Web) certificateLoginForm(q *request) error {
	next := localPath(q.r.URL.Query().Get("next"), "")
	if q.principal != nil {
		return q.redirect(orHome(next))
	}
	return q.render(http.StatusOK, "login_certificate", certLoginPage{Next: next})
}

// certificateChallenge takes {certificate: base64 of the file as read} and
// answers {challenge_id, data (base64), algorithm}.
func (w *Web) certificateChallenge(q *request) error {
	var in struct {
		Certificate string `json:"certificate"`
	}
	if !q.readJSON(&in) {
		return nil
	}
	cert, err := base64.StdEncoding.DecodeString(in.Certificate)
	if err != nil || len(cert) == 0 {
		return q.jsonError(paraph.Invalid("certificate", "file_required", "Choose your certificate file."))
	}
	ch, err := w.svc.CertificateChallenge(q.r.Context(), cert)
	if err != nil {
		return q.jsonError(err)
	}
	if strings.HasPrefix(ch.Algorithm, "GOST") {
		// Core can check it, but no browser can make it.
		return q.writeJSON(http.StatusUnprocessableEntity, map[string]string{
			"reason": "gost_needs_cli", "error": q.web.cat.text(q.lang, "certlogin.gost")})
	}
	return q.writeJSON(http.StatusOK, map[string]string{
		"challenge_id": ch.ID, "data": base64.StdEncoding.EncodeToString(ch.Data), "algorithm": ch.Algorithm,
	})
}

// certificateLogin takes {challenge_id, signature (base64), next}, starts the
// session like the password login and answers {redirect}.
func (w *Web) certificateLogin(q *request) error {
	var in struct {
		ChallengeID string `json:"challenge_id"`
		Signature   string `json:"signature"`
		Next        string `json:"next"`
	}
	if !q.readJSON(&in) {
		return nil
	}
	sig, err := base64.StdEncoding.DecodeString(in.Signature)
	if err != nil {
		sig = nil // refused below as a signature that does not verify
	}
	_, tok, err := w.svc.LoginWithCertificate(q.r.Context(), in.ChallengeID, sig, store.TokenSession)
	if err != nil {
		return q.jsonError(err)
	}
	q.startSession(tok)
	return q.writeJSON(http.StatusOK, map[string]string{"redirect": orHome(localPath(in.Next, ""))})
}

// readJSON decodes the body (capped by wrap) or answers 400.
func (q *request) readJSON(v any) bool {
	if err := json.NewDecoder(q.r.Body).Decode(v); err != nil {
		q.writeJSON(http.StatusBadRequest, map[string]string{"reason": "bad_request", "error": q.web.cat.text(q.lang, "error.bad_form")})
		return false
	}
	return true
}

// jsonError answers with the translated reason, as the page shows it.
func (q *request) jsonError(err error) error {
	code := paraph.ErrorCode(err)
	if code == paraph.EINTERNAL {
		q.web.log.Error("web: JSON endpoint", "err", err, "request_id", q.requestID())
	}
	return q.writeJSON(statusOf(err), map[string]string{"reason": paraph.ErrorReason(err), "error": q.web.cat.errorText(q.lang, err)})
}

func (q *request) writeJSON(status int, v any) error {
	h := q.w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	q.w.WriteHeader(status)
	return json.NewEncoder(q.w).Encode(v)
}
