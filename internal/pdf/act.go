// Package pdf renders Paraph's built-in documents to PDF: today the act of
// completed works (акт выполненных работ / акт виконаних робіт), with real
// text in Cyrillic fonts so that search, copy and pdftotext work.
//
// pdf renders and never signs: the bytes it writes are an ordinary document
// that is stored and signed like an uploaded one. It does no I/O other than
// the writer it is given and knows nothing of storage or routes.
package pdf

import (
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"paraph"
)

// Party is one side of an act. Russian parties fill INN, KPP and OGRN (or
// OGRNIP); Ukrainian ones EDRPOU (8 digits, or the 10-digit RNOKPP of a ФОП)
// and, for VAT payers, the 12-digit ІПН in INN.
type Party struct {
	Name, INN, KPP, OGRN, EDRPOU, Address, Bank, Account string
	Signer, SignerPosition                               string
}

// Line is one row of the act's table.
type Line struct {
	Name, Unit string
	Quantity   string // decimal as text, "1.5" or "1,5"
	Price      int64  // kopecks per unit, VAT included
	VATRate    int    // percent: 0, 5, 7, 10, 20, 22; NoVAT = без НДС
}

// NoVAT is the VATRate of a line not subject to VAT ("Без НДС").
const NoVAT = -1

// Act is the act of completed works.
type Act struct {
	Language   string // ru | uk
	Number     string
	Date       time.Time
	Place      string
	Contractor Party  // исполнитель / виконавець
	Customer   Party  // заказчик / замовник
	Basis      string // e.g. "договор № 5 от 01.02.2026"
	Lines      []Line
	Currency   string // RUB, UAH, BYN, USD, EUR
	Comment    string
}

// MaxLines bounds an act: 500 rows is some twenty pages, more than any real
// act; the cap keeps one request from rendering without end.
const MaxLines = 500

// vatRates are the rates an act may carry: Russia 22% (from 2026), 20% (before),
// 10%, 0%, and 5%/7% for the simplified tax system; Ukraine 20%, 7%, 0%.
var vatRates = []int{0, 5, 7, 10, 20, 22}

var currencies = []string{"RUB", "UAH", "BYN", "USD", "EUR"}

// Validate returns a *paraph.Error for the first bad field, with Field naming
// it the way the API's JSON does ("lines[2].quantity").
func (a *Act) Validate() error {
	switch {
	case a.Language != "ru" && a.Language != "uk":
		return paraph.Invalid("language", "unsupported_language", "The act's language must be ru or uk.")
	case strings.TrimSpace(a.Number) == "":
		return paraph.Invalid("number", "required", "The act needs a number.")
	case utf8.RuneCountInString(a.Number) > 50:
		return paraph.Invalid("number", "too_long", "The act number must be at most 50 characters.")
	case a.Date.IsZero():
		return paraph.Invalid("date", "required", "The act needs a date.")
	case !slices.Contains(currencies, a.Currency):
		return paraph.Invalid("currency", "unsupported_currency", "The currency must be one of RUB, UAH, BYN, USD, EUR.")
	}
	for _, f := range []struct{ field, value string }{{"place", a.Place}, {"basis", a.Basis}, {"comment", a.Comment}} {
		if utf8.RuneCountInString(f.value) > 1000 {
			return paraph.Invalid(f.field, "too_long", "At most 1000 characters.")
		}
	}
	if err := a.Contractor.validate("contractor", a.Language); err != nil {
		return err
	}
	if err := a.Customer.validate("customer", a.Language); err != nil {
		return err
	}
	switch {
	case len(a.Lines) == 0:
		return paraph.Invalid("lines", "required", "The act needs at least one line.")
	case len(a.Lines) > MaxLines:
		return paraph.Invalid("lines", "too_many", fmt.Sprintf("An act may have at most %d lines.", MaxLines))
	}
	var total int64
	for i, l := range a.Lines {
		field := fmt.Sprintf("lines[%d]", i)
		switch {
		case strings.TrimSpace(l.Name) == "":
			return paraph.Invalid(field+".name", "required", "Each line needs a name.")
		case utf8.RuneCountInString(l.Name) > 1000:
			return paraph.Invalid(field+".name", "too_long", "A line name must be at most 1000 characters.")
		case utf8.RuneCountInString(l.Unit) > 20:
			return paraph.Invalid(field+".unit", "too_long", "A unit must be at most 20 characters.")
		case l.Price < 0:
			return paraph.Invalid(field+".price", "negative", "The price must not be negative.")
		case l.VATRate != NoVAT && !slices.Contains(vatRates, l.VATRate):
			return paraph.Invalid(field+".vat_rate", "unsupported_vat_rate", "The VAT rate must be 0, 5, 7, 10, 20 or 22 percent, or none.")
		}
		q, err := parseQuantity(l.Quantity)
		if err != nil {
			return paraph.Invalid(field+".quantity", "invalid_quantity", err.Error())
		}
		amount, ok := lineAmount(q, l.Price)
		if !ok || amount > paraph.MaxAmount-total {
			return paraph.Invalid(field+".price", "amount_too_large", "The act's total must not exceed 999 999 999 999.99.")
		}
		total += amount
	}
	return nil
}

