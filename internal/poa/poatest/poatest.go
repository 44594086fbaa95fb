// Package poatest builds synthetic EMCHD_1 powers of attorney for tests:
// made-up people and organizations whose identifiers carry valid check
// digits, written as schema-valid XML in UTF-8 or windows-1251. No real
// person's data is used anywhere.
package poatest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// POA describes the document to build. Zero fields get no element or
// attribute, except those Default fills.
type POA struct {
	Encoding       string // "UTF-8" (default) or "windows-1251"
	NoNamespace    bool   // leave out xmlns (files in the wild do)
	FileID         string
	Number         string // НомДовер, a GUID
	InternalNumber string
	IssuedOn       time.Time
	ValidUntil     time.Time
	Irrevocable    bool   // ВидДовер 2 with a Безотзыв element
	Transfer       string // ПрПередов: "1", "2" or "3"
	InfoSystem     string
	Principal      Org
	Head           Person
	// Principals replaces Principal and Head with any number of principals
	// of any kind, for tests of the other kinds.
	Principals      []Party
	Representatives []Party
	Joint           bool // ПрСовмПолн 2
	Powers          []Power
	Text            string // ТекстПолн
	// Substitution turns the document into a transfer (Передов) with the
	// same details, principals as the original's, and Head as the person who
	// passed the powers on.
	Substitution *Substitution
}

// Org is a Russian organization (СвОргТип).
type Org struct{ Name, INN, KPP, OGRN string }

// Person is a natural person (СвФЛТип with СведФЛ).
type Person struct {
	Last, First, Middle string
	INN, SNILS          string
	Position            string
	BirthDate           string // YYYY-MM-DD
}

// Party is a principal or a representative: Kind "legal" (Org), "ie" (an
// individual entrepreneur: Person and OGRN in Org.OGRN), "person" (Person).
// A legal principal's head is Head.
type Party struct {
	Kind   string
	Org    Org
	Person Person
	Head   Person
}

// Power is a МашПолн.
type Power struct {
	Code, Name   string
	Restrictions []Restriction
}

// Restriction is an ОгрСвПолн with a text value.
type Restriction struct{ Code, Name, Value string }

// Substitution holds a transfer's own references.
type Substitution struct{ OriginalNumber string }

// Default is a typical power of attorney: an LLC, its director, one
// representative and five powers.
func Default() *POA {
	return &POA{
		FileID:         "ON_EMCHD_20250115_7d1f3a52-4c8e-4b0a-9f6d-2e5b8c7a1d03",
		Number:         "7d1f3a52-4c8e-4b0a-9f6d-2e5b8c7a1d03",
		InternalNumber: "Д-17/2025",
		IssuedOn:       time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC),
		ValidUntil:     time.Date(2026, 1, 14, 0, 0, 0, 0, time.UTC),
		Transfer:       "1",
		InfoSystem:     "https://m4d.nalog.gov.ru/emchd/check-status?guid=7d1f3a52-4c8e-4b0a-9f6d-2e5b8c7a1d03",
		Principal: Org{
			Name: `ООО "Ромашка-Тест"`,
			INN:  INNLegal("770812345"),
			KPP:  "770801001",
			OGRN: OGRN("102770012345"),
		},
		Head: Person{
			Last: "Директоров", First: "Пётр", Middle: "Иванович",
			INN: INNPerson("7708123456"), SNILS: SNILS("112233445"),
			Position: "Генеральный директор",
		},
		Representatives: []Party{{Kind: "person", Person: Person{
			Last: "Подписантова", First: "Анна", Middle: "Сергеевна",
			INN: INNPerson("7708654321"), SNILS: SNILS("223344556"),
			Position: "Главный бухгалтер", BirthDate: "1985-04-12",
		}}},
		Powers: []Power{
			{Code: "02.001", Name: "Подписание счетов-фактур"},
			{Code: "02.002", Name: "Подписание универсальных передаточных документов"},
			{Code: "02.003", Name: "Подписание актов выполненных работ"},
			{Code: "02.004", Name: "Подписание договоров", Restrictions: []Restriction{
				{Code: "SUM_MAX", Name: "Предельная сумма сделки", Value: "1000000 рублей"},
			}},
			{Code: "02.005", Name: "Подписание актов сверки"},
		},
	}
}

