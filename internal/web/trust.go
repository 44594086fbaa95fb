package web

import (
	"net/http"

	"paraph/internal/core"
)

type trustPage struct {
	Roots []core.TrustRootView
}

// trustRoots lists the instance's trusted roots; core refuses anyone but
// the instance administrator (403 page with the reason).
func (w *Web) trustRoots(q *request) error { return w.showTrust(q, http.StatusOK) }

func (w *Web) showTrust(q *request, status int) error {
	roots, err := w.svc.TrustRoots(q.r.Context())
	if err != nil {
		return err
	}
	q.form("root")
	return q.render(status, "trust", trustPage{Roots: roots})
}

func (w *Web) addTrustRoot(q *request) error {
	f := q.posted("root")
	data, err := q.file("certificate")
	if err == nil {
		_, err = w.svc.AddTrustRoot(q.r.Context(), data)
	}
	if err != nil {
		if err := f.failed(err); err != nil {
			return err
		}
		return w.showTrust(q, statusOf(err))
	}
	q.setFlash("flash.root_added")
	return q.redirect("/admin/trust")
}

func (w *Web) removeTrustRoot(q *request) error {
	if err := w.svc.RemoveTrustRoot(q.r.Context(), q.r.PathValue("id")); err != nil {
		return err
	}
	q.setFlash("flash.root_removed")
	return q.redirect("/admin/trust")
}