func (p *Party) validate(prefix, lang string) error {
	if strings.TrimSpace(p.Name) == "" {
		return paraph.Invalid(prefix+".name", "required", "Each party needs a name.")
	}
	for _, f := range []struct{ field, value string }{
		{"name", p.Name}, {"address", p.Address}, {"bank", p.Bank}, {"account", p.Account},
		{"signer", p.Signer}, {"signer_position", p.SignerPosition},
	} {
		if utf8.RuneCountInString(f.value) > 500 {
			return paraph.Invalid(prefix+"."+f.field, "too_long", "At most 500 characters.")
		}
	}
	// Identifiers are checked by their check digits where the country's rule
	// is known: a typo in an INN is the commonest error on an act.
	check := func(field, v string, fn func(string) error) error {
		if v == "" {
			return nil
		}
		if err := fn(v); err != nil {
			e := *paraph.AsError(err)
			e.Field = prefix + "." + field
			return &e
		}
		return nil
	}
	inn := paraph.CheckINN
	if lang == "uk" {
		inn = checkUkrainianVATNumber
	}
	ogrn := paraph.CheckOGRN
	if len(strings.TrimSpace(p.OGRN)) == 15 {
		ogrn = paraph.CheckOGRNIP
	}
	edrpou := paraph.CheckEDRPOU
	if len(strings.TrimSpace(p.EDRPOU)) == 10 {
		edrpou = paraph.CheckRNOKPP
	}
	for _, c := range []struct {
		field, value string
		fn           func(string) error
	}{{"inn", p.INN, inn}, {"kpp", p.KPP, paraph.CheckKPP}, {"ogrn", p.OGRN, ogrn}, {"edrpou", p.EDRPOU, edrpou}} {
		if err := check(c.field, c.value, c.fn); err != nil {
			return err
		}
	}
	return nil
}

// checkUkrainianVATNumber checks the 12-digit ІПН of a Ukrainian VAT payer;
// it has no public check-digit rule, so only its shape is checked.
func checkUkrainianVATNumber(s string) error {
	s = strings.TrimSpace(s)
	if len(s) != 12 || strings.Trim(s, "0123456789") != "" {
		return paraph.Invalid("inn", "invalid_inn_format", "The VAT payer's ІПН must have 12 digits.")
	}
	return nil
}

// quantity is a decimal: units / 10^scale.
type quantity struct {
	units *big.Int
	scale int
}

// parseQuantity reads "3", "1.5" or "1,5" (a comma is how Russian and
// Ukrainian users type decimals): at most 12 integer and 6 fraction digits,
// greater than zero. No exponents, signs or fractions like 1/3: an act shows
// the quantity as typed.
func parseQuantity(s string) (quantity, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "-") {
		return quantity{}, errors.New("The quantity must not be negative.")
	}
	intPart, frac, _ := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	if intPart == "" || len(intPart) > 12 || len(frac) > 6 || !digits(intPart) || !digits(frac) ||
		strings.Contains(s, ".") && frac == "" {
		return quantity{}, errors.New("The quantity must be a decimal number like 2 or 1.5 (up to 6 decimal places).")
	}
	units, _ := new(big.Int).SetString(intPart+frac, 10)
	if units.Sign() == 0 {
		return quantity{}, errors.New("The quantity must be greater than zero.")
	}
	return quantity{units, len(frac)}, nil
}

