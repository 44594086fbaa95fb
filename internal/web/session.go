package web

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"paraph"
	"paraph/internal/core"
	"paraph/internal/store"
)

const (
	sessionCookie = "paraph_session"
	langCookie    = "lang"
	flashCookie   = "paraph_flash"
)

// access says who may open a route.
type access int

const (
	anyone access = iota
	loggedIn
	// uploader is loggedIn on a form that carries files: multipart, up to
	// maxUploadBytes instead of maxFormBytes.
	uploader
	// streamer is loggedIn on a form that streams a large file: the body is
	// not parsed here; the handler reads the parts in order and checks the
	// CSRF token, which comes first, before it reads the file.
	streamer
	// linkUploader is uploader without a login: the signing page of a
	// person outside, whose link is the credential. Multipart, up to
	// maxSimpleSignBody (the signature image and the stamp).
	linkUploader
	// verifier is anyone on the public verification form: a file as large
	// as a document (kept on disk beyond a few MiB) and its signature.
	verifier
)

// handler is a web handler: it renders or redirects through q, or returns
// an error that wrap turns into a 404, a login redirect or a 500 page.
type handler func(q *request) error

// wrap runs what every web request needs before its handler: the session,
// the language, the body cap and, for POSTs, the cross-origin and CSRF checks.
func (w *Web) wrap(need access, h handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		q := &request{web: w, w: rw, r: r}
		q.authenticate()
		q.lang = w.chooseLanguage(r, q.principal)
		if need != anyone && need != linkUploader && need != verifier && q.principal == nil {
			q.redirectToLogin()
			return
		}
		if r.Method == http.MethodPost {
			r = q.r // carries the principal; the form must be parsed on it
			limit := int64(maxFormBytes)
			switch need {
			case uploader:
				limit = maxUploadBytes
			case streamer:
				limit = w.maxDocumentBody()
			case linkUploader:
				limit = maxSimpleSignBody
			case verifier:
				limit = w.maxDocumentBody()
			}
			r.Body = http.MaxBytesReader(rw, r.Body, limit)
			if err := w.origins.Check(r); err != nil {
				q.forbidden()
				return
			}
			if need == streamer {
				if err := h(q); err != nil {
					q.fail(err)
				}
				return
			}
			var err error
			files := need == uploader || need == linkUploader || need == verifier
			switch {
			case need == verifier && isMultipart(r):
				err = r.ParseMultipartForm(maxUploadBytes) // the rest on disk, removed below
				defer func() {
					if r.MultipartForm != nil {
						r.MultipartForm.RemoveAll()
					}
				}()
			case files && isMultipart(r):
				// Kept in memory (the cap is small): no temporary files to clean.
				err = r.ParseMultipartForm(limit)
			default:
				err = r.ParseForm()
			}
			var tooBig *http.MaxBytesError
			switch {
			case files && errors.As(err, &tooBig):
				// The token sits in the part that was cut off: nothing is
				// checked, so the handler may only show the form again with
				// "the file is too large" (q.file refuses to read one).
				q.tooLarge = true
			case err != nil:
				q.renderError(http.StatusBadRequest, "error.bad_form")
				return
			case !w.validCSRF(r, q.principal):
				q.forbidden()
				return
			}
		}
		if err := h(q); err != nil {
			q.fail(err)
		}
	})
}

// authenticate reads the session cookie; a cookie that no longer opens a
// session is cleared so the browser stops sending it.
func (q *request) authenticate() {
	c, err := q.r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return
	}
	p, err := q.web.svc.Authenticate(q.r.Context(), c.Value)
	if err != nil {
		if paraph.ErrorCode(err) != paraph.EUNAUTHORIZED {
			q.web.log.Error("web: authenticate", "err", err, "request_id", q.requestID())
		}
		q.web.clearCookie(q.w, sessionCookie)
		return
	}
	if p.Kind != store.TokenSession { // an API token pasted into the cookie is not a browser session
		q.web.clearCookie(q.w, sessionCookie)
		return
	}
	q.principal = p
	q.session = c.Value
	q.r = q.r.WithContext(core.WithPrincipal(q.r.Context(), p))
}

// startSession sets the session cookie after a login or a confirmation.
func (q *request) startSession(tok *core.IssuedToken) {
	http.SetCookie(q.w, &http.Cookie{
		Name: sessionCookie, Value: tok.Secret, Path: "/", Expires: tok.ExpiresAt,
		HttpOnly: true, Secure: q.web.secure, SameSite: http.SameSiteLaxMode,
	})
}

func (w *Web) clearCookie(rw http.ResponseWriter, name string) {
	http.SetCookie(rw, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: w.secure, SameSite: http.SameSiteLaxMode})
}

// redirectToLogin sends a visitor who needs a session to the login page,
// remembering where they were going (GET pages only: a form's target is not
// a page to come back to).
func (q *request) redirectToLogin() {
	target := "/login"
	if q.r.Method == http.MethodGet {
		target += "?next=" + url.QueryEscape(q.r.URL.RequestURI())
	} else if ref := localPath(q.r.Referer(), q.web.opts.BaseURL); ref != "" {
		target += "?next=" + url.QueryEscape(ref)
	}
	q.redirect(target)
}

// localPath returns next when it is a path on this site, else "". It refuses
// anything a browser could read as another origin: "//evil", "/\evil",
// "https://evil", and control characters. A full URL on our own BaseURL is
// reduced to its path (Referer headers look like that).
func localPath(next, baseURL string) string {
	if baseURL != "" && strings.HasPrefix(next, baseURL+"/") {
		next = next[len(baseURL):]
	}
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return ""
	}
	if strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return ""
	}
	return next
}

// setFlash leaves a one-shot message for the next page. The cookie holds only
// a catalog key, checked against the catalog when read, so a forged cookie can
// at most show one of our own messages.
func (q *request) setFlash(key string) {
	http.SetCookie(q.w, &http.Cookie{Name: flashCookie, Value: key, Path: "/", MaxAge: 60,
		HttpOnly: true, Secure: q.web.secure, SameSite: http.SameSiteLaxMode})
}

// takeFlash returns the translated flash message and clears it.
func (q *request) takeFlash() string {
	c, err := q.r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	q.web.clearCookie(q.w, flashCookie)
	if !strings.HasPrefix(c.Value, "flash.") || !q.web.cat.has(c.Value) {
		return ""
	}
	return q.web.cat.text(q.lang, c.Value)
}

// langCookieAge: the language is a preference, kept for a year.
const langCookieAge = 365 * 24 * time.Hour

func isMultipart(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}
