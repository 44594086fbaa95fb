// Package poa parses and checks machine-readable powers of attorney (МЧД,
// FNS format EMCHD_1); it does not verify signatures (cades) or decide who
// may sign (core).
//
// A power of attorney arrives as an XML file with a detached CMS signature.
// Parse reads the XML — refusing DTDs, XML bombs and oversize files before
// anything else — and maps the parts Paraph uses onto PowerOfAttorney. The
// signature is cades' business: it must be checked over Raw, the uploaded
// bytes exactly as they came, never over a re-encoded copy.
//
// What is checked: the root element, the format version and every element
// and attribute this package maps — presence where the schema requires it,
// enumerations, lengths, dates, the number (a GUID), and the check digits of
// INN, OGRN and OGRNIP, the form of KPP, and SNILS (via the paraph package).
// What is not: the parts of the schema Paraph does not use (addresses,
// identity documents, notarial details, tax office codes) are skipped, and
// unknown elements are ignored rather than refused. It is not an XSD
// validator; the tests prove with xmllint that the files they build are
// schema-valid.
package poa

import (
	"strings"
	"time"

	"paraph"
)

// PowerOfAttorney is the part of an EMCHD_1 document Paraph uses. Field
// comments name the schema's elements and attributes; for a transfer
// (передоверие, Документ/Передов) the same fields come from the transfer's
// own elements, named in brackets.
type PowerOfAttorney struct {
	// FileID is Доверенность/@ИдФайл, the file's identifier.
	FileID string
	// Number is СвДов/@НомДовер [СвПереДовер/@НомДовер]: the unified
	// registration number, a GUID, in lower case. It identifies the power of
	// attorney in the FNS registry.
	Number string
	// InternalNumber is СвДов/@ВнНомДовер, the principal's own number.
	InternalNumber string
	// IssuedOn is СвДов/@ДатаВыдДовер, ValidUntil is СвДов/@СрокДейст (the
	// last day it is valid). Both are calendar dates at midnight UTC; Status
	// reads them as whole days in Moscow time.
	IssuedOn, ValidUntil time.Time
	// InfoSystem is СвДов/СведСист: the information system (usually an URL)
	// that tells whether the power of attorney was revoked.
	InfoSystem string

	// Revocable is false for an irrevocable power of attorney (безотзывная):
	// СвДов/@ВидДовер = 2, or a СвДов/Безотзыв element. Revocable ones
	// (ВидДовер = 1) may be cancelled by the principal at any time.
	Revocable bool
	// Transfer is СвДов/@ПрПередов, whether the representative may pass the
	// powers on (передоверие): TransferNone (1), TransferOnce (2),
	// TransferRepeated (3, further transfers allowed too).
	Transfer Transfer
	// Transferable is Transfer != TransferNone.
	Transferable bool
	// Joint is СвПолн/@ПрСовмПолн = 2 (совместные полномочия): several
	// representatives may act only together, never one alone. With 1
	// (индивидуальные) each acts alone.
	Joint bool
	// LostOnTransfer is СвПолн/@ПрУтрПолн = 1: the representative loses the
	// powers when passing them on. False also when the attribute is absent.
	LostOnTransfer bool

	// Principals are the СвДоверит elements (доверитель): who gives the
	// powers. Usually one; the schema allows several. [For a transfer: the
	// principals of the original power of attorney, СвПервДовер/СвДоверПерв,
	// which the schema makes optional.]
	Principals []Principal
	// Representatives are the СвУпПред elements [СвПолучПолн]: who receives
	// the powers.
	Representatives []Representative
	// Powers are СвПолн/МашПолн, one each, then СвПолн/ТекстПолн as one Power
	// with an empty Code.
	Powers []Power

	// Substitution is set for a transfer (Документ/Передов).
	Substitution *Substitution

	// Raw is the input, byte for byte: what the detached signature signs and
	// what cades must verify it over. It is the slice given to Parse, not a
	// copy: do not modify it.
	Raw []byte
}

// Transfer says whether the powers may be passed on (ПрПередов).
type Transfer string

const (
	TransferNone     Transfer = "none"     // 1: без права передоверия
	TransferOnce     Transfer = "once"     // 2: с правом однократного передоверия
	TransferRepeated Transfer = "repeated" // 3: с правом последующего передоверия
)

// Kind is the kind of a party: who a principal or a representative is.
type Kind string

