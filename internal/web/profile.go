package web

import (
	"net/http"
	"net/url"
	"strings"

	"paraph/internal/core"
	"paraph/internal/store"
)

// newTokenCookie carries a just-created API token's secret across the
// redirect to the profile, where it is shown once and cleared. It never
// goes in a URL, where logs and history would keep it.
const newTokenCookie = "paraph_new_token"

type profilePage struct {
	Tokens   []*store.Token
	NewToken string // shown once, right after creation
	Pending  string // the new login a change code was sent to
	// NameLocked: a certificate is bound to the account and names the
	// person; the name is shown, not edited.
	NameLocked bool
}

func (w *Web) profile(q *request) error {
	data := profilePage{Pending: q.r.URL.Query().Get("pending")}
	if c, err := q.r.Cookie(newTokenCookie); err == nil {
		http.SetCookie(q.w, &http.Cookie{Name: newTokenCookie, Path: "/profile", MaxAge: -1,
			HttpOnly: true, Secure: w.secure, SameSite: http.SameSiteStrictMode})
		if looksLikeToken(c.Value) {
			data.NewToken = c.Value
		}
	}
	return w.showProfile(q, http.StatusOK, data)
}

// showProfile renders the profile with whichever form was posted.
func (w *Web) showProfile(q *request, status int, data profilePage) error {
	tokens, err := w.svc.PersonalTokens(q.r.Context())
	if err != nil {
		return err
	}
	data.Tokens = tokens
	if data.NameLocked, err = w.svc.NameLockedByCertificate(q.r.Context()); err != nil {
		return err
	}
	if f := q.form("name"); f.Values["full_name"] == "" && !f.Invalidated() {
		f.Set("full_name", q.principal.Account.FullName)
	}
	return q.render(status, "profile", data)
}

// failProfile puts err on the form and shows the profile again.
func (w *Web) failProfile(q *request, f *form, err error, data profilePage) error {
	status := http.StatusUnprocessableEntity
	if err != nil {
		if err := f.failed(err); err != nil {
			return err
		}
		status = statusOf(err)
	}
	return w.showProfile(q, status, data)
}

func (w *Web) updateName(q *request) error {
	f := q.posted("name")
	name := f.Get("full_name")
	if _, err := w.svc.UpdateProfile(q.r.Context(), core.ProfileUpdate{FullName: &name}); err != nil {
		return w.failProfile(q, f, err, profilePage{})
	}
	q.setFlash("flash.name_saved")
	return q.redirect("/profile")
}

func (w *Web) requestLoginChange(q *request) error {
	f := q.posted("login")
	if err := w.svc.RequestLoginChange(q.r.Context(), f.Get("login")); err != nil {
		return w.failProfile(q, f, err, profilePage{})
	}
	q.setFlash("flash.code_sent")
	return q.redirect("/profile?pending=" + url.QueryEscape(strings.TrimSpace(f.Get("login"))) + "#login")
}

func (w *Web) confirmLoginChange(q *request) error {
	f := q.posted("login_code")
	if _, err := w.svc.ConfirmLoginChange(q.r.Context(), f.Get("code")); err != nil {
		return w.failProfile(q, f, err, profilePage{Pending: f.Get("pending")})
	}
	q.setFlash("flash.login_changed")
	return q.redirect("/profile#login")
}

func (w *Web) changePassword(q *request) error {
	f := q.posted("password")
	if f.Get("password") != f.Get("password2") {
		f.Invalid("password2", "form.passwords_differ")
		return w.failProfile(q, f, nil, profilePage{})
	}
	if err := w.svc.ChangePassword(q.r.Context(), f.Get("current_password"), f.Get("password")); err != nil {
		return w.failProfile(q, f, err, profilePage{})
	}
	q.setFlash("flash.password_changed")
	return q.redirect("/profile")
}

func (w *Web) createToken(q *request) error {
	f := q.posted("token")
	tok, err := w.svc.CreatePersonalToken(q.r.Context(), f.Get("name"))
	if err != nil {
		return w.failProfile(q, f, err, profilePage{})
	}
	http.SetCookie(q.w, &http.Cookie{Name: newTokenCookie, Value: tok.Secret, Path: "/profile", MaxAge: 300,
		HttpOnly: true, Secure: w.secure, SameSite: http.SameSiteStrictMode})
	return q.redirect("/profile#tokens")
}

func (w *Web) revokeToken(q *request) error {
	if err := w.svc.RevokePersonalToken(q.r.Context(), q.r.PathValue("id")); err != nil {
		return err
	}
	q.setFlash("flash.token_revoked")
	return q.redirect("/profile#tokens")
}

// looksLikeToken accepts only what core issues as a personal token, so a
// cookie planted by someone else cannot put arbitrary text on the page.
func looksLikeToken(s string) bool {
	rest, ok := strings.CutPrefix(s, "ppt_")
	if !ok || len(rest) < 20 || len(rest) > 100 {
		return false
	}
	for _, r := range rest {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