func digits(s string) bool { return strings.Trim(s, "0123456789") == "" }

// String writes the quantity as an act shows it: a decimal comma, no
// trailing zeros ("1,5", "3").
func (q quantity) String() string {
	s := q.units.String()
	if q.scale == 0 {
		return s
	}
	if len(s) <= q.scale {
		s = strings.Repeat("0", q.scale-len(s)+1) + s
	}
	i, f := s[:len(s)-q.scale], strings.TrimRight(s[len(s)-q.scale:], "0")
	if f == "" {
		return i
	}
	return i + "," + f
}

// lineAmount is quantity × price rounded half up to a kopeck; false when it
// does not fit the largest amount an act may carry.
func lineAmount(q quantity, price int64) (int64, bool) {
	p := new(big.Int).Mul(q.units, big.NewInt(price))
	v := divRoundHalfUp(p, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(q.scale)), nil))
	if !v.IsInt64() || v.Int64() > paraph.MaxAmount {
		return 0, false
	}
	return v.Int64(), true
}

// divRoundHalfUp divides non-negative a by positive b, rounding halves up
// (the accountants' rule, not banker's rounding).
func divRoundHalfUp(a, b *big.Int) *big.Int {
	q, r := new(big.Int).QuoRem(a, b, new(big.Int))
	if r.Lsh(r, 1).Cmp(b) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	return q
}

// LineTotal is one line's amount and the VAT inside it.
type LineTotal struct {
	Quantity string // as the act shows it: "1,5"
	Amount   int64  // quantity × price, kopecks, VAT included
	VAT      int64  // the VAT within Amount; 0 for lines without VAT
}

// RateVAT is the VAT of all lines at one rate.
type RateVAT struct {
	Rate int
	VAT  int64
}

// Totals are an act's sums, in kopecks.
type Totals struct {
	Lines []LineTotal
	Total int64 // sum of line amounts, VAT included
	VAT   int64 // sum of the lines' VAT
	// ByRate is the VAT per rate, highest rate first; lines without VAT are
	// not in it. Empty when no line carries VAT (the act says "Без НДС").
	ByRate []RateVAT
}

// Totals computes the act's sums. Prices include VAT, as Russian and
// Ukrainian acts for services usually state them ("в т.ч. НДС"): a line's
// amount is quantity × price rounded half up to a kopeck, and its VAT is
// extracted from that amount, amount × rate / (100 + rate), rounded half up.
// VAT is computed per line and summed, the way 1C does it, so the VAT total
// equals the sum a reader adds up from the lines. Call Validate first: a
// line that does not parse counts as zero.
func (a *Act) Totals() Totals {
	t := Totals{Lines: make([]LineTotal, len(a.Lines))}
	byRate := map[int]int64{}
	for i, l := range a.Lines {
		q, err := parseQuantity(l.Quantity)
		if err != nil {
			continue
		}
		amount, _ := lineAmount(q, l.Price)
		var vat int64
		if l.VATRate > 0 {
			vat = divRoundHalfUp(new(big.Int).Mul(big.NewInt(amount), big.NewInt(int64(l.VATRate))), big.NewInt(int64(100+l.VATRate))).Int64()
		}
		if l.VATRate >= 0 {
			byRate[l.VATRate] += vat
		}
		t.Lines[i] = LineTotal{Quantity: q.String(), Amount: amount, VAT: vat}
		t.Total += amount
		t.VAT += vat
	}
	for rate, vat := range byRate {
		t.ByRate = append(t.ByRate, RateVAT{rate, vat})
	}
	slices.SortFunc(t.ByRate, func(x, y RateVAT) int { return y.Rate - x.Rate })
	return t
}
