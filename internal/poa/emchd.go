package poa

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"paraph"
)

// mapper turns the element tree into a PowerOfAttorney, checking as it goes.
// Its error is sticky: the first failure is kept and later calls return zero
// values, so the mapping reads as a description of the schema rather than
// as a ladder of error checks.
type mapper struct {
	err *Error
}

// fail records the first error, about n's child or attribute rest (or n
// itself when rest is empty). The path is built only here: building it for
// every value read would cost a scan of the siblings each time, quadratic
// in a file with thousands of them.
func (m *mapper) fail(n *node, rest, reason, msg string) {
	if m.err == nil {
		m.err = &Error{Path: join(n, rest), Reason: reason, Message: msg, Err: ErrInvalid}
	}
}

func join(n *node, rest string) string {
	p := pathOf(n)
	switch {
	case rest == "":
		return p
	case p == "":
		return rest
	}
	return p + "/" + rest
}

// one returns the single child name of n; a missing or repeated one fails
// when required. Optional ones may be nil.
func (m *mapper) one(n *node, name string, required bool) *node {
	if n == nil || m.err != nil {
		return nil
	}
	ks := kids(n, name)
	switch {
	case len(ks) == 0 && required:
		m.fail(n, name, ReasonMissing, "the required element is missing")
		return nil
	case len(ks) > 1:
		m.fail(n, name, ReasonDuplicate, fmt.Sprintf("the element appears %d times; EMCHD_1 allows it once", len(ks)))
		return nil
	case len(ks) == 0:
		return nil
	}
	return ks[0]
}

// many returns the children name of n, at least one when required.
func (m *mapper) many(n *node, name string, required bool) []*node {
	if n == nil || m.err != nil {
		return nil
	}
	ks := kids(n, name)
	if len(ks) == 0 && required {
		m.fail(n, name, ReasonMissing, "the required element is missing")
	}
	return ks
}

// str reads an attribute of 1…max characters, as the schema's string types.
func (m *mapper) str(n *node, name string, required bool, max int) string {
	if n == nil || m.err != nil {
		return ""
	}
	v, ok := attr(n, name)
	return m.checkStr(n, "@"+name, v, ok, required, max)
}

// text reads an element's text of 1…max characters.
func (m *mapper) text(n *node, max int) string {
	if n == nil || m.err != nil {
		return ""
	}
	return m.checkStr(n, "", strings.TrimSpace(string(n.text)), true, true, max)
}

func (m *mapper) checkStr(n *node, rest, v string, present, required bool, max int) string {
	switch {
	case !present && required:
		m.fail(n, rest, ReasonMissing, "the required attribute is missing")
	case present && v == "":
		m.fail(n, rest, ReasonEmpty, "the value is empty")
	case utf8.RuneCountInString(v) > max:
		m.fail(n, rest, ReasonTooLong, fmt.Sprintf("the value is longer than %d characters", max))
	default:
		return v
	}
	return ""
}

// enum reads an attribute that must be one of values.
func (m *mapper) enum(n *node, name string, required bool, values ...string) string {
	v := m.str(n, name, required, 10)
	if v == "" {
		return ""
	}
	for _, ok := range values {
		if v == ok {
			return v
		}
	}
	m.fail(n, "@"+name, ReasonBadValue, fmt.Sprintf("%q is not one of %s", v, strings.Join(values, ", ")))
	return ""
}

// date reads an xs:date: YYYY-MM-DD, optionally with a time zone, which is
// dropped — a power of attorney's dates are calendar days.
func (m *mapper) date(n *node, name string, required bool) time.Time {
	v := m.str(n, name, required, 40)
	if v == "" {
		return time.Time{}
	}
	day := v
	if len(v) > 10 {
		day = v[:10]
		if z := v[10:]; z != "Z" && !(len(z) == 6 && (z[0] == '+' || z[0] == '-') && z[3] == ':') {
			day = "" // not a zone suffix
		}
	}
	t, err := time.Parse(time.DateOnly, day)
	if err != nil || t.Year() < 1900 || t.Year() > 2100 {
		m.fail(n, "@"+name, ReasonBadDate, fmt.Sprintf("%q is not a date (YYYY-MM-DD, 1900–2100)", clip(v, 40)))
		return time.Time{}
	}
	return t
}

