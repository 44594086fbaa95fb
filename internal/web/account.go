package web

import (
	"net/http"
	"net/url"

	"paraph"
	"paraph/internal/core"
	"paraph/internal/store"
)

func (w *Web) registerForm(q *request) error {
	if q.principal != nil {
		return q.redirect("/")
	}
	q.form("register")
	return q.render(http.StatusOK, "register", nil)
}

func (w *Web) register(q *request) error {
	f := q.posted("register")
	if f.Get("password") != f.Get("password2") {
		f.Invalid("password2", "form.passwords_differ")
		return q.rerender(nil, "register", nil)
	}
	acc, err := w.svc.Register(q.r.Context(), core.Registration{
		Login: f.Get("login"), Password: f.Get("password"), FullName: f.Get("full_name"), Language: q.lang,
	})
	if err != nil {
		if err := f.failed(err); err != nil {
			return err
		}
		return q.rerender(err, "register", nil)
	}
	q.setFlash("flash.code_sent")
	return q.redirect("/confirm?login=" + url.QueryEscape(acc.Login()))
}

func (w *Web) confirmForm(q *request) error {
	q.form("confirm").Set("login", q.r.URL.Query().Get("login"))
	return q.render(http.StatusOK, "confirm", nil)
}

// confirm activates the account and logs the person in on the spot: they
// have just proved they own the login.
func (w *Web) confirm(q *request) error {
	f := q.posted("confirm")
	_, tok, err := w.svc.Confirm(q.r.Context(), f.Get("login"), f.Get("code"), store.TokenSession)
	if err != nil {
		if err := f.failed(err); err != nil {
			return err
		}
		return q.rerender(err, "confirm", nil)
	}
	q.startSession(tok)
	q.setFlash("flash.confirmed")
	return q.redirect("/")
}

func (w *Web) resendCode(q *request) error {
	f := q.posted("confirm")
	if err := w.svc.ResendCode(q.r.Context(), f.Get("login")); err != nil {
		if err := f.failed(err); err != nil {
			return err
		}
		return q.rerender(err, "confirm", nil)
	}
	q.setFlash("flash.code_sent")
	return q.redirect("/confirm?login=" + url.QueryEscape(f.Get("login")))
}

type loginPage struct{ NotConfirmed bool }

func (w *Web) loginForm(q *request) error {
	next := localPath(q.r.URL.Query().Get("next"), "")
	if q.principal != nil {
		return q.redirect(orHome(next))
	}
	q.form("login").Set("login", q.r.URL.Query().Get("login")).Set("next", next)
	return q.render(http.StatusOK, "login", loginPage{})
}

func (w *Web) login(q *request) error {
	f := q.posted("login")
	_, tok, err := w.svc.Login(q.r.Context(), f.Get("login"), f.Get("password"), store.TokenSession)
	if err != nil {
		if err := f.failed(err); err != nil {
			return err
		}
		return q.rerender(err, "login", loginPage{NotConfirmed: paraph.ErrorReason(err) == "not_confirmed"})
	}
	q.startSession(tok)
	return q.redirect(orHome(localPath(f.Get("next"), "")))
}

func orHome(path string) string {
	if path == "" {
		return "/"
	}
	return path
}

// logout ends the session; without one it only clears the cookie, so an old
// tab's button still leads somewhere sensible.
func (w *Web) logout(q *request) error {
	if q.principal != nil {
		if err := w.svc.Logout(q.r.Context()); err != nil {
			return err
		}
	}
	q.web.clearCookie(q.w, sessionCookie)
	q.setFlash("flash.logged_out")
	return q.redirect("/")
}

func (w *Web) resetForm(q *request) error {
	q.form("reset").Set("login", q.r.URL.Query().Get("login"))
	return q.render(http.StatusOK, "reset", nil)
}

func (w *Web) requestReset(q *request) error {
	f := q.posted("reset")
	if err := w.svc.RequestPasswordReset(q.r.Context(), f.Get("login")); err != nil {
		if err := f.failed(err); err != nil {
			return err
		}
		return q.rerender(err, "reset", nil)
	}
	q.setFlash("flash.reset_sent")
	return q.redirect("/reset/confirm?login=" + url.QueryEscape(f.Get("login")))
}

func (w *Web) resetConfirmForm(q *request) error {
	q.form("reset_confirm").Set("login", q.r.URL.Query().Get("login"))
	return q.render(http.StatusOK, "reset_confirm", nil)
}

func (w *Web) resetPassword(q *request) error {
	f := q.posted("reset_confirm")
	if f.Get("password") != f.Get("password2") {
		f.Invalid("password2", "form.passwords_differ")
		return q.rerender(nil, "reset_confirm", nil)
	}
	if err := w.svc.ResetPassword(q.r.Context(), f.Get("login"), f.Get("code"), f.Get("password")); err != nil {
		if err := f.failed(err); err != nil {
			return err
		}
		return q.rerender(err, "reset_confirm", nil)
	}
	q.setFlash("flash.password_reset")
	return q.redirect("/login?login=" + url.QueryEscape(f.Get("login")))
}

// switchLanguage remembers the choice in a cookie (so it holds before login
// and after logout) and, for a logged-in person, on the account, so their
// emails and SMS follow it too.
func (w *Web) switchLanguage(q *request) error {
	lang := paraph.NormalizeLanguage(q.r.PostFormValue("lang"))
	if lang == "" {
		q.renderError(http.StatusBadRequest, "error.bad_form")
		return nil
	}
	if q.principal != nil && q.principal.Account.Language != lang {
		if _, err := w.svc.UpdateProfile(q.r.Context(), core.ProfileUpdate{Language: &lang}); err != nil {
			return err
		}
	}
	http.SetCookie(q.w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: int(langCookieAge.Seconds()),
		HttpOnly: true, Secure: w.secure, SameSite: http.SameSiteLaxMode})
	return q.redirect(orHome(localPath(q.r.PostFormValue("next"), "")))
}
