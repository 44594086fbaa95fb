package paraph

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Country is where an organization is registered; it decides which
// identifiers the organization has.
type Country string

const (
	CountryRU Country = "RU"
	CountryUA Country = "UA"
	CountryBY Country = "BY"
)

// OrgKind tells a legal entity from an individual entrepreneur (ИП, ФОП).
type OrgKind string

const (
	OrgLegal      OrgKind = "legal"
	OrgIndividual OrgKind = "individual"
)

// Organization is a party that sends and signs documents: a legal entity or
// an individual entrepreneur in one of the countries Paraph knows.
type Organization struct {
	ID      string
	Kind    OrgKind
	Country Country
	Name    string

	// Identifiers; only those of the organization's country and kind are set.
	INN    string // RU: 10 digits (legal) or 12 (individual)
	KPP    string // RU legal only
	OGRN   string // RU: OGRN (13) of a legal entity, or OGRNIP (15) of an individual entrepreneur
	EDRPOU string // UA legal
	RNOKPP string // UA individual (ФОП)
	UNP    string // BY, both kinds; capital Latin letters in the letter form

	Email   string // lower-cased; "" when none
	Address string

	CreatedAt time.Time
}

// Length limits, in characters.
const (
	OrgNameMaxLength    = 300
	OrgAddressMaxLength = 500
)

// orgIdentifiers says, per country and kind, which identifier fields are
// required; every other identifier must be empty.
var orgIdentifiers = map[Country]map[OrgKind][]string{
	CountryRU: {OrgLegal: {"inn", "kpp", "ogrn"}, OrgIndividual: {"inn", "ogrn"}},
	CountryUA: {OrgLegal: {"edrpou"}, OrgIndividual: {"rnokpp"}},
	CountryBY: {OrgLegal: {"unp"}, OrgIndividual: {"unp"}},
}

// Normalize trims and canonicalizes the fields (whitespace collapsed in the
// name and address, capital letters in KPP and UNP, a lower-cased email) and
// validates the organization for its country and kind. It returns the first
// error, with Field naming the input; the organization is changed only when
// it is valid.
//
// The OGRNIP of an individual entrepreneur lives in OGRN, so its errors name
// the "ogrn" field (the form has one box for both) while their reasons say
// ogrnip.
func (o *Organization) Normalize() error {
	c := *o
	c.Kind = OrgKind(strings.ToLower(strings.TrimSpace(string(c.Kind))))
	c.Country = Country(strings.ToUpper(strings.TrimSpace(string(c.Country))))
	fields := map[string]*string{
		"inn": &c.INN, "kpp": &c.KPP, "ogrn": &c.OGRN, "edrpou": &c.EDRPOU, "rnokpp": &c.RNOKPP, "unp": &c.UNP,
	}
	for _, p := range fields {
		*p = strings.TrimSpace(*p)
	}
	c.KPP = strings.ToUpper(c.KPP)

	if c.Kind != OrgLegal && c.Kind != OrgIndividual {
		return Invalid("kind", "invalid_org_kind", "The kind is legal (an organization) or individual (an entrepreneur).")
	}
	required, ok := orgIdentifiers[c.Country][c.Kind]
	if !ok {
		return Invalid("country", "invalid_country", "The country is RU, UA or BY.")
	}
	name, err := normalizeText(c.Name, "name", "organization's name", OrgNameMaxLength, true)
	if err != nil {
		return err
	}
	c.Name = name

	// Fixed order, so the first error is the same every time.
	for _, f := range []string{"inn", "kpp", "ogrn", "edrpou", "rnokpp", "unp"} {
		v := *fields[f]
		need := contains(required, f)
		switch {
		case v == "" && need:
			return Invalid(f, requiredReason(c, f), "Enter the "+identifierLabel(c, f)+".")
		case v != "" && !need && !identifierOfCountry(c.Country, f):
			return Invalid(f, "identifier_not_for_country", "The "+identifierLabel(c, f)+" is not an identifier of "+countryName(c.Country)+": leave it empty.")
		case v != "" && !need:
			// KPP for an ИП, EDRPOU for a ФОП, RNOKPP for a Ukrainian company.
			return Invalid(f, "identifier_not_for_kind", "The "+identifierLabel(c, f)+" does not apply to "+kindName(c.Kind)+": leave it empty.")
		case v == "":
			continue
		}
		if err := checkOrgIdentifier(&c, f); err != nil {
			return err
		}
	}

	if c.Email = strings.TrimSpace(c.Email); c.Email != "" {
		if c.Email, err = NormalizeEmail(c.Email); err != nil {
			return err
		}
	}
	if c.Address, err = normalizeText(c.Address, "address", "address", OrgAddressMaxLength, false); err != nil {
		return err
	}
	*o = c
	return nil
}

