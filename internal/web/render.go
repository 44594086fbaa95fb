package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"paraph"
	"paraph/internal/api"
	"paraph/internal/core"
	"paraph/internal/store"
)

// page is one parsed page: the layout, the shared partials and its own file.
type page struct {
	name string
	tmpl *template.Template
}

// parsePages builds one template set per page file, each on top of the
// layout and the partials, so every page defines the same block names.
func parsePages(fsys fs.FS) (map[string]*page, error) {
	// No FuncMap: templates call methods of view (T, Form, Static), which
	// carry the request's language, so one parsed set serves every language.
	base, err := template.ParseFS(fsys, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	names, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*page{}
	for _, file := range names {
		name := strings.TrimSuffix(path.Base(file), ".html")
		if name == "layout" || name == "partials" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", file, err)
		}
		if t.Lookup("content") == nil || t.Lookup("title") == nil {
			return nil, fmt.Errorf("template %s must define \"title\" and \"content\"", file)
		}
		pages[name] = &page{name: name, tmpl: t}
	}
	for _, need := range []string{"home", "register", "confirm", "login", "reset", "reset_confirm",
		"profile", "mailbox", "error", "org_new", "org", "org_settings", "members", "members_all",
		"member_new", "member", "departments", "invite", "member_certificates", "member_poas", "trust",
		"login_certificate", "documents", "document_new", "document", "sign_link", "funnel"} {
		if pages[need] == nil {
			return nil, fmt.Errorf("template %s.html is missing", need)
		}
	}
	return pages, nil
}

// request is one web request on its way through a handler.
type request struct {
	web       *Web
	w         http.ResponseWriter
	r         *http.Request
	lang      string
	principal *core.Principal
	session   string // the session secret, when logged in
	csrf      string
	forms     map[string]*form

	// On /o/{org}/… pages: the organization and the person's membership in
	// it, for the header's switcher and for what the page offers.
	org *paraph.Organization
	me  *paraph.Member

	bare     bool            // a signing link's page: see view.Bare
	tooLarge bool            // an upload went over maxUploadBytes; the form was not read
	files    map[string]bool // the file inputs the handler read, for errors next to them
}

func (q *request) requestID() string { return q.w.Header().Get("X-Request-Id") }

// view is what every template sees as its root: the page's own data plus
// the layout's (language, account, CSRF token, flash) and the translator.
type view struct {
	q       *request
	Lang    string
	Account *paraph.Account
	CSRF    string
	Flash   string
	Path    string // the current page, for the language switch to come back to
	Dev     bool
	Data    any
	// Bare pages (a signing link's) are for a person without an account
	// here: the header offers no login or registration.
	Bare bool

	// For a logged-in person: their organizations (the switcher) and, on an
	// organization's pages, the current one and their membership in it.
	Orgs []*store.AccountOrganization
	Org  *paraph.Organization
	Me   *paraph.Member
}

// T translates a catalog key; args are name, value pairs for {placeholders}.
func (v *view) T(key string, args ...any) string { return v.q.web.cat.text(v.Lang, key, args...) }

// Form returns the named form of the page: the one that was posted, with
// its values and errors, or an empty one.
func (v *view) Form(name string) *form { return v.q.form(name) }

// Static returns the URL of an embedded static file, with its content hash.
func (v *view) Static(name string) string {
	if a := v.q.web.static[name]; a != nil {
		return "/static/" + name + "?v=" + a.hash
	}
	return "/static/" + name
}

// Languages lists the language switch's choices, each named in itself.
func (v *view) Languages() []language {
	out := make([]language, 0, len(paraph.Languages))
	for _, l := range paraph.Languages {
		out = append(out, language{Code: l, Name: v.q.web.cat.text(l, "lang.self"), Current: l == v.Lang})
	}
	return out
}

type language struct {
	Code, Name string
	Current    bool
}

// Date formats a time for people, in UTC (the account has no time zone yet).
func (v *view) Date(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04") + " UTC"
}