const (
	KindLegal                  Kind = "legal"                   // российское юридическое лицо
	KindForeignLegal           Kind = "foreign_legal"           // иностранное юридическое лицо
	KindIndividualEntrepreneur Kind = "individual_entrepreneur" // индивидуальный предприниматель
	KindPerson                 Kind = "person"                  // физическое лицо
	KindBranch                 Kind = "branch"                  // филиал (обособленное подразделение) ЮЛ
	KindForeignBranch          Kind = "foreign_branch"          // филиал иностранного ЮЛ
)

// Principal is one СвДоверит/Доверит, by its kind (СвДоверит/@ТипДоверит):
//
//   - legal (1, РосОргДовер): Name, INN, KPP, OGRN from СвРосОрг (@НаимОрг,
//     @ИННЮЛ, @КПП, @ОГРН); Heads from ЛицоБезДов, the persons who act for
//     it without a power of attorney (the director who issued this one);
//   - foreign_legal (2, ИнОргДовер): Name, INN, KPP from СвИнОрг (@НаимИО,
//     @ИННЮЛ, @КПП); Heads from СвРукОП;
//   - individual_entrepreneur (3, ИПДовер): Name is @НаимИП or else the
//     person's name; INN is @ИННФЛ; OGRN is @ОГРНИП; SNILS is @СНИЛС;
//   - person (4, ФЛДовер): Name is the full name; INN (@ИННФЛ, optional),
//     SNILS (@СНИЛС).
type Principal struct {
	Kind  Kind
	Name  string
	INN   string
	KPP   string
	OGRN  string // OGRN of an organization, OGRNIP of an entrepreneur
	SNILS string // 11 digits; entrepreneurs and persons only
	Heads []Person
}

// Representative is one СвУпПред/Пред, by its kind (СвУпПред/@ТипПред):
// legal (1, СведОрг), individual_entrepreneur (2, СведИП), person (3,
// СведФизЛ), branch (4, СведФилиал), foreign_branch (5, СведИО). For a person
// and an entrepreneur Person is set; for the organizations and the
// entrepreneur, Organization.
type Representative struct {
	Kind         Kind
	Person       *Person
	Organization *Organization
}

// Organization is a СвОргТип or СвИнОргТип (or, for an entrepreneur, its
// @НаимИП and @ОГРНИП).
type Organization struct {
	Name string // @НаимОрг, @НаимИО or @НаимИП
	INN  string // @ИННЮЛ (@ИННФЛ for an entrepreneur)
	KPP  string // @КПП
	OGRN string // @ОГРН (@ОГРНИП for an entrepreneur)
}

// Person is a natural person: СвФЛТип, СведИПТип or ФЛДоверТип with its СведФЛ.
type Person struct {
	Name      FullName  // СведФЛ/ФИО
	INN       string    // @ИННФЛ, 12 digits
	SNILS     string    // @СНИЛС, as 11 digits
	Position  string    // @Должность
	BirthDate time.Time // СведФЛ/@ДатаРожд; zero when absent
}

// FullName is ФИОТип.
type FullName struct {
	Last   string // @Фамилия
	First  string // @Имя
	Middle string // @Отчество, optional
}

func (n FullName) String() string {
	s := n.Last + " " + n.First
	if n.Middle != "" {
		s += " " + n.Middle
	}
	return strings.TrimSpace(s)
}

// Power is one СвПолн/МашПолн, or the text of СвПолн/ТекстПолн (Code empty,
// Name the text).
type Power struct {
	Code         string // @КодПолн, the classifier code
	Mnemonic     string // @МнПолн, optional
	Name         string // @НаимПолн
	Restrictions []Restriction
}

// Restriction is one МашПолн/ОгрСвПолн.
type Restriction struct {
	Code      string // @КодОгр
	Name      string // @НаимОгр
	ValueCode string // КодЗначОгр (a classifier value)
	Value     string // ТексЗначОгр, or @НаимЗначОгр naming the ValueCode
}

func (r Restriction) String() string {
	v := r.Value
	if v == "" {
		v = r.ValueCode
	}
	return r.Name + ": " + v
}

// Substitution describes a transfer (Документ/Передов).
type Substitution struct {
	// OriginalNumber is СвПервДовер/@НомДоверПерв, the registration number of
	// the first power of attorney in the chain (optional in the schema).
	OriginalNumber string
	// ParentNumber is СвПередов/@НомДоверN, the one this transfer is based on
	// when it is not the original (optional).
	ParentNumber string
	// TransferredBy are the СвПередПолн/ПередПолн: who passed the powers on.
	TransferredBy []Principal
}

