package web

import (
	"bufio"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"paraph"
	"paraph/internal/core"
	"paraph/internal/store"
)

// Documents: an organization's boxes (incoming, outgoing, drafts), the
// upload form, and one document's page with its route, signatures and the
// actions of whoever looks at it (edit the route and send, sign, decline,
// revoke). The page decides only what to offer; core decides what is allowed.

// maxDocumentBody caps the body of the upload form: the largest document
// core takes and room for the metadata fields. Core enforces the size
// itself while it streams the file to the blob store.
func (w *Web) maxDocumentBody() int64 { return w.svc.MaxDocumentSize() + 1<<20 }

// documentsPageSize is a box's page.
const documentsPageSize = 50

var boxes = []string{"incoming", "outgoing", "drafts"}

// docStates are the states a box can be filtered by (drafts have one).
var docStates = []string{paraph.DocInProgress, paraph.DocCompleted, paraph.DocDeclined, paraph.DocRevoked}

// docFilter is a box's filter as it travels in the URL.
type docFilter struct {
	Box, State, Counterparty, Author, From, To, Query, Cursor string
}

func readDocFilter(r *http.Request) docFilter {
	v := r.URL.Query()
	f := docFilter{Box: v.Get("box"), State: v.Get("state"), Counterparty: v.Get("counterparty"), Author: v.Get("author"),
		From: v.Get("from"), To: v.Get("to"), Query: strings.TrimSpace(v.Get("q")), Cursor: v.Get("cursor")}
	if f.Box == "" {
		f.Box = "incoming"
	}
	if f.Box == "drafts" {
		f.State = ""
	}
	return f
}

// Active reports whether anything narrows the box, for the empty state.
func (f docFilter) Active() bool {
	return f.State != "" || f.Counterparty != "" || f.Author != "" || f.From != "" || f.To != "" || f.Query != ""
}

// URL returns the box's URL with this filter and another cursor.
func (f docFilter) URL(base, cursor string) string {
	v := url.Values{}
	for k, s := range map[string]string{"box": f.Box, "state": f.State, "counterparty": f.Counterparty, "author": f.Author,
		"from": f.From, "to": f.To, "q": f.Query, "cursor": cursor} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return base + "?" + v.Encode()
}

// query turns the filter into core's; a date that does not parse is the
// URL's mistake (400).
func (f docFilter) query() (core.DocumentQuery, error) {
	q := core.DocumentQuery{Box: f.Box, State: f.State, CounterpartyID: f.Counterparty, AuthorMemberID: f.Author,
		Query: f.Query, Cursor: f.Cursor, Limit: documentsPageSize}
	var err error
	if f.From != "" {
		if q.From, err = time.Parse(time.DateOnly, f.From); err != nil {
			return q, paraph.Invalid("from", "invalid_date", "Write the date as YYYY-MM-DD.")
		}
	}
	if f.To != "" {
		if q.To, err = time.Parse(time.DateOnly, f.To); err != nil {
			return q, paraph.Invalid("to", "invalid_date", "Write the date as YYYY-MM-DD.")
		}
		q.To = q.To.AddDate(0, 0, 1) // "to" includes its day
	}
	return q, nil
}

type documentsPage struct {
	Filter    docFilter
	Boxes     []string
	States    []string
	Documents []*paraph.Document
	Next      string
	First     string
	Authors   []*paraph.Member
	Others    []*store.AccountOrganization // the person's other organizations: counterparties to filter by
	Funnel    *core.Funnel
}

func (w *Web) documents(q *request) error {
	f := readDocFilter(q.r)
	dq, err := f.query()
	if err != nil {
		return w.badFilter(q, err)
	}
	docs, next, err := w.svc.Documents(q.r.Context(), q.org.ID, dq)
	if err != nil {
		return w.badFilter(q, err)
	}
	// A box row says whom a document waits for: that needs its route, which
	// the list does not carry (see the report: core could return it).
	for i, d := range docs {
		if d.State == paraph.DocInProgress {
			if full, _, err := w.svc.Document(q.r.Context(), d.ID); err == nil {
				docs[i] = full
			}
		}
	}
	data := documentsPage{Filter: f, Boxes: boxes, States: docStates, Documents: docs}
	if members, err := w.svc.Members(q.r.Context(), core.MemberQuery{OrgID: q.org.ID, Limit: 200}); err == nil {
		data.Authors = members.Members
	}
	if orgs, err := w.svc.Organizations(q.r.Context()); err == nil {
		for _, o := range orgs {
			if o.ID != q.org.ID {
				data.Others = append(data.Others, o)
			}
		}
	}
	if fn, err := w.svc.DocumentFunnel(q.r.Context(), q.org.ID); err == nil {
		data.Funnel = fn
	}
	base := q.orgPath("/documents")
	if next != "" {
		data.Next = f.URL(base, next)
	}
	if f.Cursor != "" {
		data.First = f.URL(base, "")
	}
	return q.render(http.StatusOK, "documents", data)
}