// ident reads an identifier attribute and checks it with one of the paraph
// package's checks; its reason (invalid_inn_checksum, …) is kept.
func (m *mapper) ident(n *node, name string, required bool, check func(string) error) string {
	v := m.str(n, name, required, 20)
	if v == "" {
		return ""
	}
	if err := check(v); err != nil {
		reason, msg := ReasonBadValue, err.Error()
		var pe *paraph.Error
		if errors.As(err, &pe) {
			reason, msg = pe.Reason, pe.Message
		}
		m.fail(n, "@"+name, reason, strings.TrimSuffix(lowerFirst(msg), "."))
		return ""
	}
	return v
}

func (m *mapper) snils(n *node, name string, required bool) string {
	var out string
	m.ident(n, name, required, func(s string) error {
		var err error
		out, err = paraph.NormalizeSNILS(s)
		return err
	})
	return out
}

func lowerFirst(s string) string {
	if s != "" && s[0] >= 'A' && s[0] <= 'Z' && !(len(s) > 1 && s[1] >= 'A' && s[1] <= 'Z') {
		return string(s[0]+'a'-'A') + s[1:]
	}
	return s
}

// guid checks the registration number form: 8-4-4-4-12 hex digits.
func (m *mapper) guid(n *node, name string, required bool) string {
	v := m.str(n, name, required, 36)
	if v == "" {
		return ""
	}
	ok := len(v) == 36
	for i := 0; ok && i < len(v); i++ {
		c := v[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			ok = c == '-'
		} else {
			ok = c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
		}
	}
	if !ok {
		m.fail(n, "@"+name, ReasonBadNumber, fmt.Sprintf("%q is not a registration number (a GUID like 1b0c9e4e-…)", clip(v, 40)))
		return ""
	}
	return strings.ToLower(v)
}

// document maps the root element Доверенность.
func (m *mapper) document(root *node) *PowerOfAttorney {
	p := &PowerOfAttorney{}
	p.FileID = m.str(root, "ИдФайл", true, 255)
	if v := m.str(root, "ПрЭлФорм", true, 8); v != "" && (len(v) != 8 || strings.Trim(v, "01") != "") {
		m.fail(root, "@ПрЭлФорм", ReasonBadValue, "must be 8 characters, each 0 or 1")
	}
	doc := m.one(root, "Документ", true)
	if doc == nil {
		return p
	}
	dover, transfer := m.one(doc, "Довер", false), m.one(doc, "Передов", false)
	switch {
	case m.err != nil:
	case dover != nil && transfer != nil:
		m.fail(doc, "", ReasonDuplicate, "both Довер and Передов: EMCHD_1 allows one of them")
	case dover != nil:
		m.details(p, m.one(dover, "СвДов", true))
		for _, n := range m.many(dover, "СвДоверит", true) {
			p.Principals = append(p.Principals, m.principal(n))
		}
		for _, n := range m.many(dover, "СвУпПред", true) {
			p.Representatives = append(p.Representatives, m.representative(n))
		}
		m.powers(p, m.one(dover, "СвПолн", true))
	case transfer != nil:
		m.substitution(p, transfer)
	default:
		m.fail(doc, "Довер", ReasonMissing, "the required element is missing (Довер, or Передов for a transfer)")
	}
	if m.err != nil {
		return nil
	}
	return p
}