func checkOrgIdentifier(c *Organization, f string) error {
	switch f {
	case "inn":
		if c.Kind == OrgLegal {
			return CheckINNLegal(c.INN)
		}
		return CheckINNPerson(c.INN)
	case "kpp":
		return CheckKPP(c.KPP)
	case "ogrn":
		if c.Kind == OrgLegal {
			return CheckOGRN(c.OGRN)
		}
		return withField(CheckOGRNIP(c.OGRN), "ogrn")
	case "edrpou":
		return CheckEDRPOU(c.EDRPOU)
	case "rnokpp":
		return CheckRNOKPP(c.RNOKPP)
	case "unp":
		unp, err := normalizeUNP(c.UNP)
		c.UNP = unp
		return err
	}
	return nil
}

func requiredReason(c Organization, f string) string {
	if f == "ogrn" && c.Kind == OrgIndividual {
		return "ogrnip_required"
	}
	return f + "_required"
}

func identifierLabel(c Organization, f string) string {
	switch {
	case f == "ogrn" && c.Kind == OrgIndividual && c.Country == CountryRU:
		return "OGRNIP"
	case f == "edrpou":
		return "EDRPOU code"
	}
	return strings.ToUpper(f)
}

func identifierOfCountry(country Country, f string) bool {
	for _, fields := range orgIdentifiers[country] {
		if contains(fields, f) {
			return true
		}
	}
	return false
}

func countryName(c Country) string {
	switch c {
	case CountryRU:
		return "Russia"
	case CountryUA:
		return "Ukraine"
	}
	return "Belarus"
}

func kindName(k OrgKind) string {
	if k == OrgIndividual {
		return "an individual entrepreneur"
	}
	return "a legal entity"
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// normalizeText collapses runs of whitespace (line breaks from a pasted
// address included) into single spaces and checks length and characters.
// Reasons: <field>_required, <field>_too_long, <field>_invalid.
func normalizeText(s, field, label string, max int, required bool) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" && required {
		return "", Invalid(field, field+"_required", "Enter the "+label+".")
	}
	if utf8.RuneCountInString(s) > max {
		return "", Invalid(field, field+"_too_long", "The "+label+" is too long ("+strconv.Itoa(max)+" characters at most).")
	}
	for _, r := range s {
		// Control and format characters (bidi overrides, zero-width) make a
		// name look like another one; invalid UTF-8 arrives as RuneError.
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
			return "", Invalid(field, field+"_invalid", "The "+label+" has characters that are not allowed.")
		}
	}
	return s, nil
}

// UniqueKey is the key that makes an organization unique on the instance;
// call it on a normalized organization. A Russian branch shares its head
// office's INN under another KPP, so a Russian legal entity is keyed by both:
// "RU:7707083893:773601001". Others: "RU:<INN>" for an ИП, "UA:<EDRPOU>",
// "UA:<RNOKPP>" for a ФОП, "BY:<UNP>". An unknown country or kind gives "".
func (o *Organization) UniqueKey() string {
	switch {
	case o.Country == CountryRU && o.Kind == OrgLegal:
		return "RU:" + o.INN + ":" + o.KPP
	case o.Country == CountryRU && o.Kind == OrgIndividual:
		return "RU:" + o.INN
	case o.Country == CountryUA && o.Kind == OrgLegal:
		return "UA:" + o.EDRPOU
	case o.Country == CountryUA && o.Kind == OrgIndividual:
		return "UA:" + o.RNOKPP
	case o.Country == CountryBY && (o.Kind == OrgLegal || o.Kind == OrgIndividual):
		return "BY:" + o.UNP
	}
	return ""
}