// BoxURL is the URL of another box of the current organization.
func (v *view) BoxURL(box string) string { return "/o/" + v.Org.ID + "/documents?box=" + box }

// StateBadge is a document state's badge.
func (v *view) StateBadge(state string) badge {
	class := map[string]string{paraph.DocDraft: "badge-muted", paraph.DocInProgress: "badge-info",
		paraph.DocCompleted: "badge-ok", paraph.DocDeclined: "badge-danger", paraph.DocRevoked: "badge-muted"}[state]
	return badge{Class: class, Text: v.T("doc.state." + state)}
}

// WaitsFor names whom an in-progress document waits for: the waiting
// signers of its current stage.
func (v *view) WaitsFor(d *paraph.Document) string {
	if d.State != paraph.DocInProgress || d.CurrentStage >= len(d.Stages) {
		return ""
	}
	var names []string
	for _, sg := range d.Stages[d.CurrentStage].Signers {
		if sg.State == paraph.SignerWaiting {
			names = append(names, sg.FullName)
		}
	}
	return strings.Join(names, ", ")
}

// Amount formats an amount in minor units as people of the language write
// money: "12 345,67 ₽" in Russian and Ukrainian, "₽12,345.67" style in English.
func (v *view) Amount(amount *int64, currency string) string {
	if amount == nil {
		return ""
	}
	n := *amount
	whole, cents := n/100, n%100
	digits := strconv.FormatInt(whole, 10)
	sep, dec := "\u00a0", ","
	if v.Lang == "en" {
		sep, dec = ",", "."
	}
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	sym := map[string]string{"RUB": "₽", "UAH": "₴", "BYN": "Br", "USD": "$", "EUR": "€"}[currency]
	if sym == "" {
		sym = currency
	}
	return b.String() + dec + strconv.FormatInt(cents/10, 10) + strconv.FormatInt(cents%10, 10) + "\u00a0" + sym
}

// DocDate writes a document's own date (YYYY-MM-DD) as people read it.
func (v *view) DocDate(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return t.Format("02.01.2006")
}

// DocKind names a document's kind.
func (v *view) DocKind(kind string) string { return v.T("doc.kind." + kind) }

// --- The upload form ---

type newDocumentPage struct {
	Kinds       []string
	Currencies  []string
	Departments []deptNode
}

var currencies = []string{"RUB", "UAH", "BYN", "USD", "EUR", "KZT", "CNY"}

func (w *Web) newDocumentForm(q *request) error {
	f := q.form("document")
	f.Set("kind", "act").Set("currency", defaultCurrency(q.org)).Set("department_id", q.me.DepartmentID)
	return w.showNewDocument(q, http.StatusOK)
}

func (w *Web) showNewDocument(q *request, status int) error {
	depts, err := w.svc.Departments(q.r.Context(), q.org.ID)
	if err != nil {
		return err
	}
	return q.render(status, "document_new", newDocumentPage{Kinds: paraph.DocumentKinds, Currencies: currencies, Departments: deptTree(depts)})
}

func defaultCurrency(o *paraph.Organization) string {
	switch o.Country {
	case paraph.CountryUA:
		return "UAH"
	case paraph.CountryBY:
		return "BYN"
	}
	return "RUB"
}