// details maps СвДовТип: СвДов, or СвПереДовер in a transfer.
func (m *mapper) details(p *PowerOfAttorney, n *node) {
	if n == nil {
		return
	}
	p.Number = m.guid(n, "НомДовер", true)
	p.InternalNumber = m.str(n, "ВнНомДовер", true, 50)
	p.IssuedOn = m.date(n, "ДатаВыдДовер", true)
	p.ValidUntil = m.date(n, "СрокДейст", true)
	if m.err == nil && p.ValidUntil.Before(p.IssuedOn) {
		m.fail(n, "@СрокДейст", ReasonDateOrder, "the end date is before the issue date (@ДатаВыдДовер)")
	}
	kind := m.enum(n, "ВидДовер", true, "1", "2")
	irrevocable := m.one(n, "Безотзыв", false)
	if irrevocable != nil {
		m.enum(irrevocable, "ПрПерБезДов", true, "1", "2")
		m.enum(irrevocable, "УслОтзыва", true, "1", "2")
	}
	p.Revocable = kind == "1" && irrevocable == nil
	switch m.enum(n, "ПрПередов", true, "1", "2", "3") {
	case "1":
		p.Transfer = TransferNone
	case "2":
		p.Transfer = TransferOnce
	case "3":
		p.Transfer = TransferRepeated
	}
	p.Transferable = p.Transfer == TransferOnce || p.Transfer == TransferRepeated
	p.InfoSystem = m.text(m.one(n, "СведСист", true), 1000)
}

// principal maps СвДоверит: the kind from @ТипДоверит and the one element of
// Доверит that kind calls for.
func (m *mapper) principal(n *node) Principal {
	typ := m.enum(n, "ТипДоверит", true, "1", "2", "3", "4")
	d := m.one(n, "Доверит", true)
	switch m.only(d, typ, "РосОргДовер", "ИнОргДовер", "ИПДовер", "ФЛДовер") {
	case "РосОргДовер":
		return m.legal(m.one(d, "РосОргДовер", true))
	case "ИнОргДовер":
		return m.foreign(m.one(d, "ИнОргДовер", true))
	case "ИПДовер":
		return m.entrepreneurPrincipal(m.one(d, "ИПДовер", true))
	case "ФЛДовер":
		return m.personPrincipal(m.one(d, "ФЛДовер", true))
	}
	return Principal{}
}

// only checks that parent has exactly one of the elements names and that it
// is the one the type code (1-based into names) announces, and returns it.
func (m *mapper) only(parent *node, code string, names ...string) string {
	if parent == nil || m.err != nil || code == "" {
		return ""
	}
	var present []string
	for _, name := range names {
		if len(kids(parent, name)) > 0 {
			present = append(present, name)
		}
	}
	want := names[code[0]-'1']
	switch {
	case len(present) == 0:
		m.fail(parent, want, ReasonMissing, "the required element is missing")
	case len(present) > 1:
		m.fail(parent, "", ReasonDuplicate, "more than one of "+strings.Join(present, ", ")+": expected only "+want)
	case present[0] != want:
		m.fail(parent, present[0], ReasonMismatch,
			fmt.Sprintf("the type code %s of the parent calls for %s, not %s", code, want, present[0]))
	default:
		return want
	}
	return ""
}

// org maps СвОргТип.
func (m *mapper) org(n *node) Organization {
	return Organization{
		Name: m.str(n, "НаимОрг", true, 1000),
		INN:  m.ident(n, "ИННЮЛ", false, paraph.CheckINNLegal),
		KPP:  m.ident(n, "КПП", true, paraph.CheckKPP),
		OGRN: m.ident(n, "ОГРН", false, paraph.CheckOGRN),
	}
}

// foreignOrg maps СвИнОргТип.
func (m *mapper) foreignOrg(n *node) Organization {
	return Organization{
		Name: m.str(n, "НаимИО", true, 1000),
		INN:  m.ident(n, "ИННЮЛ", false, paraph.CheckINNLegal),
		KPP:  m.ident(n, "КПП", false, paraph.CheckKPP),
	}
}

// legal maps РосОргДоверТип: the organization and the persons acting for it
// without a power of attorney (ЛицоБезДов).
func (m *mapper) legal(n *node) Principal {
	if n == nil {
		return Principal{}
	}
	for _, flag := range []string{"ЕИОУК", "ЕИОФЛ", "ЕИОИП"} {
		m.enum(n, flag, true, "0", "1")
	}
	o := m.org(m.one(n, "СвРосОрг", true))
	pr := Principal{Kind: KindLegal, Name: o.Name, INN: o.INN, KPP: o.KPP, OGRN: o.OGRN}
	for _, h := range m.many(n, "ЛицоБезДов", true) {
		pr.Heads = append(pr.Heads, m.heads(h)...)
	}
	return pr
}

