package web

import (
	"net/http"

	"paraph"
	"paraph/internal/core"
	"paraph/internal/store"
)

type invitePage struct {
	Invitation *core.Invitation
	Token      string
	Problem    string // the translated reason a link does not work
	Reason     string
}

// invitation is the page an invited employee opens from the email: whose
// account it is, which organization, and a new password twice. A link that
// no longer works says why and what to do.
func (w *Web) invitation(q *request) error {
	token := q.r.PathValue("token")
	inv, err := w.svc.LookupInvitation(q.r.Context(), token)
	if err != nil {
		return w.badInvitation(q, err)
	}
	q.form("invite")
	return q.render(http.StatusOK, "invite", invitePage{Invitation: inv, Token: token})
}

func (w *Web) badInvitation(q *request, err error) error {
	switch paraph.ErrorReason(err) {
	case "invitation_not_found", "invitation_used", "invitation_expired":
		status := http.StatusNotFound
		if paraph.ErrorReason(err) != "invitation_not_found" {
			status = http.StatusGone
		}
		return q.render(status, "invite", invitePage{Problem: q.web.cat.errorText(q.lang, err), Reason: paraph.ErrorReason(err)})
	}
	return err
}

func (w *Web) acceptInvitation(q *request) error {
	token := q.r.PathValue("token")
	f := q.posted("invite")
	inv, err := w.svc.LookupInvitation(q.r.Context(), token)
	if err != nil {
		return w.badInvitation(q, err)
	}
	data := invitePage{Invitation: inv, Token: token}
	if f.Get("password") != f.Get("password2") {
		f.Invalid("password2", "form.passwords_differ")
		return q.rerender(nil, "invite", data)
	}
	_, tok, err := w.svc.AcceptInvitation(q.r.Context(), token, f.Get("password"), store.TokenSession)
	if err != nil {
		if paraph.ErrorCode(err) == paraph.ECONFLICT || paraph.ErrorCode(err) == paraph.ENOTFOUND {
			return w.badInvitation(q, err)
		}
		if err := f.failed(err); err != nil {
			return err
		}
		return q.rerender(err, "invite", data)
	}
	q.startSession(tok)
	q.setFlash("flash.invitation_accepted")
	// Straight into the organization when there is exactly one to go to.
	if p, err := w.svc.Authenticate(q.r.Context(), tok.Secret); err == nil {
		ctx := core.WithPrincipal(q.r.Context(), p)
		if orgs, err := w.svc.Organizations(ctx); err == nil && len(orgs) == 1 {
			return q.redirect("/o/" + orgs[0].ID)
		}
	}
	return q.redirect("/")
}