// createDocument reads the upload form as a stream: the CSRF token first
// (checked before anything else is read), then the metadata fields, then the
// file, which goes to core part by part — never whole in memory or on a
// temporary disk of ours.
func (w *Web) createDocument(q *request) error {
	mt, params, _ := mime.ParseMediaType(q.r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" || params["boundary"] == "" {
		q.renderError(http.StatusBadRequest, "error.bad_form")
		return nil
	}
	// multipart.Reader reads its source 4 KiB at a time, a system call each
	// straight from the connection; through this buffer, one per 256 KiB.
	mr := multipart.NewReader(bufio.NewReaderSize(q.r.Body, 256<<10), params["boundary"])
	drain := func() { io.Copy(io.Discard, q.r.Body) } // so the browser reads our answer, not a reset
	part, err := mr.NextPart()
	if err != nil || part.FormName() != csrfField {
		drain()
		q.forbidden()
		return nil
	}
	tok, _ := io.ReadAll(io.LimitReader(part, 512))
	if !w.validCSRFToken(q.r, q.principal, string(tok)) {
		drain()
		q.forbidden()
		return nil
	}
	vals := url.Values{}
	read := 0
	var d *paraph.Document
	var failure error
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			failure = paraph.Invalid("file", "file_required", "Choose a file.")
			break
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				failure = paraph.Invalid("file", "file_too_large", "The file is too large.")
				break
			}
			q.renderError(http.StatusBadRequest, "error.bad_form")
			return nil
		}
		if part.FormName() == "file" {
			q.r.PostForm = vals
			failure = nil
			if part.FileName() == "" {
				failure = paraph.Invalid("file", "file_required", "Choose a file.")
				break
			}
			meta := paraph.DocumentMeta{Title: vals.Get("title"), Kind: vals.Get("kind"), Number: vals.Get("number"),
				Date: vals.Get("date"), Currency: vals.Get("currency"), CounterpartyName: vals.Get("counterparty"), Comment: vals.Get("comment")}
			if meta.Amount, failure = parseAmount(vals.Get("amount")); failure != nil {
				break
			}
			ct := part.Header.Get("Content-Type")
			if mt, _, err := mime.ParseMediaType(ct); err == nil {
				ct = mt
			}
			d, failure = w.svc.CreateDocument(q.r.Context(), q.org.ID, meta, vals.Get("department_id"),
				core.UploadedFile{Name: part.FileName(), ContentType: ct, Body: part})
			var tooBig *http.MaxBytesError
			if errors.As(failure, &tooBig) {
				failure = paraph.Invalid("file", "file_too_large", "The file is too large.")
			}
			break
		}
		v, err := io.ReadAll(io.LimitReader(part, maxFormBytes+1))
		read += len(v)
		if err != nil || read > maxFormBytes {
			drain()
			q.renderError(http.StatusBadRequest, "error.bad_form")
			return nil
		}
		vals.Add(part.FormName(), string(v))
	}
	if failure != nil {
		drain()
		q.r.PostForm = vals
		if q.files == nil {
			q.files = map[string]bool{}
		}
		q.files["file"] = true
		f := q.posted("document")
		if err := f.failed(failure); err != nil {
			return err
		}
		return w.showNewDocument(q, statusOf(failure))
	}
	q.setFlash("flash.document_created")
	return q.redirect("/documents/" + d.ID)
}

// parseAmount reads money as people type it — "12 345,67", "12345.5",
// "1 000" — into minor units.
func parseAmount(s string) (*int64, error) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\'' {
			return -1
		}
		return r
	}, s)
	if s == "" {
		return nil, nil
	}
	bad := paraph.Invalid("amount", "invalid_amount", "Write the amount as digits, e.g. 12 345,67.")
	s = strings.ReplaceAll(s, ",", ".")
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || (dot && frac == "") || len(whole) > 15 {
		return nil, bad
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return nil, bad
			}
		}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return nil, bad
	}
	return &n, nil
}

// --- One document ---

// documentPage is the data of a document's page.
type documentPage struct {
	Doc          *paraph.Document
	Signatures   []*store.SignatureRecord
	SigBySigner  map[string]*store.SignatureRecord
	Own          bool // the person is of the sending organization
	IsPDF        bool // shown in the page; other files are downloaded
	FileURL      string
	CanManage    bool   // edit the route and send, or revoke
	Turn         string // the signature kind the person's turn asks for, "" when it is not their turn
	Certificates []*core.CertificateView
	Editor       *routeEditor
	Signers      []*paraph.Member // our members with the right to sign, for the editor
	Others       []*store.AccountOrganization
	Department   string
	Error        string       // an action's refusal, shown above everything
	OpenSign     bool         // the signing dialog is to be shown open (after a failed upload)
	Simple       *simpleBlock // the code and signature forms, when the turn asks for a simple signature
	History      []core.HistoryEntry
	Filled       map[string][]filledField // by signature ID: what its signer filled in
	Final        *core.FinalPDF           // a completed document's final PDF
}