// heads maps ЛицоБезДовТип: a person (СвФЛ), an entrepreneur (СвИП), or a
// management company (СВЮЛ) through its own people (СвФЛ), who are the ones
// that sign.
func (m *mapper) heads(n *node) []Person {
	m.enum(n, "ПолнЮЛ", true, "1", "2")
	var out []Person
	if uk := m.one(n, "СВЮЛ", false); uk != nil {
		m.org(m.one(uk, "СвЮЛЕИО", true))
		for _, f := range m.many(uk, "СвФЛ", true) {
			out = append(out, m.person(f))
		}
	}
	if f := m.one(n, "СвФЛ", false); f != nil {
		out = append(out, m.person(f))
	}
	if ip := m.one(n, "СвИП", false); ip != nil {
		out = append(out, *m.entrepreneur(ip).Person)
	}
	if len(out) == 0 && m.err == nil {
		m.fail(n, "СвФЛ", ReasonMissing, "the required element is missing (СвФЛ, СвИП or СВЮЛ)")
	}
	return out
}

// foreign maps ИнОргДоверТип.
func (m *mapper) foreign(n *node) Principal {
	o := m.foreignOrg(m.one(n, "СвИнОрг", true))
	pr := Principal{Kind: KindForeignLegal, Name: o.Name, INN: o.INN, KPP: o.KPP}
	for _, h := range m.many(n, "СвРукОП", true) {
		pr.Heads = append(pr.Heads, m.person(h))
	}
	return pr
}

// person maps СвФЛТип: a person with optional INN, SNILS and position.
func (m *mapper) person(n *node) Person {
	p := m.individual(m.one(n, "СведФЛ", true))
	p.INN = m.ident(n, "ИННФЛ", false, paraph.CheckINNPerson)
	p.SNILS = m.snils(n, "СНИЛС", false)
	p.Position = m.str(n, "Должность", false, 255)
	return p
}

// individual maps СведФЛТип: the name and the birth date.
func (m *mapper) individual(n *node) Person {
	fio := m.one(n, "ФИО", true)
	return Person{
		Name: FullName{
			Last:   m.str(fio, "Фамилия", true, 200),
			First:  m.str(fio, "Имя", true, 200),
			Middle: m.str(fio, "Отчество", false, 200),
		},
		BirthDate: m.date(n, "ДатаРожд", false),
	}
}

// entrepreneur maps СведИПТип.
func (m *mapper) entrepreneur(n *node) Representative {
	p := m.individual(m.one(n, "СведФЛ", true))
	p.INN = m.ident(n, "ИННФЛ", true, paraph.CheckINNPerson)
	p.SNILS = m.snils(n, "СНИЛС", true)
	o := &Organization{
		Name: m.str(n, "НаимИП", false, 1000),
		INN:  p.INN,
		OGRN: m.ident(n, "ОГРНИП", true, paraph.CheckOGRNIP),
	}
	if o.Name == "" {
		o.Name = p.Name.String()
	}
	return Representative{Kind: KindIndividualEntrepreneur, Person: &p, Organization: o}
}

func (m *mapper) entrepreneurPrincipal(n *node) Principal {
	r := m.entrepreneur(n)
	return Principal{Kind: KindIndividualEntrepreneur, Name: r.Organization.Name, INN: r.Person.INN,
		OGRN: r.Organization.OGRN, SNILS: r.Person.SNILS, Heads: []Person{*r.Person}}
}

// personPrincipal maps ФЛДоверТип.
func (m *mapper) personPrincipal(n *node) Principal {
	p := m.individual(m.one(n, "СведФЛ", true))
	p.INN = m.ident(n, "ИННФЛ", false, paraph.CheckINNPerson)
	p.SNILS = m.snils(n, "СНИЛС", true)
	return Principal{Kind: KindPerson, Name: p.Name.String(), INN: p.INN, SNILS: p.SNILS, Heads: []Person{p}}
}

