package web

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"paraph"
)

// The route editor works without JavaScript: the whole route being edited
// travels in the form (stages[i].side, stages[i].signers[j].member_id, …,
// the names core uses for its errors), and each button — add a stage, add a
// signer, remove one, save — posts it back. Only "save" calls core; the
// others redraw the editor with one row more or less.

type routeEditor struct {
	Stages []stageForm
	Error  string
}

type stageForm struct {
	Side, Signature string
	Signers         []signerForm
	Error           string
}

// signerForm is one signer row: a member of ours, a counterparty
// organization on this instance, or a person outside.
type signerForm struct {
	Kind                                     string // member, org, person
	MemberID, OrgID, FullName, Email, Phone  string
	Fields                                   []fieldForm // asked of the signer (simple signatures)
	PlacePage, PlaceX, PlaceY                string      // where the stamp goes on the signed PDF; all empty: the last page
	Error, NameError, EmailError, PhoneError string
	PlaceError                               string
}

// place reads the stamp's position: nil when left empty. A number that does
// not parse is kept out of range, so core says what is wrong with it.
func (r signerForm) place() *paraph.Place {
	page, x, y := strings.TrimSpace(r.PlacePage), strings.TrimSpace(r.PlaceX), strings.TrimSpace(r.PlaceY)
	if page == "" && x == "" && y == "" {
		return nil
	}
	num := func(s string) float64 {
		f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
		if err != nil || s == "" {
			return -1
		}
		return f
	}
	p := &paraph.Place{X: num(x), Y: num(y)}
	if n, err := strconv.Atoi(page); err == nil {
		p.Page = n
	}
	return p
}

// placeForm shows a saved position in the editor.
func placeForm(row *signerForm, p *paraph.Place) {
	if p == nil {
		return
	}
	row.PlacePage = strconv.Itoa(p.Page)
	row.PlaceX = strconv.FormatFloat(p.X, 'f', -1, 64)
	row.PlaceY = strconv.FormatFloat(p.Y, 'f', -1, 64)
}

// fieldForm is one requested field row. Its name is kept when the route
// came with one (the API lets authors choose names); a new row gets the
// next free field_N, since a person thinks in labels, not names.
type fieldForm struct {
	Name, Label, Kind string
	Required          bool
	Error             string
}

// fieldsOf turns the rows into core's fields, naming new rows.
func fieldsOf(rows []fieldForm) []paraph.Field {
	used := map[string]bool{}
	for _, r := range rows {
		used[r.Name] = true
	}
	var out []paraph.Field
	n := 0
	for _, r := range rows {
		name := r.Name
		for name == "" {
			n++
			if c := "field_" + strconv.Itoa(n); !used[c] {
				name, used[c] = c, true
			}
		}
		out = append(out, paraph.Field{Name: name, Label: strings.TrimSpace(r.Label), Kind: r.Kind, Required: r.Required})
	}
	return out
}

// editorFrom starts the editor from a draft's saved route, or with one
// stage of ours with one empty signer row.
func editorFrom(d *paraph.Document) *routeEditor {
	e := &routeEditor{}
	for _, st := range d.Stages {
		sf := stageForm{Side: st.Side, Signature: st.Signature}
		for _, sg := range st.Signers {
			row := signerForm{MemberID: sg.MemberID, OrgID: sg.OrgID, FullName: sg.FullName, Email: sg.Email, Phone: sg.Phone}
			for _, f := range sg.Fields {
				row.Fields = append(row.Fields, fieldForm{Name: f.Name, Label: f.Label, Kind: f.Kind, Required: f.Required})
			}
			placeForm(&row, sg.Place)
			switch {
			case sg.MemberID != "":
				row.Kind = "member"
			case sg.OrgID != "":
				row.Kind = "org"
			default:
				row.Kind = "person"
			}
			sf.Signers = append(sf.Signers, row)
		}
		e.Stages = append(e.Stages, sf)
	}
	if len(e.Stages) == 0 {
		e.Stages = []stageForm{newStage(paraph.SideOwn)}
	}
	return e
}

func newStage(side string) stageForm {
	kind := "member"
	if side == paraph.SideCounterparty {
		kind = "org"
	}
	return stageForm{Side: side, Signature: paraph.SigQualified, Signers: []signerForm{{Kind: kind}}}
}

