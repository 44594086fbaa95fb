package web

import (
	"net/http"
	"strings"

	"paraph"
	"paraph/internal/core"
	"paraph/internal/store"
)

// The funnel: how many of an organization's documents sit at each step, and
// the ones that wait, with whom each waits for and a "remind" button for
// those who may remind (the author, an owner or an admin; core decides).

type funnelPage struct {
	Funnel  *core.Funnel
	Step    string             // the waiting list shows this step only ("" all)
	Waiting []*paraph.Document // the current stage's waiting signers are in Stages
	Errors  map[string]string  // a refused reminder, by document
}

func (w *Web) funnel(q *request) error {
	return w.showFunnel(q, http.StatusOK, q.r.URL.Query().Get("step"), nil)
}

func (w *Web) showFunnel(q *request, status int, step string, errs map[string]string) error {
	fn, err := w.svc.DocumentFunnel(q.r.Context(), q.org.ID)
	if err != nil {
		return err
	}
	if step != "waiting_us" && step != "waiting_counterparty" {
		step = ""
	}
	data := funnelPage{Funnel: fn, Step: step, Errors: errs}
	for _, d := range fn.Waiting {
		if step == "" || funnelStep(d) == step {
			data.Waiting = append(data.Waiting, d)
		}
	}
	return q.render(status, "funnel", data)
}

// funnelStep is the step of a document in progress: whose stage is current.
func funnelStep(d *paraph.Document) string {
	if d.CurrentStage < len(d.Stages) && d.Stages[d.CurrentStage].Side == paraph.SideCounterparty {
		return "waiting_counterparty"
	}
	return "waiting_us"
}

// FunnelURL is where a funnel card leads: the box with the step's filter,
// or, for the two waiting steps (which the box cannot tell apart), the
// funnel's own list of that step.
func (v *view) FunnelURL(step string) string {
	base := "/o/" + v.Org.ID
	switch step {
	case "draft":
		return base + "/documents?box=drafts"
	case "waiting_us", "waiting_counterparty":
		return base + "/funnel?step=" + step + "#waiting"
	case "completed":
		return base + "/documents?box=outgoing&state=completed"
	case "declined_or_revoked":
		return base + "/documents?box=outgoing&state=declined"
	}
	return base + "/funnel"
}

// FunnelStep names the step of a waiting document.
func (v *view) FunnelStep(d *paraph.Document) string { return v.T("doc.funnel." + funnelStep(d)) }

// CanRemind reports whether the person may remind the document's signers:
// what to offer only; core decides again.
func (v *view) CanRemind(d *paraph.Document) bool {
	m := v.Me
	if m == nil || m.OrgID != d.OrgID || d.State != paraph.DocInProgress {
		return false
	}
	return d.AuthorMemberID == m.ID || m.Role == paraph.RoleOwner || m.Role == paraph.RoleAdmin
}

// remindDocument reminds the current stage's signers again, then returns
// to the page the button was on (the funnel or the document).
func (w *Web) remindDocument(q *request, d *paraph.Document, sigs []*store.SignatureRecord) error {
	next := localPath(q.r.PostFormValue("next"), "")
	if next == "" {
		next = "/documents/" + d.ID
	}
	err := w.svc.Remind(q.r.Context(), d.ID)
	if err == nil {
		q.setFlash("flash.reminded")
		return q.redirect(next)
	}
	if code := paraph.ErrorCode(err); code == paraph.EINTERNAL || code == paraph.EUNAUTHORIZED {
		return err
	}
	msg := q.web.cat.errorText(q.lang, err)
	if paraph.ErrorReason(err) == "remind_too_soon" {
		minutes := (core.RetryAfter(paraph.AsError(err)) + 59) / 60
		if minutes < 1 {
			minutes = 1
		}
		msg = q.web.cat.text(q.lang, "remind.too_soon", "minutes", minutes)
	}
	if strings.HasPrefix(next, "/o/"+d.OrgID+"/funnel") && q.me.OrgID == d.OrgID {
		return w.showFunnel(q, statusOf(err), "", map[string]string{d.ID: msg})
	}
	q.form("action").Error = msg
	return w.showDocument(q, statusOf(err), d, sigs, nil)
}