// representative maps СвУпПредТип.
func (m *mapper) representative(n *node) Representative {
	typ := m.enum(n, "ТипПред", true, "1", "2", "3", "4", "5")
	pred := m.one(n, "Пред", true)
	switch m.only(pred, typ, "СведОрг", "СведИП", "СведФизЛ", "СведФилиал", "СведИО") {
	case "СведОрг":
		o := m.org(m.one(pred, "СведОрг", true))
		return Representative{Kind: KindLegal, Organization: &o}
	case "СведИП":
		return m.entrepreneur(m.one(pred, "СведИП", true))
	case "СведФизЛ":
		p := m.person(m.one(pred, "СведФизЛ", true))
		return Representative{Kind: KindPerson, Person: &p}
	case "СведФилиал":
		o := m.org(m.one(pred, "СведФилиал", true))
		return Representative{Kind: KindBranch, Organization: &o}
	case "СведИО":
		o := m.foreignOrg(m.one(pred, "СведИО", true))
		return Representative{Kind: KindForeignBranch, Organization: &o}
	}
	return Representative{}
}

// powers maps СвПолнТип. The schema lets both ТекстПолн and МашПолн be
// absent; a power of attorney without powers authorizes nothing, so that is
// refused here.
func (m *mapper) powers(p *PowerOfAttorney, n *node) {
	if n == nil {
		return
	}
	m.enum(n, "ТипПолн", true, "0", "1")
	p.Joint = m.enum(n, "ПрСовмПолн", true, "1", "2") == "2"
	p.LostOnTransfer = m.enum(n, "ПрУтрПолн", false, "1", "2") == "1"
	for _, mp := range m.many(n, "МашПолн", false) {
		pw := Power{
			Code:     m.str(mp, "КодПолн", true, 255),
			Mnemonic: m.str(mp, "МнПолн", false, 255),
			Name:     m.str(mp, "НаимПолн", true, 255),
		}
		for _, r := range m.many(mp, "ОгрСвПолн", false) {
			pw.Restrictions = append(pw.Restrictions, m.restriction(r))
		}
		p.Powers = append(p.Powers, pw)
	}
	if t := m.one(n, "ТекстПолн", false); t != nil {
		p.Powers = append(p.Powers, Power{Name: m.text(t, 10000)})
	}
	if len(p.Powers) == 0 && m.err == nil {
		m.fail(n, "МашПолн", ReasonNoPowers, "no powers: neither МашПолн nor ТекстПолн")
	}
}

// restriction maps ОгрСвПолн: a code and a value, either a classifier code
// (КодЗначОгр) or text (ТексЗначОгр).
func (m *mapper) restriction(n *node) Restriction {
	if id := m.str(n, "ИдОгр", true, 3); id != "" && strings.Trim(id, "0123456789") != "" {
		m.fail(n, "@ИдОгр", ReasonBadValue, "must be a number from 1 to 999")
	}
	r := Restriction{
		Code:  m.str(n, "КодОгр", true, 255),
		Name:  m.str(n, "НаимОгр", true, 255),
		Value: m.str(n, "НаимЗначОгр", false, 255),
	}
	code, text := m.one(n, "КодЗначОгр", false), m.one(n, "ТексЗначОгр", false)
	switch {
	case code != nil && text != nil:
		m.fail(n, "", ReasonDuplicate, "both КодЗначОгр and ТексЗначОгр: EMCHD_1 allows one of them")
	case code != nil:
		r.ValueCode = m.text(code, 255)
	case text != nil:
		r.Value = m.text(text, 255)
	default:
		m.fail(n, "КодЗначОгр", ReasonMissing, "the required element is missing (КодЗначОгр or ТексЗначОгр)")
	}
	return r
}