// Statuses and reasons returned by Status. "revoked" is not here: it is set
// by hand and kept by core.
const (
	StatusActive   = "active"
	StatusExpiring = "expiring"
	StatusExpired  = "expired"

	ReasonExpired     = "expired"
	ReasonNotYetValid = "not_yet_valid"
)

// ExpiringWithin is how close to its end a power of attorney is "expiring".
const ExpiringWithin = 30 * 24 * time.Hour

// moscow is the zone of the FNS registry's dates. Russia has had no daylight
// saving since 2014, so a fixed offset is exact.
var moscow = time.FixedZone("MSK", 3*60*60)

// Status tells whether the power of attorney is in force at now: expired
// (reason not_yet_valid before IssuedOn, expired after ValidUntil), expiring
// (30 days or fewer left) or active. The dates are whole days: valid from the
// start of IssuedOn to the end of ValidUntil, Moscow time.
func (p *PowerOfAttorney) Status(now time.Time) (status, reason string) {
	start := time.Date(p.IssuedOn.Year(), p.IssuedOn.Month(), p.IssuedOn.Day(), 0, 0, 0, 0, moscow)
	end := time.Date(p.ValidUntil.Year(), p.ValidUntil.Month(), p.ValidUntil.Day()+1, 0, 0, 0, 0, moscow)
	switch {
	case now.Before(start):
		return StatusExpired, ReasonNotYetValid
	case !now.Before(end):
		return StatusExpired, ReasonExpired
	case end.Sub(now) <= ExpiringWithin:
		return StatusExpiring, ""
	}
	return StatusActive, ""
}

// HasPower reports whether a machine-readable power has this code (КодПолн)
// or mnemonic (МнПолн). Text powers (ТекстПолн) never match: a person, not
// this package, reads them.
func (p *PowerOfAttorney) HasPower(code string) bool {
	code = strings.TrimSpace(code)
	if code == "" {
		return false
	}
	for _, pw := range p.Powers {
		if pw.Code != "" && (pw.Code == code || pw.Mnemonic == code) {
			return true
		}
	}
	return false
}

// RepresentativeMatches reports whether a person with this INN and SNILS (as
// on a certificate; either may be empty, SNILS in any form NormalizeSNILS
// takes) is one of the representatives, a person or an entrepreneur. A
// representative matches when at least one identifier both sides have is
// equal and none differs: a certificate whose INN matches but whose SNILS is
// another person's does not match.
func (p *PowerOfAttorney) RepresentativeMatches(inn, snils string) bool {
	inn = strings.TrimSpace(inn)
	if s, err := paraph.NormalizeSNILS(snils); err == nil {
		snils = s
	} else {
		snils = "" // an unreadable SNILS proves nothing either way
	}
	for _, r := range p.Representatives {
		if r.Person != nil && identifiersMatch(inn, r.Person.INN, snils, r.Person.SNILS) {
			return true
		}
	}
	return false
}

// RepresentativeOrganizationIs reports whether an organization with this INN
// and OGRN is a representative (СведОрг, СведФилиал, СведИО) — the case of an
// accounting firm signing for its client; who may act for that firm is
// another power of attorney's question.
func (p *PowerOfAttorney) RepresentativeOrganizationIs(inn, ogrn string) bool {
	inn, ogrn = strings.TrimSpace(inn), strings.TrimSpace(ogrn)
	for _, r := range p.Representatives {
		if r.Organization != nil && r.Kind != KindIndividualEntrepreneur &&
			identifiersMatch(inn, r.Organization.INN, ogrn, r.Organization.OGRN) {
			return true
		}
	}
	return false
}

// PrincipalIs reports whether the organization (or entrepreneur, or person)
// with this INN and OGRN (or OGRNIP; either may be empty) is one of the
// principals, by the same rule as RepresentativeMatches.
func (p *PowerOfAttorney) PrincipalIs(inn, ogrn string) bool {
	inn, ogrn = strings.TrimSpace(inn), strings.TrimSpace(ogrn)
	for _, pr := range p.Principals {
		if identifiersMatch(inn, pr.INN, ogrn, pr.OGRN) {
			return true
		}
	}
	return false
}

// identifiersMatch compares two pairs of identifiers, each side possibly
// empty: true when some pair is present on both sides and equal, and no pair
// present on both sides differs.
func identifiersMatch(a1, b1, a2, b2 string) bool {
	matched := false
	for _, pair := range [2][2]string{{a1, b1}, {a2, b2}} {
		if pair[0] == "" || pair[1] == "" {
			continue
		}
		if pair[0] != pair[1] {
			return false
		}
		matched = true
	}
	return matched
}
