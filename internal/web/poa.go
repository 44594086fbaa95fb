package web

import (
	"errors"
	"net/http"

	"paraph"
	"paraph/internal/core"
	"paraph/internal/poa"
)

type poasPage struct {
	Member       *paraph.Member
	POAs         []*core.POAView
	ShowInactive bool
	CanManage    bool // upload, make main
	CanRevoke    bool // revoking is the principal's act: who manages the member
	Failed       string
}

func (w *Web) memberPOAs(q *request) error {
	m, err := w.svc.Member(q.r.Context(), q.org.ID, q.r.PathValue("member"))
	if err != nil {
		return err
	}
	return w.showPOAs(q, http.StatusOK, m, q.r.URL.Query().Get("inactive") == "1", "")
}

// showPOAs renders the МЧД tab; failed names the МЧД whose action failed,
// so its confirmation stays open with the error.
func (w *Web) showPOAs(q *request, status int, m *paraph.Member, inactive bool, failed string) error {
	list, err := w.svc.POAs(q.r.Context(), q.org.ID, m.ID, inactive)
	if err != nil {
		return err
	}
	q.form("poa")
	data := poasPage{Member: m, POAs: list, ShowInactive: inactive, Failed: failed,
		CanManage: q.can(paraph.ActionManageCertificates, m), CanRevoke: q.can(paraph.ActionEditMember, m)}
	return q.render(status, "member_poas", data)
}

func (w *Web) uploadPOA(q *request) error {
	id := q.r.PathValue("member")
	f := q.posted("poa")
	// poa_missing also names the signing check's "no МЧД"; on this form it
	// is a missing element of the file.
	f.reasons = "poa.reason."
	xml, err := q.file("xml")
	var sig []byte
	if err == nil {
		sig, err = q.file("sig")
	}
	if err == nil {
		_, err = w.svc.UploadPOA(q.r.Context(), q.org.ID, id, xml, sig)
	}
	if err != nil {
		if err := f.failed(err); err != nil {
			return err
		}
		// The translated reason says what is wrong; the element's path, in
		// the schema's own names, says where.
		var pe *poa.Error
		if errors.As(err, &pe) && pe.Path != "" && f.Errors["xml"] != "" {
			f.Errors["xml"] += " " + q.web.cat.text(q.lang, "poa.where", "path", pe.Path)
		}
		m, merr := w.svc.Member(q.r.Context(), q.org.ID, id)
		if merr != nil {
			return merr
		}
		return w.showPOAs(q, statusOf(err), m, false, "")
	}
	q.setFlash("flash.poa_added")
	return q.redirect(q.orgPath("/members/" + id + "/poas"))
}

func (w *Web) setMainPOA(q *request) error {
	return w.poaAction(q, "flash.poa_main", func(id string) error {
		return w.svc.SetMainPOA(q.r.Context(), q.org.ID, id)
	})
}

func (w *Web) revokePOA(q *request) error {
	return w.poaAction(q, "flash.poa_revoked", func(id string) error {
		return w.svc.RevokePOA(q.r.Context(), q.org.ID, id, q.r.PostFormValue("reason"))
	})
}

// poaAction runs one change to a МЧД and comes back to the tab, with the
// refusal next to that МЧД when core says no.
func (w *Web) poaAction(q *request, flash string, do func(id string) error) error {
	member, id := q.r.PathValue("member"), q.r.PathValue("poa")
	f := q.posted("poa_" + id)
	if err := do(id); err != nil {
		if err := f.failed(err); err != nil {
			return err
		}
		m, merr := w.svc.Member(q.r.Context(), q.org.ID, member)
		if merr != nil {
			return merr
		}
		return w.showPOAs(q, statusOf(err), m, true, id)
	}
	q.setFlash(flash)
	return q.redirect(q.orgPath("/members/" + member + "/poas"))
}

// POAStatus is the badge of a power of attorney.
func (v *view) POAStatus(p *core.POAView) badge {
	switch p.Status {
	case paraph.POAActive:
		return badge{Class: "badge-ok", Text: v.T("poa.status.active")}
	case paraph.POAExpiring:
		return badge{Class: "badge-warn", Text: v.T("poa.status.expiring", "days", v.DaysLeft(p.POA.ValidUntil.AddDate(0, 0, 1)))}
	case paraph.POARevoked:
		return badge{Class: "badge-danger", Text: v.T("poa.status.revoked"), Note: p.StatusReason}
	}
	b := badge{Class: "badge-danger", Text: v.T("poa.status.expired")}
	if p.StatusReason == poa.ReasonNotYetValid {
		b.Text = v.T("poa.status.not_yet_valid")
	}
	return b
}

// Inactive reports whether a МЧД is expired or revoked (shown dimmed).
func (v *view) Inactive(p *core.POAView) bool {
	return p.Status == paraph.POAExpired || p.Status == paraph.POARevoked
}