// XML writes the document.
func (p *POA) XML() []byte {
	var b bytes.Buffer
	enc := p.Encoding
	if enc == "" {
		enc = "UTF-8"
	}
	b.WriteString(`<?xml version="1.0" encoding="` + enc + `"?>` + "\n")
	b.WriteString(`<Доверенность`)
	if !p.NoNamespace {
		b.WriteString(` xmlns="urn://x-artefacts/EMCHD_1"`)
	}
	attrs(&b, "ВерсФорм", "EMCHD_1", "ПрЭлФорм", "00000000", "ИдФайл", p.FileID)
	b.WriteString(">\n <Документ КНД=\"1110310\">\n")
	principals := p.Principals
	if principals == nil {
		principals = []Party{{Kind: "legal", Org: p.Principal, Head: p.Head}}
	}
	if p.Substitution == nil {
		b.WriteString("  <Довер>\n")
		p.details(&b, "СвДов")
		for _, pr := range principals {
			writePrincipal(&b, pr)
		}
		for _, r := range p.Representatives {
			writeRepresentative(&b, "СвУпПред", r)
		}
		p.powers(&b)
		b.WriteString("  </Довер>\n")
	} else {
		b.WriteString("  <Передов ПрНалПередов=\"1\">\n   <СвПервДовер")
		attrs(&b, "ПрДовер", "1", "ФормДовер", "1", "ДатаВыдДовер", p.IssuedOn.Format(time.DateOnly),
			"СрокДейст", p.ValidUntil.Format(time.DateOnly), "НомДоверПерв", p.Substitution.OriginalNumber)
		b.WriteString(">\n")
		for _, pr := range principals {
			b.WriteString("    <СвДоверПерв ТипДоверит=\"1\"><ДоверитПерв><РосОргДовер")
			attrs(&b, "НаимОрг", pr.Org.Name, "ИННЮЛ", pr.Org.INN, "КПП", pr.Org.KPP, "ОГРН", pr.Org.OGRN)
			b.WriteString("/></ДоверитПерв></СвДоверПерв>\n")
		}
		b.WriteString("   </СвПервДовер>\n")
		p.details(&b, "СвПереДовер")
		b.WriteString("   <СвПередПолн ТипПерПолн=\"3\"><ПередПолн><ФЛПерПолн")
		attrs(&b, "ИННФЛ", p.Head.INN, "СНИЛС", p.Head.SNILS)
		b.WriteString(">")
		writeSvedFL(&b, p.Head)
		b.WriteString("</ФЛПерПолн></ПередПолн></СвПередПолн>\n")
		for _, r := range p.Representatives {
			writeRepresentative(&b, "СвПолучПолн", r)
		}
		p.powers(&b)
		b.WriteString("  </Передов>\n")
	}
	b.WriteString(" </Документ>\n</Доверенность>\n")
	if enc == "windows-1251" {
		out, err := charmap.Windows1251.NewEncoder().Bytes(b.Bytes())
		if err != nil {
			panic(fmt.Sprintf("poatest: windows-1251: %v", err)) // a test's text outside the code page
		}
		return out
	}
	return b.Bytes()
}

func (p *POA) details(b *bytes.Buffer, elem string) {
	kind := "1"
	if p.Irrevocable {
		kind = "2"
	}
	b.WriteString("   <" + elem)
	attrs(b, "ВидДовер", kind, "ПрПередов", p.Transfer, "ВнНомДовер", p.InternalNumber,
		"НомДовер", p.Number, "ДатаВыдДовер", p.IssuedOn.Format(time.DateOnly),
		"СрокДейст", p.ValidUntil.Format(time.DateOnly))
	b.WriteString(">\n    <СведСист>" + esc(p.InfoSystem) + "</СведСист>\n")
	if p.Irrevocable {
		b.WriteString("    <Безотзыв ПрПерБезДов=\"1\" УслОтзыва=\"1\"/>\n")
	}
	b.WriteString("   </" + elem + ">\n")
}

func writePrincipal(b *bytes.Buffer, pr Party) {
	switch pr.Kind {
	case "legal":
		b.WriteString("   <СвДоверит ТипДоверит=\"1\">\n    <Доверит>\n     <РосОргДовер ЕИОУК=\"0\" ЕИОФЛ=\"1\" ЕИОИП=\"0\">\n      <СвРосОрг")
		attrs(b, "НаимОрг", pr.Org.Name, "ИННЮЛ", pr.Org.INN, "КПП", pr.Org.KPP, "ОГРН", pr.Org.OGRN)
		b.WriteString("/>\n      <ЛицоБезДов ПолнЮЛ=\"1\">\n       <СвФЛ")
		attrs(b, "ИННФЛ", pr.Head.INN, "СНИЛС", pr.Head.SNILS, "Должность", pr.Head.Position)
		b.WriteString(">")
		writeSvedFL(b, pr.Head)
		b.WriteString("</СвФЛ>\n      </ЛицоБезДов>\n     </РосОргДовер>\n    </Доверит>\n   </СвДоверит>\n")
	case "ie":
		b.WriteString("   <СвДоверит ТипДоверит=\"3\"><Доверит><ИПДовер")
		attrs(b, "НаимИП", pr.Org.Name, "ОГРНИП", pr.Org.OGRN, "ИННФЛ", pr.Person.INN, "СНИЛС", pr.Person.SNILS)
		b.WriteString(">")
		writeSvedFL(b, pr.Person)
		b.WriteString("</ИПДовер></Доверит></СвДоверит>\n")
	case "person":
		b.WriteString("   <СвДоверит ТипДоверит=\"4\"><Доверит><ФЛДовер")
		attrs(b, "ИННФЛ", pr.Person.INN, "СНИЛС", pr.Person.SNILS)
		b.WriteString(">")
		writeSvedFL(b, pr.Person)
		b.WriteString("</ФЛДовер></Доверит></СвДоверит>\n")
	default:
		panic("poatest: principal kind " + pr.Kind)
	}
}