// editorPosted reads the editor back from a posted form; counts are capped
// at what core accepts, plus one, so core still says "too many".
func editorPosted(v url.Values) *routeEditor {
	e := &routeEditor{}
	n := min(atoi(v.Get("stages")), 21)
	for i := range n {
		p := "stages[" + strconv.Itoa(i) + "]"
		sf := stageForm{Side: v.Get(p + ".side"), Signature: v.Get(p + ".signature")}
		m := min(atoi(v.Get(p+".signers")), 51)
		for j := range m {
			q := p + ".signers[" + strconv.Itoa(j) + "]"
			row := signerForm{Kind: v.Get(q + ".kind"), MemberID: v.Get(q + ".member_id"),
				OrgID: strings.TrimSpace(v.Get(q + ".org_id")), FullName: v.Get(q + ".full_name"), Email: v.Get(q + ".email"),
				Phone: v.Get(q + ".phone"), PlacePage: v.Get(q + ".place.page"), PlaceX: v.Get(q + ".place.x"), PlaceY: v.Get(q + ".place.y")}
			for k := range min(atoi(v.Get(q+".fields")), 21) {
				r := q + ".fields[" + strconv.Itoa(k) + "]"
				row.Fields = append(row.Fields, fieldForm{Name: v.Get(r + ".name"), Label: v.Get(r + ".label"), Kind: v.Get(r + ".kind"),
					Required: v.Get(r+".required") != ""})
			}
			sf.Signers = append(sf.Signers, row)
		}
		e.Stages = append(e.Stages, sf)
	}
	return e
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// apply runs a button that only changes the editor: add_own, add_counterparty,
// add_member:i, add_org:i, add_person:i, remove_signer:i:j, remove_stage:i,
// add_field:i:j, remove_field:i:j:k.
// It reports false for anything else (save).
func (e *routeEditor) apply(op string) bool {
	parts := strings.Split(op, ":")
	idx := func(k int) int {
		if k >= len(parts) {
			return -1
		}
		n, err := strconv.Atoi(parts[k])
		if err != nil {
			return -1
		}
		return n
	}
	i := idx(1)
	okStage := i >= 0 && i < len(e.Stages)
	switch parts[0] {
	case "add_own":
		e.Stages = append(e.Stages, newStage(paraph.SideOwn))
	case "add_counterparty":
		e.Stages = append(e.Stages, newStage(paraph.SideCounterparty))
	case "add_member", "add_org", "add_person":
		if okStage {
			e.Stages[i].Signers = append(e.Stages[i].Signers, signerForm{Kind: strings.TrimPrefix(parts[0], "add_")})
		}
	case "remove_signer":
		if j := idx(2); okStage && j >= 0 && j < len(e.Stages[i].Signers) {
			e.Stages[i].Signers = append(e.Stages[i].Signers[:j], e.Stages[i].Signers[j+1:]...)
		}
	case "add_field":
		if j := idx(2); okStage && j >= 0 && j < len(e.Stages[i].Signers) {
			row := &e.Stages[i].Signers[j]
			row.Fields = append(row.Fields, fieldForm{Kind: paraph.FieldText, Required: true})
		}
	case "remove_field":
		if j, k := idx(2), idx(3); okStage && j >= 0 && j < len(e.Stages[i].Signers) && k >= 0 && k < len(e.Stages[i].Signers[j].Fields) {
			f := e.Stages[i].Signers[j].Fields
			e.Stages[i].Signers[j].Fields = append(f[:k], f[k+1:]...)
		}
	case "remove_stage":
		if okStage {
			e.Stages = append(e.Stages[:i], e.Stages[i+1:]...)
		}
	default:
		return false
	}
	return true
}

// stages is the route to give core.
func (e *routeEditor) stages() []paraph.Stage {
	out := make([]paraph.Stage, 0, len(e.Stages))
	for _, sf := range e.Stages {
		st := paraph.Stage{Side: sf.Side, Signature: sf.Signature, Signers: []paraph.Signer{}}
		for _, row := range sf.Signers {
			switch row.Kind {
			case "member":
				st.Signers = append(st.Signers, paraph.Signer{MemberID: row.MemberID})
			case "org":
				st.Signers = append(st.Signers, paraph.Signer{OrgID: row.OrgID})
			default:
				st.Signers = append(st.Signers, paraph.Signer{FullName: row.FullName, Email: strings.TrimSpace(row.Email),
					Phone: strings.TrimSpace(row.Phone)})
			}
			st.Signers[len(st.Signers)-1].Fields = fieldsOf(row.Fields)
			st.Signers[len(st.Signers)-1].Place = row.place()
		}
		out = append(out, st)
	}
	return out
}

var routeFieldRe = regexp.MustCompile(`^stages\[(\d+)\](?:\.(side|signature|signers)(?:\[(\d+)\](?:\.(full_name|email|phone|fields|place)(?:\[(\d+)\])?(?:\.\w+)?)?)?)?$`)

// place puts core's message next to the stage or signer row its field names,
// or above the editor.
func (e *routeEditor) place(field, msg string) {
	m := routeFieldRe.FindStringSubmatch(field)
	if m == nil {
		e.Error = msg
		return
	}
	i := atoi(m[1])
	if i >= len(e.Stages) {
		e.Error = msg
		return
	}
	st := &e.Stages[i]
	if m[3] == "" {
		st.Error = msg
		return
	}
	j := atoi(m[3])
	if j >= len(st.Signers) {
		st.Error = msg
		return
	}
	row := &st.Signers[j]
	switch m[4] {
	case "full_name":
		row.NameError = msg
	case "email":
		row.EmailError = msg
	case "phone":
		row.PhoneError = msg
	case "place":
		row.PlaceError = msg
	case "fields":
		if k := m[5]; k != "" && atoi(k) < len(row.Fields) {
			row.Fields[atoi(k)].Error = msg
		} else {
			row.Error = msg
		}
	default:
		row.Error = msg
	}
}

// Name is the input name of a stage's field (i, field) or of a signer's
// (i, j, field), as core names it in its errors.
func (e *routeEditor) Name(i int, rest ...any) string {
	s := "stages[" + strconv.Itoa(i) + "]"
	if len(rest) == 1 {
		return s + "." + rest[0].(string)
	}
	if len(rest) == 2 {
		return s + ".signers[" + strconv.Itoa(rest[0].(int)) + "]." + rest[1].(string)
	}
	if len(rest) == 3 {
		return s + ".signers[" + strconv.Itoa(rest[0].(int)) + "].fields[" + strconv.Itoa(rest[1].(int)) + "]." + rest[2].(string)
	}
	return s
}

// ID is an HTML id for the same.
func (e *routeEditor) ID(i int, rest ...any) string {
	return "route-" + strings.NewReplacer("[", "-", "]", "", ".", "-").Replace(e.Name(i, rest...))
}
