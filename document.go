package paraph

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Document states.
const (
	DocDraft      = "draft"
	DocInProgress = "in_progress"
	DocCompleted  = "completed"
	DocDeclined   = "declined"
	DocRevoked    = "revoked"
)

// Document kinds.
var DocumentKinds = []string{"act", "invoice", "contract", "report", "other"}

// Route sides and signature kinds.
const (
	SideOwn          = "own"
	SideCounterparty = "counterparty"
	SigQualified     = "qualified"
	SigSimple        = "simple"
)

// Signer states.
const (
	SignerWaiting  = "waiting"
	SignerSigned   = "signed"
	SignerDeclined = "declined"
)

// Document is a file some people must sign, with its metadata and route.
type Document struct {
	ID                string
	OrgID             string
	OrgName           string // the organization's name when read, for display and messages
	AuthorMemberID    string
	AuthorName        string
	DepartmentID      string
	Title             string
	Kind              string
	Number            string
	Date              string // YYYY-MM-DD as written on the document, "" when none
	Amount            *int64 // minor units (kopecks)
	Currency          string
	CounterpartyOrgID string
	CounterpartyName  string
	Comment           string
	FileName          string
	ContentType       string
	SHA256            string
	Size              int64
	State             string
	CurrentStage      int
	DeclineComment    string
	CreatedAt         time.Time
	UpdatedAt         time.Time
	SentAt            time.Time
	FinishedAt        time.Time
	Stages            []Stage
}

// Stage is one step of a route.
type Stage struct {
	Index     int
	Side      string
	Signature string
	Signers   []Signer
}

// Signer is one person (or counterparty organization) who signs in a stage.
type Signer struct {
	ID       string
	Stage    int
	MemberID string // a member of the document's organization
	OrgID    string // a counterparty organization: any of its members with the right to sign
	FullName string // a person outside: name and contact
	Email    string
	Phone    string
	State    string
	SignedAt time.Time
	Fields   []Field // what the signer fills in when signing (simple signatures)
	Place    *Place  // where the signer's stamp goes on the final PDF; nil: the last page
}

// Place is where a signer's stamp goes on a PDF original's pages: Page
// counts from 1; X and Y are millimetres from the page's top-left corner to
// the stamp's. A place outside the original's pages falls back to the last
// page when the final PDF is made.
type Place struct {
	Page int     `json:"page"`
	X    float64 `json:"x"`
	Y    float64 `json:"y"`
}

// check keeps a place on a sheet of paper: 1 to 10 000 pages, 0 to 1 000 mm.
func (p *Place) check(at string) error {
	if p == nil {
		return nil
	}
	if p.Page < 1 || p.Page > 10000 {
		return Invalid(at+".page", "invalid_place_page", "The page counts from 1.")
	}
	if !(p.X >= 0 && p.X <= 1000) || !(p.Y >= 0 && p.Y <= 1000) {
		return Invalid(at, "invalid_place", "The stamp's position is in millimetres from the page's top-left corner, 0 to 1000.")
	}
	return nil
}

// Requested field kinds.
const (
	FieldText      = "text"
	FieldDate      = "date"
	FieldCheckbox  = "checkbox"
	FieldSignature = "signature" // the drawn or uploaded signature image
	FieldStamp     = "stamp"     // the stamp image
)

// FieldKinds lists the kinds of requested fields.
var FieldKinds = []string{FieldText, FieldDate, FieldCheckbox, FieldSignature, FieldStamp}

// Field is something a signer is asked to fill in when signing: a text
// (position, power of attorney number), a date, a checkbox ("I have read
// the terms"), or the signature or stamp image.
type Field struct {
	Name     string `json:"name"`
	Label    string `json:"label"`
	Kind     string `json:"kind"`
	Required bool   `json:"required"`
}

// SignatureFileName is the name the i-th signature (from 0) of a file goes
// by, downloaded or embedded in the final PDF: act.pdf.1.sig.
func SignatureFileName(fileName string, i int) string {
	return fileName + "." + itoa(i+1) + ".sig"
}

// DocumentMeta is what a person fills in about a document.
type DocumentMeta struct {
	Title            string
	Kind             string
	Number           string
	Date             string
	Amount           *int64
	Currency         string
	CounterpartyName string
	Comment          string
}