func writeRepresentative(b *bytes.Buffer, elem string, r Party) {
	switch r.Kind {
	case "person":
		b.WriteString("   <" + elem + " ТипПред=\"3\">\n    <Пред>\n     <СведФизЛ")
		attrs(b, "ИННФЛ", r.Person.INN, "СНИЛС", r.Person.SNILS, "Должность", r.Person.Position)
		b.WriteString(">")
		writeSvedFL(b, r.Person)
		b.WriteString("</СведФизЛ>\n    </Пред>\n   </" + elem + ">\n")
	case "legal":
		b.WriteString("   <" + elem + " ТипПред=\"1\"><Пред><СведОрг")
		attrs(b, "НаимОрг", r.Org.Name, "ИННЮЛ", r.Org.INN, "КПП", r.Org.KPP, "ОГРН", r.Org.OGRN)
		b.WriteString("/></Пред></" + elem + ">\n")
	case "ie":
		b.WriteString("   <" + elem + " ТипПред=\"2\"><Пред><СведИП")
		attrs(b, "НаимИП", r.Org.Name, "ОГРНИП", r.Org.OGRN, "ИННФЛ", r.Person.INN, "СНИЛС", r.Person.SNILS)
		b.WriteString(">")
		writeSvedFL(b, r.Person)
		b.WriteString("</СведИП></Пред></" + elem + ">\n")
	default:
		panic("poatest: representative kind " + r.Kind)
	}
}

func writeSvedFL(b *bytes.Buffer, p Person) {
	b.WriteString("<СведФЛ")
	attrs(b, "ДатаРожд", p.BirthDate)
	b.WriteString("><ФИО")
	attrs(b, "Фамилия", p.Last, "Имя", p.First, "Отчество", p.Middle)
	b.WriteString("/></СведФЛ>")
}

func (p *POA) powers(b *bytes.Buffer) {
	typ, joint := "0", "1"
	if len(p.Powers) == 0 {
		typ = "1"
	}
	if p.Joint {
		joint = "2"
	}
	b.WriteString("   <СвПолн")
	attrs(b, "ТипПолн", typ, "ПрСовмПолн", joint)
	b.WriteString(">\n")
	if p.Text != "" {
		b.WriteString("    <ТекстПолн>" + esc(p.Text) + "</ТекстПолн>\n")
	}
	for _, pw := range p.Powers {
		b.WriteString("    <МашПолн")
		attrs(b, "КодПолн", pw.Code, "НаимПолн", pw.Name)
		if len(pw.Restrictions) == 0 {
			b.WriteString("/>\n")
			continue
		}
		b.WriteString(">\n")
		for i, r := range pw.Restrictions {
			b.WriteString("     <ОгрСвПолн")
			attrs(b, "ИдОгр", strconv.Itoa(i+1), "КодОгр", r.Code, "НаимОгр", r.Name)
			b.WriteString("><ТексЗначОгр>" + esc(r.Value) + "</ТексЗначОгр></ОгрСвПолн>\n")
		}
		b.WriteString("    </МашПолн>\n")
	}
	b.WriteString("   </СвПолн>\n")
}

// attrs writes name="value" pairs, skipping empty values.
func attrs(b *bytes.Buffer, kv ...string) {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		b.WriteString(" " + kv[i] + `="` + esc(kv[i+1]) + `"`)
	}
}

func esc(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s)) //nolint:errcheck // a bytes.Buffer does not fail
	return b.String()
}

// Identifiers with valid check digits, completed from their leading digits
// by the official algorithms (the paraph package has the checks; tests prove
// these agree with them).

// INNLegal completes a 10-digit organization INN from 9 digits.
func INNLegal(base string) string {
	return base + strconv.Itoa(weighted(base, []int{2, 4, 10, 3, 5, 9, 4, 6, 8})%11%10)
}

// INNPerson completes a 12-digit personal INN from 10 digits.
func INNPerson(base string) string {
	s := base + strconv.Itoa(weighted(base, []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8})%11%10)
	return s + strconv.Itoa(weighted(s, []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8})%11%10)
}

// SNILS completes a SNILS from 9 digits, written as the schema wants it:
// "123-456-789 01".
func SNILS(base string) string {
	sum := 0
	for i := range 9 {
		sum += int(base[i]-'0') * (9 - i)
	}
	return fmt.Sprintf("%s-%s-%s %02d", base[:3], base[3:6], base[6:9], sum%101%100)
}

// OGRN completes a 13-digit OGRN from 12 digits (starting with 1 or 5).
func OGRN(base string) string {
	n, _ := strconv.ParseUint(base, 10, 64)
	return base + strconv.FormatUint(n%11%10, 10)
}

// OGRNIP completes a 15-digit OGRNIP from 14 digits (starting with 3).
func OGRNIP(base string) string {
	n, _ := strconv.ParseUint(base, 10, 64)
	return base + strconv.FormatUint(n%13%10, 10)
}

func weighted(s string, w []int) int {
	sum := 0
	for i, x := range w {
		sum += int(s[i]-'0') * x
	}
	return sum
}