// render writes a page with status.
func (q *request) render(status int, name string, data any) error {
	p := q.web.pages[name]
	if p == nil {
		return fmt.Errorf("web: no page %q", name)
	}
	v := &view{
		q: q, Lang: q.lang, CSRF: q.csrfToken(), Flash: q.takeFlash(),
		Path: q.r.URL.RequestURI(), Dev: q.web.opts.Dev, Data: data, Bare: q.bare,
	}
	if q.principal != nil {
		acc := q.principal.Account
		v.Account = &acc
		orgs, err := q.web.svc.Organizations(q.r.Context())
		if err != nil && paraph.ErrorCode(err) != paraph.EUNAUTHORIZED {
			return fmt.Errorf("web: organizations for the switcher: %w", err)
		}
		v.Orgs, v.Org, v.Me = orgs, q.org, q.me
	}
	if q.r.Method != http.MethodGet {
		// After a failed POST the switch should return to the form's page.
		v.Path = localPath(q.r.Referer(), q.web.opts.BaseURL)
		if v.Path == "" {
			v.Path = "/"
		}
	}
	var buf bytes.Buffer
	if err := p.tmpl.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	h := q.w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages show personal data and one-time secrets: never keep them in a cache.
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", q.lang)
	h.Add("Vary", "Cookie, Accept-Language")
	q.w.WriteHeader(status)
	_, err := buf.WriteTo(q.w)
	return err
}

// redirect answers a POST (or a page that moved) with 303 See Other, so the
// browser follows with a GET and a reload does not post again.
func (q *request) redirect(target string) error {
	http.Redirect(q.w, q.r, target, http.StatusSeeOther)
	return nil
}

// errorPage is the data of the error template.
type errorPage struct {
	Status    int
	Title     string // catalog key
	Message   string // catalog key
	Text      string // or the message itself, already translated
	Hint      string // catalog key: what to do next; optional
	RequestID string
}

func (q *request) renderError(status int, messageKey string) {
	title := map[int]string{
		http.StatusNotFound: "error.not_found_title", http.StatusForbidden: "error.forbidden_title",
		http.StatusBadRequest: "error.bad_request_title",
	}[status]
	if title == "" {
		title = "error.internal_title"
	}
	data := errorPage{Status: status, Title: title, Message: messageKey}
	if status >= 500 {
		data.RequestID = q.requestID()
	}
	if err := q.render(status, "error", data); err != nil {
		q.web.log.Error("web: render error page", "err", err, "request_id", q.requestID())
		http.Error(q.w, http.StatusText(status), status)
	}
}

// refused shows a 403 page for an error of core: the translated reason and,
// for a blocked member, what to do about it.
func (q *request) refused(err error) {
	data := errorPage{Status: http.StatusForbidden, Title: "error.refused_title", Text: q.web.cat.errorText(q.lang, err)}
	if paraph.ErrorReason(err) == "blocked" {
		data.Title, data.Text, data.Hint = "error.blocked_title", q.web.cat.text(q.lang, "error.blocked_text"), "error.blocked_hint"
	}
	if err := q.render(http.StatusForbidden, "error", data); err != nil {
		q.web.log.Error("web: render error page", "err", err, "request_id", q.requestID())
		http.Error(q.w, http.StatusText(http.StatusForbidden), http.StatusForbidden)
	}
}

// forbidden is what a failed CSRF or origin check shows: most often an old
// tab whose form outlived its session, so the advice is to reload.
func (q *request) forbidden() { q.renderError(http.StatusForbidden, "error.csrf") }

func (w *Web) notFound(q *request) error {
	q.renderError(http.StatusNotFound, "error.not_found")
	return nil
}

// fail handles an error a handler did not turn into a form message.
func (q *request) fail(err error) {
	var e *paraph.Error
	if errors.As(err, &e) {
		switch e.Code {
		case paraph.ENOTFOUND:
			q.renderError(http.StatusNotFound, "error.not_found")
			return
		case paraph.EUNAUTHORIZED:
			q.web.clearCookie(q.w, sessionCookie)
			q.redirectToLogin()
			return
		case paraph.EFORBIDDEN:
			q.refused(err)
			return
		}
	}
	q.web.log.Error("web: request failed", "err", err, "method", q.r.Method, "path", logPath(q.r.URL.Path),
		"request_id", q.requestID())
	q.renderError(http.StatusInternalServerError, "error.internal")
}

// statusOf is the status of a re-rendered form: the one mapping of error
// codes to HTTP statuses, the API's.
func statusOf(err error) int { return api.StatusOf(paraph.ErrorCode(err)) }