// NormalizeDocumentMeta checks and tidies a document's metadata.
func NormalizeDocumentMeta(m DocumentMeta) (DocumentMeta, error) {
	m.Title = strings.Join(strings.Fields(m.Title), " ")
	if m.Title == "" {
		return m, Invalid("title", "title_required", "Give the document a title.")
	}
	if utf8.RuneCountInString(m.Title) > 300 {
		return m, Invalid("title", "title_too_long", "The title is too long (300 characters at most).")
	}
	if m.Kind == "" {
		m.Kind = "other"
	}
	if !contains(DocumentKinds, m.Kind) {
		return m, Invalid("kind", "invalid_document_kind", "The kind is act, invoice, contract, report or other.")
	}
	m.Number = strings.TrimSpace(m.Number)
	if utf8.RuneCountInString(m.Number) > 100 {
		return m, Invalid("number", "number_too_long", "The number is too long (100 characters at most).")
	}
	if m.Date = strings.TrimSpace(m.Date); m.Date != "" {
		if _, err := time.Parse(time.DateOnly, m.Date); err != nil {
			return m, Invalid("date", "invalid_date", "Write the date as YYYY-MM-DD.")
		}
	}
	if m.Amount != nil && *m.Amount < 0 {
		return m, Invalid("amount", "invalid_amount", "The amount cannot be negative.")
	}
	m.Currency = strings.ToUpper(strings.TrimSpace(m.Currency))
	if m.Amount != nil && m.Currency == "" {
		m.Currency = "RUB"
	}
	if m.Currency != "" && !contains([]string{"RUB", "UAH", "BYN", "USD", "EUR", "KZT", "CNY"}, m.Currency) {
		return m, Invalid("currency", "invalid_currency", "The currency is RUB, UAH, BYN, USD, EUR, KZT or CNY.")
	}
	m.CounterpartyName = strings.Join(strings.Fields(m.CounterpartyName), " ")
	if utf8.RuneCountInString(m.CounterpartyName) > 300 {
		return m, Invalid("counterparty", "counterparty_too_long", "The counterparty's name is too long.")
	}
	if utf8.RuneCountInString(m.Comment) > 2000 {
		return m, Invalid("comment", "comment_too_long", "The comment is too long (2000 characters at most).")
	}
	return m, nil
}