// inDocument loads the document and the person's membership in the
// organization they see it as: the sender, or the counterparty.
func (w *Web) inDocument(h func(q *request, d *paraph.Document, sigs []*store.SignatureRecord) error) handler {
	return func(q *request) error {
		d, sigs, err := w.loadDocument(q)
		if err != nil {
			return err
		}
		return h(q, d, sigs)
	}
}

// inDocumentJSON is inDocument for the JSON endpoints: errors as JSON.
func (w *Web) inDocumentJSON(h handler) handler {
	return func(q *request) error {
		if _, _, err := w.loadDocument(q); err != nil {
			return q.jsonError(err)
		}
		return h(q)
	}
}

func (w *Web) loadDocument(q *request) (*paraph.Document, []*store.SignatureRecord, error) {
	d, sigs, err := w.svc.Document(q.r.Context(), q.r.PathValue("doc"))
	if err != nil {
		return nil, nil, err
	}
	for _, id := range []string{d.OrgID, d.CounterpartyOrgID} {
		if id == "" {
			continue
		}
		if org, me, err := w.svc.Organization(q.r.Context(), id); err == nil {
			q.org, q.me = org, me
			break
		}
	}
	if q.me == nil {
		return nil, nil, &paraph.Error{Code: paraph.ENOTFOUND, Reason: "not_found", Message: "Document not found."}
	}
	return d, sigs, nil
}

func (w *Web) document(q *request, d *paraph.Document, sigs []*store.SignatureRecord) error {
	return w.showDocument(q, http.StatusOK, d, sigs, nil)
}

// showDocument renders the page; editor is the route being edited (nil:
// the saved one).
func (w *Web) showDocument(q *request, status int, d *paraph.Document, sigs []*store.SignatureRecord, editor *routeEditor) error {
	ctx := q.r.Context()
	data := documentPage{Doc: d, Signatures: sigs, SigBySigner: map[string]*store.SignatureRecord{},
		Own: q.me.OrgID == d.OrgID, IsPDF: d.ContentType == "application/pdf", FileURL: "/documents/" + d.ID + "/file"}
	for _, s := range sigs {
		data.SigBySigner[s.SignerID] = s
	}
	data.Filled = filledFields(d, sigs)
	data.CanManage = data.Own && (d.AuthorMemberID == q.me.ID || q.me.Role == paraph.RoleOwner || q.me.Role == paraph.RoleAdmin)
	history, err := w.svc.DocumentHistory(ctx, d.ID)
	if err != nil {
		return err
	}
	data.History = history
	if d.State == paraph.DocCompleted {
		if data.Final, err = w.svc.DocumentFinal(ctx, d.ID); err != nil {
			return err
		}
	}
	var slot paraph.Signer
	data.Turn, slot = turnOf(d, q.me)
	if data.Turn == paraph.SigSimple {
		data.Simple = memberSimple(q, d, slot)
	}
	if data.Turn == paraph.SigQualified {
		certs, err := w.svc.Certificates(ctx, q.me.OrgID, q.me.ID)
		if err != nil {
			return err
		}
		data.Certificates = certs
	}
	if data.Own && d.DepartmentID != "" {
		if depts, err := w.svc.Departments(ctx, d.OrgID); err == nil {
			data.Department = deptNames(depts)[d.DepartmentID]
		}
	}
	if d.State == paraph.DocDraft && data.CanManage {
		data.Editor = editor
		if data.Editor == nil {
			data.Editor = editorFrom(d)
		}
		page, err := w.svc.Members(ctx, core.MemberQuery{OrgID: d.OrgID, Limit: 200})
		if err != nil {
			return err
		}
		for _, m := range page.Members {
			if m.Status == paraph.MemberActive && paraph.Can(m, paraph.ActionSign, nil) == nil {
				data.Signers = append(data.Signers, m)
			}
		}
		if orgs, err := w.svc.Organizations(ctx); err == nil {
			for _, o := range orgs {
				if o.ID != d.OrgID {
					data.Others = append(data.Others, o)
				}
			}
		}
	}
	for _, name := range []string{"decline", "sig", "route"} {
		if f := q.form(name); f.Error != "" && data.Error == "" && name != "route" {
			data.OpenSign = name == "sig"
		}
	}
	return q.render(status, "document", data)
}

