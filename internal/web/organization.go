package web

import (
	"net/http"
	"strings"

	"paraph"
	"paraph/internal/core"
	"paraph/internal/store"
)

// inOrg loads the organization of /o/{org}/… and the person's membership in
// it before h runs. Core decides: an organization the person is not a member
// of is a 404 (its existence is nobody else's business), a blocked member
// gets the 403 page that says so — on this very request.
func (w *Web) inOrg(h handler) handler {
	return func(q *request) error {
		org, me, err := w.svc.Organization(q.r.Context(), q.r.PathValue("org"))
		if err != nil {
			return err
		}
		q.org, q.me = org, me
		return h(q)
	}
}

// can reports whether the person may do action (to target) in the current
// organization. Only what to show depends on it; core checks again.
func (q *request) can(action paraph.Action, target *paraph.Member) bool {
	return q.me != nil && paraph.Can(q.me, action, target) == nil
}

// orgPath is the URL of a page of the current organization.
func (q *request) orgPath(rest string) string { return "/o/" + q.org.ID + rest }

// home is the landing page for visitors and, for a logged-in person, the
// list of their organizations.
// (The organizations come with every page, in view.Orgs.)
func (w *Web) home(q *request) error { return q.render(http.StatusOK, "home", nil) }

// The organization form: first the country and the kind (a GET form, so the
// second step's URL can be shared and reloaded), then the details with only
// the identifiers that apply.
type orgFormPage struct {
	Country, Kind string
	Fields        []string // the identifier inputs to show, in order
}

// identifierFields lists the inputs of a country and kind, as core's
// Organization.Normalize expects them.
func identifierFields(country, kind string) []string {
	switch paraph.Country(country) {
	case paraph.CountryRU:
		if kind == string(paraph.OrgIndividual) {
			return []string{"inn", "ogrn"}
		}
		return []string{"inn", "kpp", "ogrn"}
	case paraph.CountryUA:
		if kind == string(paraph.OrgIndividual) {
			return []string{"rnokpp"}
		}
		return []string{"edrpou"}
	case paraph.CountryBY:
		return []string{"unp"}
	}
	return nil
}

// defaultCountry guesses the country from the page language; the person can
// change it.
func defaultCountry(lang string) string {
	if lang == "uk" {
		return string(paraph.CountryUA)
	}
	return string(paraph.CountryRU)
}

func (w *Web) newOrgForm(q *request) error {
	country := strings.ToUpper(q.r.URL.Query().Get("country"))
	kind := q.r.URL.Query().Get("kind")
	fields := identifierFields(country, kind)
	if fields == nil || q.r.URL.Query().Has("change") ||
		(kind != string(paraph.OrgLegal) && kind != string(paraph.OrgIndividual)) {
		// Step one.
		if country == "" {
			country = defaultCountry(q.lang)
		}
		if kind == "" {
			kind = string(paraph.OrgLegal)
		}
		return q.render(http.StatusOK, "org_new", orgFormPage{Country: country, Kind: kind})
	}
	q.form("org").Set("country", country).Set("kind", kind)
	return q.render(http.StatusOK, "org_new", orgFormPage{Country: country, Kind: kind, Fields: fields})
}

func (w *Web) createOrg(q *request) error {
	f := q.posted("org")
	f.reasons = "org.reason."
	country, kind := f.Get("country"), f.Get("kind")
	data := orgFormPage{Country: country, Kind: kind, Fields: identifierFields(country, kind)}
	o, err := w.svc.CreateOrganization(q.r.Context(), paraph.Organization{
		Kind: paraph.OrgKind(kind), Country: paraph.Country(country), Name: f.Get("name"),
		INN: f.Get("inn"), KPP: f.Get("kpp"), OGRN: f.Get("ogrn"), EDRPOU: f.Get("edrpou"),
		RNOKPP: f.Get("rnokpp"), UNP: f.Get("unp"), Email: f.Get("email"), Address: f.Get("address"),
	})
	if err != nil {
		if err := f.failed(err); err != nil {
			return err
		}
		return q.rerender(err, "org_new", data)
	}
	q.setFlash("flash.org_created")
	return q.redirect("/o/" + o.ID)
}

type orgPage struct {
	CanEdit    bool
	CanAdd     bool
	CanManage  bool
	Identifier []identifier
}

// identifier is one labelled identifier of an organization, for display.
type identifier struct{ Label, Value string }