// CheckRouteShape checks what a route must be before anyone looks at who
// the signers are: at least one stage, each with a side, a signature kind
// and at least one signer; own stages name members, counterparty stages an
// organization or people outside; a person outside has a name and an email
// or phone. (Whether each member may sign is core's question.)
func CheckRouteShape(stages []Stage) error {
	if len(stages) == 0 {
		return Invalid("stages", "route_empty", "Add at least one signer to the route.")
	}
	if len(stages) > 20 {
		return Invalid("stages", "route_too_long", "A route has 20 stages at most.")
	}
	for i, st := range stages {
		field := "stages[" + itoa(i) + "]"
		if st.Side != SideOwn && st.Side != SideCounterparty {
			return Invalid(field+".side", "invalid_side", "The side is own or counterparty.")
		}
		if st.Signature != SigQualified && st.Signature != SigSimple {
			return Invalid(field+".signature", "invalid_signature_kind", "The signature is qualified or simple.")
		}
		if len(st.Signers) == 0 {
			return Invalid(field+".signers", "stage_without_signers", "Every stage needs at least one signer.")
		}
		if len(st.Signers) > 50 {
			return Invalid(field+".signers", "stage_too_many_signers", "A stage has 50 signers at most.")
		}
		for j, sg := range st.Signers {
			sf := field + ".signers[" + itoa(j) + "]"
			n := 0
			for _, v := range []string{sg.MemberID, sg.OrgID, sg.Email + sg.Phone} {
				if v != "" {
					n++
				}
			}
			switch {
			case n != 1:
				return Invalid(sf, "signer_ambiguous", "A signer is a member, an organization, or a person outside with an email or phone — exactly one.")
			case st.Side == SideOwn && sg.MemberID == "":
				return Invalid(sf, "own_signer_not_member", "Our side's signers are members of the organization.")
			case st.Side == SideCounterparty && sg.MemberID != "":
				return Invalid(sf, "counterparty_signer_is_member", "The counterparty's signers are another organization or people outside.")
			case sg.MemberID == "" && sg.OrgID == "" && strings.TrimSpace(sg.FullName) == "":
				return Invalid(sf+".full_name", "signer_name_required", "Give the outside signer's full name.")
			}
			if err := checkFields(sg.Fields, st.Signature, sf+".fields"); err != nil {
				return err
			}
			if err := sg.Place.check(sf + ".place"); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkFields checks a signer's requested fields: a known kind, a name
// made of lower-case letters, digits and underscores, unique for the
// signer, and a label. They are filled with a simple signature; a qualified
// signature signs the file exactly as sent, so nothing is filled in then.
func checkFields(fields []Field, signature, at string) error {
	if len(fields) == 0 {
		return nil
	}
	if signature != SigSimple {
		return Invalid(at, "fields_need_simple_signature", "Requested fields are filled in with a simple signature; a qualified signature signs the file exactly as sent.")
	}
	if len(fields) > 20 {
		return Invalid(at, "too_many_fields", "A signer is asked for 20 fields at most.")
	}
	seen := map[string]bool{}
	for i, f := range fields {
		ff := at + "[" + itoa(i) + "]"
		if !contains(FieldKinds, f.Kind) {
			return Invalid(ff+".kind", "invalid_field_kind", "A field is text, date, checkbox, signature or stamp.")
		}
		if !validFieldName(f.Name) {
			return Invalid(ff+".name", "invalid_field_name", "A field's name is 1–40 lower-case Latin letters, digits or underscores.")
		}
		if seen[f.Name] {
			return Invalid(ff+".name", "duplicate_field", "Two fields of one signer have the same name.")
		}
		seen[f.Name] = true
		if l := strings.TrimSpace(f.Label); l == "" || utf8.RuneCountInString(l) > 200 {
			return Invalid(ff+".label", "field_label_required", "Give the field a label of at most 200 characters.")
		}
	}
	return nil
}

func validFieldName(n string) bool {
	if n == "" || len(n) > 40 {
		return false
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// FillFields checks what a signer filled in against what they were asked:
// every required field present, dates as YYYY-MM-DD, checkboxes "true" or
// "false", texts up to 1000 characters, nothing that was not asked. The
// images (signature, stamp) come separately: hasStamp says whether a stamp
// was given. It returns the values to keep, tidied.
func FillFields(fields []Field, values map[string]string, hasStamp bool) (map[string]string, error) {
	asked := map[string]bool{}
	out := map[string]string{}
	for _, f := range fields {
		asked[f.Name] = true
		v := strings.TrimSpace(values[f.Name])
		at := "fields." + f.Name
		switch f.Kind {
		case FieldSignature:
			continue // the signature image is always required with a simple signature
		case FieldStamp:
			if f.Required && !hasStamp {
				return nil, Invalid("stamp", "stamp_required", "Upload the stamp: "+f.Label+".")
			}
			continue
		case FieldCheckbox:
			switch v {
			case "", "false", "off":
				v = "false"
			case "true", "on":
				v = "true"
			default:
				return nil, Invalid(at, "invalid_checkbox", f.Label+": the value is true or false.")
			}
			if f.Required && v != "true" {
				return nil, Invalid(at, "checkbox_required", "Tick “"+f.Label+"”.")
			}
		case FieldDate:
			if v != "" {
				if _, err := time.Parse(time.DateOnly, v); err != nil {
					return nil, Invalid(at, "invalid_date", f.Label+": write the date as YYYY-MM-DD.")
				}
			}
		case FieldText:
			if utf8.RuneCountInString(v) > 1000 {
				return nil, Invalid(at, "field_too_long", f.Label+": 1000 characters at most.")
			}
		}
		if f.Required && v == "" {
			return nil, Invalid(at, "field_required", "Fill in “"+f.Label+"”.")
		}
		if v != "" {
			out[f.Name] = v
		}
	}
	for k := range values {
		if !asked[k] {
			return nil, Invalid("fields."+k, "unknown_field", "The signer was not asked for “"+k+"”.")
		}
	}
	return out, nil
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// FunnelStep places a document on the funnel from its organization's point
// of view: draft, waiting for us, waiting for the counterparty, completed,
// declined or revoked.
func FunnelStep(d *Document) string {
	switch d.State {
	case DocDraft, DocCompleted:
		return d.State
	case DocDeclined, DocRevoked:
		return "declined_or_revoked"
	}
	if d.CurrentStage < len(d.Stages) && d.Stages[d.CurrentStage].Side == SideCounterparty {
		return "waiting_counterparty"
	}
	return "waiting_us"
}