// turnOf is the signature kind the current stage asks of m, when m is one of
// its waiting signers (named, or a signer of the counterparty organization
// named). What to show only; core decides again.
// filledField is one requested field as its signer filled it in.
type filledField struct {
	Label, Kind, Value string
}

// filledFields pairs each signature's values with the labels its signer
// was asked them under, in the order asked.
func filledFields(d *paraph.Document, sigs []*store.SignatureRecord) map[string][]filledField {
	asked := map[string][]paraph.Field{}
	for _, st := range d.Stages {
		for _, sg := range st.Signers {
			asked[sg.ID] = sg.Fields
		}
	}
	out := map[string][]filledField{}
	for _, s := range sigs {
		for _, f := range asked[s.SignerID] {
			if v, ok := s.FieldValues[f.Name]; ok {
				out[s.ID] = append(out[s.ID], filledField{Label: f.Label, Kind: f.Kind, Value: v})
			}
		}
	}
	return out
}

func turnOf(d *paraph.Document, m *paraph.Member) (string, paraph.Signer) {
	if d.State != paraph.DocInProgress || d.CurrentStage >= len(d.Stages) {
		return "", paraph.Signer{}
	}
	st := d.Stages[d.CurrentStage]
	for _, sg := range st.Signers {
		if sg.State != paraph.SignerWaiting {
			continue
		}
		if sg.MemberID == m.ID || (sg.OrgID != "" && sg.OrgID == m.OrgID && paraph.Can(m, paraph.ActionSign, nil) == nil) {
			return st.Signature, sg
		}
	}
	return "", paraph.Signer{}
}

// refusedAction shows the page again with core's reason above it.
func (w *Web) refusedAction(q *request, err error) error {
	if paraph.ErrorCode(err) == paraph.EINTERNAL || paraph.ErrorReason(err) == "unauthenticated" {
		return err
	}
	q.form("action").Error = q.web.cat.errorText(q.lang, err)
	return w.showAgain(q, err)
}

// showAgain shows the document page, read afresh, with the status of the
// refusal its forms now explain.
func (w *Web) showAgain(q *request, err error) error {
	d, sigs, lerr := w.svc.Document(q.r.Context(), q.r.PathValue("doc"))
	if lerr != nil {
		return lerr
	}
	return w.showDocument(q, statusOf(err), d, sigs, nil)
}

// saveRoute runs the editor's buttons; "save" sets the route in core.
func (w *Web) saveRoute(q *request, d *paraph.Document, sigs []*store.SignatureRecord) error {
	e := editorPosted(q.r.PostForm)
	if e.apply(q.r.PostFormValue("op")) {
		return w.showDocument(q, http.StatusOK, d, sigs, e)
	}
	if _, err := w.svc.SetRoute(q.r.Context(), d.ID, e.stages()); err != nil {
		if code := paraph.ErrorCode(err); code == paraph.EINTERNAL || code == paraph.EUNAUTHORIZED {
			return err
		}
		e.place(paraph.AsError(err).Field, q.web.cat.errorText(q.lang, err))
		return w.showDocument(q, statusOf(err), d, sigs, e)
	}
	q.setFlash("flash.route_saved")
	return q.redirect("/documents/" + d.ID + "#route")
}

func (w *Web) sendDocument(q *request, _ *paraph.Document, _ []*store.SignatureRecord) error {
	if _, err := w.svc.Send(q.r.Context(), q.r.PathValue("doc")); err != nil {
		return w.refusedAction(q, err)
	}
	q.setFlash("flash.document_sent")
	return q.redirect("/documents/" + q.r.PathValue("doc"))
}

func (w *Web) revokeDocument(q *request, _ *paraph.Document, _ []*store.SignatureRecord) error {
	if _, err := w.svc.Revoke(q.r.Context(), q.r.PathValue("doc")); err != nil {
		return w.refusedAction(q, err)
	}
	q.setFlash("flash.document_revoked")
	return q.redirect("/documents/" + q.r.PathValue("doc"))
}