// identifiers lists an organization's identifiers with labels for its
// country and kind, in the order people read them.
func (v *view) Identifiers(org any) []identifier {
	var o *paraph.Organization
	switch org := org.(type) {
	case *paraph.Organization:
		o = org
	case paraph.Organization:
		o = &org
	case *store.AccountOrganization:
		o = &org.Organization
	default:
		return nil
	}
	var out []identifier
	for _, f := range identifierFields(string(o.Country), string(o.Kind)) {
		val := map[string]string{"inn": o.INN, "kpp": o.KPP, "ogrn": o.OGRN, "edrpou": o.EDRPOU,
			"rnokpp": o.RNOKPP, "unp": o.UNP}[f]
		if val != "" {
			out = append(out, identifier{Label: v.T(identifierLabel(string(o.Country), string(o.Kind), f)), Value: val})
		}
	}
	return out
}

// identifierLabel is the catalog key of an identifier's label: the OGRN box
// of a sole proprietor holds the OGRNIP.
func identifierLabel(country, kind, field string) string {
	if field == "ogrn" && kind == string(paraph.OrgIndividual) {
		return "org.field.ogrnip"
	}
	return "org.field." + field
}

// IdentifierLabel is identifierLabel for templates.
func (v *view) IdentifierLabel(country, kind, field string) string {
	return identifierLabel(country, kind, field)
}

// IdentifierHint is the catalog key of the help under an identifier's input.
func (v *view) IdentifierHint(country, kind, field string) string {
	switch {
	case field == "inn" && kind == string(paraph.OrgIndividual):
		return "org.hint.inn_individual"
	case field == "ogrn" && kind == string(paraph.OrgIndividual):
		return "org.hint.ogrnip"
	}
	return "org.hint." + field
}

// KindName names an organization's kind as people of its country say it:
// ИП in Russia and Belarus, ФОП in Ukraine.
func (v *view) KindName(country, kind string) string {
	if kind == string(paraph.OrgIndividual) {
		return v.T("org.kind.individual_" + strings.ToLower(country))
	}
	return v.T("org.kind.legal")
}

func (w *Web) orgHome(q *request) error {
	return q.render(http.StatusOK, "org", orgPage{
		CanEdit:   q.can(paraph.ActionEditOrganization, nil),
		CanAdd:    q.can(paraph.ActionAddMember, nil),
		CanManage: q.can(paraph.ActionManageDepartments, nil),
	})
}

func (w *Web) orgSettingsForm(q *request) error {
	if !q.can(paraph.ActionEditOrganization, nil) {
		return paraph.Can(q.me, paraph.ActionEditOrganization, nil)
	}
	o := q.org
	q.form("org").Set("name", o.Name).Set("email", o.Email).Set("address", o.Address).
		Set("inn", o.INN).Set("kpp", o.KPP).Set("ogrn", o.OGRN).Set("edrpou", o.EDRPOU).
		Set("rnokpp", o.RNOKPP).Set("unp", o.UNP)
	return q.render(http.StatusOK, "org_settings", orgFormPage{Country: string(o.Country), Kind: string(o.Kind),
		Fields: identifierFields(string(o.Country), string(o.Kind))})
}

func (w *Web) updateOrg(q *request) error {
	f := q.posted("org")
	f.reasons = "org.reason."
	u := core.OrganizationUpdate{}
	for name, p := range map[string]**string{"name": &u.Name, "email": &u.Email, "address": &u.Address,
		"inn": &u.INN, "kpp": &u.KPP, "ogrn": &u.OGRN, "edrpou": &u.EDRPOU, "rnokpp": &u.RNOKPP, "unp": &u.UNP} {
		if f.has(name) {
			v := f.Get(name)
			*p = &v
		}
	}
	if _, err := w.svc.UpdateOrganization(q.r.Context(), q.org.ID, u); err != nil {
		if err := f.failed(err); err != nil {
			return err
		}
		return q.rerender(err, "org_settings", orgFormPage{Country: string(q.org.Country), Kind: string(q.org.Kind),
			Fields: identifierFields(string(q.org.Country), string(q.org.Kind))})
	}
	q.setFlash("flash.org_saved")
	return q.redirect(q.orgPath(""))
}

// RoleName translates a role.
func (v *view) RoleName(r paraph.Role) string { return v.T("role." + string(r)) }

// OrgSection is the part of the current path after /o/{org}, kept when the
// switcher changes organization, so an accountant on one company's members
// lands on the next company's members. Pages of one member or department do
// not exist in another organization and fall back to its section.
func (v *view) OrgSection() string {
	if v.Org == nil {
		return ""
	}
	rest := strings.TrimPrefix(v.q.r.URL.Path, "/o/"+v.Org.ID)
	for _, s := range []string{"/members/new", "/members", "/departments", "/settings", "/documents", "/funnel"} {
		if strings.HasPrefix(rest, s) {
			return s
		}
	}
	return ""
}

// myOrg finds one of the person's organizations in the switcher's list.
func myOrg(orgs []*store.AccountOrganization, id string) *store.AccountOrganization {
	for _, o := range orgs {
		if o.ID == id {
			return o
		}
	}
	return nil
}