// substitution maps Передов, a power of attorney given by transfer: its own
// details (СвПереДовер), the original's principals (СвПервДовер/СвДоверПерв),
// who passed the powers on (СвПередПолн) and who received them (СвПолучПолн).
func (m *mapper) substitution(p *PowerOfAttorney, n *node) {
	m.enum(n, "ПрНалПередов", true, "0", "1")
	s := &Substitution{}
	first := m.one(n, "СвПервДовер", true)
	s.OriginalNumber = m.guid(first, "НомДоверПерв", false)
	for _, d := range m.many(first, "СвДоверПерв", false) {
		p.Principals = append(p.Principals, m.originalPrincipal(d))
	}
	if parent := m.one(n, "СвПередов", false); parent != nil {
		s.ParentNumber = m.guid(parent, "НомДоверN", false)
	}
	m.details(p, m.one(n, "СвПереДовер", true))
	for _, t := range m.many(n, "СвПередПолн", true) {
		s.TransferredBy = append(s.TransferredBy, m.transferrer(t))
	}
	for _, r := range m.many(n, "СвПолучПолн", true) {
		p.Representatives = append(p.Representatives, m.representative(r))
	}
	m.powers(p, m.one(n, "СвПолн", true))
	p.Substitution = s
}

// originalPrincipal maps СвДоверПерв: like СвДоверит, but an organization is
// a bare СвОргТип without the persons acting for it.
func (m *mapper) originalPrincipal(n *node) Principal {
	typ := m.enum(n, "ТипДоверит", true, "1", "2", "3", "4")
	d := m.one(n, "ДоверитПерв", true)
	switch m.only(d, typ, "РосОргДовер", "ИнОргДовер", "ИПДовер", "ФЛДовер") {
	case "РосОргДовер":
		o := m.org(m.one(d, "РосОргДовер", true))
		return Principal{Kind: KindLegal, Name: o.Name, INN: o.INN, KPP: o.KPP, OGRN: o.OGRN}
	case "ИнОргДовер":
		o := m.foreignOrg(m.one(d, "ИнОргДовер", true))
		return Principal{Kind: KindForeignLegal, Name: o.Name, INN: o.INN, KPP: o.KPP}
	case "ИПДовер":
		return m.entrepreneurPrincipal(m.one(d, "ИПДовер", true))
	case "ФЛДовер":
		return m.personPrincipal(m.one(d, "ФЛДовер", true))
	}
	return Principal{}
}

// transferrer maps СвПередПолн by @ТипПерПолн: 1 РосОргПерПолн, 2
// ИППерПолн, 3 ФЛПерПолн, 4 ФилПерПолн, 5 ИнПерПолн.
func (m *mapper) transferrer(n *node) Principal {
	typ := m.enum(n, "ТипПерПолн", true, "1", "2", "3", "4", "5")
	d := m.one(n, "ПередПолн", true)
	switch m.only(d, typ, "РосОргПерПолн", "ИППерПолн", "ФЛПерПолн", "ФилПерПолн", "ИнПерПолн") {
	case "РосОргПерПолн":
		return m.legal(m.one(d, "РосОргПерПолн", true))
	case "ИППерПолн":
		return m.entrepreneurPrincipal(m.one(d, "ИППерПолн", true))
	case "ФЛПерПолн":
		f := m.one(d, "ФЛПерПолн", true)
		p := m.individual(m.one(f, "СведФЛ", true))
		p.INN = m.ident(f, "ИННФЛ", true, paraph.CheckINNPerson)
		p.SNILS = m.snils(f, "СНИЛС", true)
		return Principal{Kind: KindPerson, Name: p.Name.String(), INN: p.INN, SNILS: p.SNILS, Heads: []Person{p}}
	case "ФилПерПолн":
		f := m.one(d, "ФилПерПолн", true)
		o := m.org(m.one(f, "СвФил", true))
		return Principal{Kind: KindBranch, Name: o.Name, INN: o.INN, KPP: o.KPP, OGRN: o.OGRN,
			Heads: []Person{m.person(m.one(f, "СвРукФил", true))}}
	case "ИнПерПолн":
		pr := m.foreign(m.one(d, "ИнПерПолн", true))
		pr.Kind = KindForeignBranch
		return pr
	}
	return Principal{}
}