func (w *Web) declineDocument(q *request, _ *paraph.Document, _ []*store.SignatureRecord) error {
	f := q.posted("decline")
	if _, err := w.svc.Decline(q.r.Context(), q.r.PathValue("doc"), f.Get("comment")); err != nil {
		if err := f.failed(err); err != nil {
			return err
		}
		return w.showAgain(q, err)
	}
	q.setFlash("flash.document_declined")
	return q.redirect("/documents/" + q.r.PathValue("doc"))
}

// documentFile serves the original: a PDF inline, so the page can show it
// in a frame of its own origin (this response alone may be framed, by us
// only); any other type as a download, never rendered by the browser.
func (w *Web) documentFile(q *request) error {
	d, r, err := w.svc.OpenDocumentFile(q.r.Context(), q.r.PathValue("doc"))
	if err != nil {
		return err
	}
	defer r.Close()
	serveDocument(q, d, r)
	return nil
}

// finalFile serves the final PDF: the pages with the signature stamps and
// the signing protocol, sealed.
func (w *Web) finalFile(q *request) error {
	fin, r, err := w.svc.OpenFinal(q.r.Context(), q.r.PathValue("doc"))
	return serveFinal(q, fin, r, err, "/documents/"+q.r.PathValue("doc"))
}

// serveFinal serves an opened final PDF; while it is built (or before the
// document is complete) the person goes back to the page that says so.
func serveFinal(q *request, fin *core.FinalPDF, r io.ReadSeekCloser, err error, back string) error {
	if reason := paraph.ErrorReason(err); reason == "final_not_ready" || reason == "document_not_completed" {
		return q.redirect(back)
	}
	if err != nil {
		return err
	}
	defer r.Close()
	serveFile(q, fin.Name, "application/pdf", fin.SHA256, r)
	return nil
}

// signatureFile serves one stored signature as a detached .sig file.
func (w *Web) signatureFile(q *request, d *paraph.Document, sigs []*store.SignatureRecord) error {
	for i, s := range sigs {
		if s.ID != q.r.PathValue("sig") || len(s.CMS) == 0 {
			continue
		}
		h := q.w.Header()
		h.Set("Content-Type", "application/pkcs7-signature")
		name := paraph.SignatureFileName(d.FileName, i)
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
		h.Set("Cache-Control", "private, no-cache")
		_, err := q.w.Write(s.CMS)
		return err
	}
	return &paraph.Error{Code: paraph.ENOTFOUND, Reason: "not_found", Message: "Signature not found."}
}

// Size writes a file size for people.
func (v *view) Size(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " " + v.T("unit.mib")
	case n >= 1<<10:
		return strconv.FormatInt((n+512)>>10, 10) + " " + v.T("unit.kib")
	}
	return strconv.FormatInt(n, 10) + " " + v.T("unit.bytes")
}

// FunnelSteps are the funnel's steps in order.
func (v *view) FunnelSteps() []string {
	return []string{"draft", "waiting_us", "waiting_counterparty", "completed", "declined_or_revoked"}
}

// InDocuments reports whether the page belongs to the documents section.
func (v *view) InDocuments() bool {
	return v.OrgSection() == "/documents" || v.OrgSection() == "/funnel" || strings.HasPrefix(v.q.r.URL.Path, "/documents/")
}

// FieldKinds lists the kinds of requested fields, for the route editor.
func (v *view) FieldKinds() []string { return paraph.FieldKinds }

// Inc is i+1: stages are counted from one for people.
func (v *view) Inc(i int) int { return i + 1 }

// SignerName names the signer a signature belongs to.
func (v *view) SignerName(d *paraph.Document, signerID string) string {
	for _, st := range d.Stages {
		for _, sg := range st.Signers {
			if sg.ID == signerID {
				return sg.FullName
			}
		}
	}
	return "—"
}

// Indication is a signature's verification result as a badge: ETSI's
// passed, indeterminate or failed, with the sub-indication explained.
func (v *view) Indication(ind, sub string) badge {
	b := badge{Class: "badge-danger", Text: v.T("doc.indication." + ind)}
	switch ind {
	case "passed":
		b.Class = "badge-ok"
	case "indeterminate":
		b.Class = "badge-warn"
	case "":
		b.Text = v.T("doc.indication.unknown")
	}
	if sub != "" {
		b.Note = v.Reason(sub, sub)
	}
	return b
}
