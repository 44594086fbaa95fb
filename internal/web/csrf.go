package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"

	"paraph/internal/core"
)

const (
	csrfCookie = "paraph_csrf"
	csrfField  = "csrf"
	csrfHeader = "X-CSRF-Token"
)

// Forms carry a token derived from two things a cross-site attacker can
// neither read nor set: the per-browser random paraph_csrf cookie (HttpOnly)
// and, when logged in, the session secret. Deriving instead of storing keeps
// the check stateless, so it survives restarts and works across instances
// without a shared server key; binding to the session means a token seen
// before a login does not work after it. Sec-Fetch-Site/Origin checks
// (http.CrossOriginProtection) run in front of this as a second wall.

// csrfToken returns the form token for this browser and session, setting the
// browser's cookie first when it has none.
func (q *request) csrfToken() string {
	if q.csrf != "" {
		return q.csrf
	}
	seed := ""
	if c, err := q.r.Cookie(csrfCookie); err == nil && validSeed(c.Value) {
		seed = c.Value
	} else {
		b := make([]byte, 32)
		rand.Read(b) // never fails (crypto/rand panics on broken systems)
		seed = base64.RawURLEncoding.EncodeToString(b)
		http.SetCookie(q.w, &http.Cookie{Name: csrfCookie, Value: seed, Path: "/",
			HttpOnly: true, Secure: q.web.secure, SameSite: http.SameSiteLaxMode})
		// Later reads in this request (and the forms rendered now) use it.
		q.r.AddCookie(&http.Cookie{Name: csrfCookie, Value: seed})
	}
	q.csrf = deriveCSRF(seed, q.session)
	return q.csrf
}

// validCSRF checks the posted token against the cookie and the session.
func (w *Web) validCSRF(r *http.Request, p *core.Principal) bool {
	got := r.PostFormValue(csrfField)
	if got == "" {
		got = r.Header.Get(csrfHeader) // the JSON endpoints (certificate login, signing)
	}
	return w.validCSRFToken(r, p, got)
}

// validCSRFToken checks a token read by the handler itself: the streamed
// upload reads it from the form's first part.
func (w *Web) validCSRFToken(r *http.Request, p *core.Principal, got string) bool {
	c, err := r.Cookie(csrfCookie)
	if err != nil || !validSeed(c.Value) {
		return false
	}
	session := ""
	if p != nil {
		if s, err := r.Cookie(sessionCookie); err == nil {
			session = s.Value
		}
	}
	want := deriveCSRF(c.Value, session)
	return hmac.Equal([]byte(got), []byte(want))
}

func deriveCSRF(seed, session string) string {
	m := hmac.New(sha256.New, []byte(seed))
	m.Write([]byte("paraph csrf v1\x00"))
	m.Write([]byte(session))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// validSeed accepts what csrfToken makes: 32 bytes, base64url.
func validSeed(s string) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == 32
}
