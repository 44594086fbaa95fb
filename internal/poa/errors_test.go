package poa_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"paraph/internal/poa"
	"paraph/internal/poa/poatest"
)

// TestStructureErrors breaks one thing at a time in a valid document and
// checks that the error names the element or attribute and says why.
func TestStructureErrors(t *testing.T) {
	const (
		svDov = "Документ/Довер/СвДов"
		org   = "Документ/Довер/СвДоверит/Доверит/РосОргДовер"
		rep   = "Документ/Довер/СвУпПред/Пред/СведФизЛ"
		poln  = "Документ/Довер/СвПолн"
	)
	d := poatest.Default()
	tests := []struct {
		name       string
		old, new   string // replace the first old with new in the default document
		path       string
		reason     string
		msgContain string
	}{
		{"number missing", ` НомДовер="7d1f3a52-4c8e-4b0a-9f6d-2e5b8c7a1d03"`, "", svDov + "/@НомДовер", poa.ReasonMissing, "missing"},
		{"number not a GUID", `НомДовер="7d1f3a52-4c8e`, `НомДовер="7d1f3a52-4c8x`, svDov + "/@НомДовер", poa.ReasonBadNumber, "GUID"},
		{"internal number missing", ` ВнНомДовер="Д-17/2025"`, "", svDov + "/@ВнНомДовер", poa.ReasonMissing, ""},
		{"internal number too long", `ВнНомДовер="Д-17/2025"`, `ВнНомДовер="` + strings.Repeat("Я", 51) + `"`, svDov + "/@ВнНомДовер", poa.ReasonTooLong, "50"},
		{"issue date bad", `ДатаВыдДовер="2025-01-15"`, `ДатаВыдДовер="15.01.2025"`, svDov + "/@ДатаВыдДовер", poa.ReasonBadDate, "15.01.2025"},
		{"end date impossible", `СрокДейст="2026-01-14"`, `СрокДейст="2026-02-30"`, svDov + "/@СрокДейст", poa.ReasonBadDate, ""},
		{"end date missing", ` СрокДейст="2026-01-14"`, "", svDov + "/@СрокДейст", poa.ReasonMissing, ""},
		{"ends before issue", `СрокДейст="2026-01-14"`, `СрокДейст="2024-01-14"`, svDov + "/@СрокДейст", poa.ReasonDateOrder, ""},
		{"kind unknown", `ВидДовер="1"`, `ВидДовер="7"`, svDov + "/@ВидДовер", poa.ReasonBadValue, `"7"`},
		{"transfer flag unknown", `ПрПередов="1"`, `ПрПередов="0"`, svDov + "/@ПрПередов", poa.ReasonBadValue, ""},
		{"info system missing", "elem:СведСист", "Другое", svDov + "/СведСист", poa.ReasonMissing, ""},
		{"СвДов missing", "elem:СвДов", "СвДовX", svDov, poa.ReasonMissing, "missing"},
		{"Документ missing", "elem:Документ", "Документы", "Документ", poa.ReasonMissing, ""},
		{"no Довер", "elem:Довер", "Доверр", "Документ/Довер", poa.ReasonMissing, "Передов"},
		{"file id missing", ` ИдФайл="` + d.FileID + `"`, "", "@ИдФайл", poa.ReasonMissing, ""},
		{"element flags bad", `ПрЭлФорм="00000000"`, `ПрЭлФорм="0000000x"`, "@ПрЭлФорм", poa.ReasonBadValue, ""},
		{"principal type unknown", `ТипДоверит="1"`, `ТипДоверит="9"`, "Документ/Довер/СвДоверит/@ТипДоверит", poa.ReasonBadValue, ""},
		{"principal type mismatch", `ТипДоверит="1"`, `ТипДоверит="3"`, org, poa.ReasonMismatch, "ИПДовер"},
		{"principal INN check digit", `ИННЮЛ="` + d.Principal.INN + `"`, `ИННЮЛ="` + flip(d.Principal.INN) + `"`, org + "/СвРосОрг/@ИННЮЛ", "invalid_inn_checksum", "check digit is wrong"},
		{"principal INN of a person", `ИННЮЛ="` + d.Principal.INN + `"`, `ИННЮЛ="` + d.Head.INN + `"`, org + "/СвРосОрг/@ИННЮЛ", "invalid_inn_format", "10 digits"},
		{"principal KPP", `КПП="770801001"`, `КПП="7708-01001"`, org + "/СвРосОрг/@КПП", "invalid_kpp_format", ""},
		{"principal KPP missing", ` КПП="770801001"`, "", org + "/СвРосОрг/@КПП", poa.ReasonMissing, ""},
		{"principal OGRN", `ОГРН="` + d.Principal.OGRN + `"`, `ОГРН="` + flip(d.Principal.OGRN) + `"`, org + "/СвРосОрг/@ОГРН", "invalid_ogrn_checksum", ""},
		{"principal name missing", `НаимОрг="ООО &#34;Ромашка-Тест&#34;"`, "", org + "/СвРосОрг/@НаимОрг", poa.ReasonMissing, ""},
		{"principal name empty", `НаимОрг="ООО &#34;Ромашка-Тест&#34;"`, `НаимОрг="  "`, org + "/СвРосОрг/@НаимОрг", poa.ReasonEmpty, ""},
		{"head missing", "elem:ЛицоБезДов", "ЛицоБезДовX", org + "/ЛицоБезДов", poa.ReasonMissing, ""},
		{"head INN", `ИННФЛ="` + d.Head.INN + `"`, `ИННФЛ="` + flip(d.Head.INN) + `"`, org + "/ЛицоБезДов/СвФЛ/@ИННФЛ", "invalid_inn_checksum", ""},
		{"head SNILS", `СНИЛС="` + d.Head.SNILS + `"`, `СНИЛС="` + flip(d.Head.SNILS) + `"`, org + "/ЛицоБезДов/СвФЛ/@СНИЛС", "invalid_snils_checksum", ""},
		{"head surname missing", `Фамилия="Директоров"`, "", org + "/ЛицоБезДов/СвФЛ/СведФЛ/ФИО/@Фамилия", poa.ReasonMissing, ""},
		{"representative missing", "elem:СвУпПред", "СвУпПредX", "Документ/Довер/СвУпПред", poa.ReasonMissing, ""},
		{"representative type mismatch", `ТипПред="3"`, `ТипПред="1"`, "Документ/Довер/СвУпПред/Пред/СведФизЛ", poa.ReasonMismatch, "СведОрг"},
		{"representative INN", `ИННФЛ="` + d.Representatives[0].Person.INN + `"`, `ИННФЛ="1234"`, rep + "/@ИННФЛ", "invalid_inn_format", ""},
		{"representative SNILS", `СНИЛС="` + d.Representatives[0].Person.SNILS + `"`, `СНИЛС="` + flip(d.Representatives[0].Person.SNILS) + `"`, rep + "/@СНИЛС", "invalid_snils_checksum", ""},
		{"representative birth date", `ДатаРожд="1985-04-12"`, `ДатаРожд="1985-13-12"`, rep + "/СведФЛ/@ДатаРожд", poa.ReasonBadDate, ""},
		{"representative name twice", `<ФИО Фамилия="Подписантова"`, `<ФИО Фамилия="X" Имя="Y"/><ФИО Фамилия="Подписантова"`, rep + "/СведФЛ/ФИО", poa.ReasonDuplicate, "2 times"},
		{"powers missing", "elem:СвПолн", "СвПолнX", poln, poa.ReasonMissing, ""},
		{"power type", `ТипПолн="0"`, `ТипПолн="2"`, poln + "/@ТипПолн", poa.ReasonBadValue, ""},
		{"power joint flag", `ПрСовмПолн="1"`, `ПрСовмПолн="3"`, poln + "/@ПрСовмПолн", poa.ReasonBadValue, ""},
		{"power code missing", ` КодПолн="02.001"`, "", poln + "/МашПолн[1]/@КодПолн", poa.ReasonMissing, ""},
		{"power name missing", ` НаимПолн="Подписание актов сверки"`, "", poln + "/МашПолн[5]/@НаимПолн", poa.ReasonMissing, ""},
		{"restriction value missing", "<ТексЗначОгр>1000000 рублей</ТексЗначОгр>", "", poln + "/МашПолн[4]/ОгрСвПолн/КодЗначОгр", poa.ReasonMissing, ""},
		{"restriction id", `ИдОгр="1"`, `ИдОгр="x"`, poln + "/МашПолн[4]/ОгрСвПолн/@ИдОгр", poa.ReasonBadValue, ""},
		{"no powers at all", "elem:МашПолн", "ДругоеПолн", poln + "/МашПолн", poa.ReasonNoPowers, ""},
	}
	base := string(d.XML())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc string
			if name, ok := strings.CutPrefix(tt.old, "elem:"); ok {
				doc = renameElement(base, name, tt.new)
			} else {
				doc = strings.Replace(base, tt.old, tt.new, 1)
			}
			if doc == base {
				t.Fatalf("the default document has no %q", tt.old)
			}
			_, err := poa.Parse([]byte(doc))
			var pe *poa.Error
			if !errors.As(err, &pe) {
				t.Fatalf("want *poa.Error, got %v", err)
			}
			if !errors.Is(err, poa.ErrInvalid) {
				t.Errorf("not ErrInvalid: %v", err)
			}
			if pe.Path != tt.path || pe.Reason != tt.reason {
				t.Errorf("got path %q reason %q, want %q %q (%v)", pe.Path, pe.Reason, tt.path, tt.reason, err)
			}
			if !strings.Contains(err.Error(), tt.msgContain) || !strings.HasPrefix(err.Error(), "poa: "+tt.path+": ") {
				t.Errorf("message %q, want it to start with the path and contain %q", err, tt.msgContain)
			}
		})
	}
}

// renameElement renames every start and end tag of an element, which is
// how a test removes a required element without breaking well-formedness.
func renameElement(doc, name, to string) string {
	return strings.NewReplacer("<"+name+" ", "<"+to+" ", "<"+name+">", "<"+to+">", "<"+name+"/>", "<"+to+"/>",
		"</"+name+">", "</"+to+">").Replace(doc)
}

// flip changes the last digit: a wrong check digit, same length.
func flip(s string) string {
	last := s[len(s)-1]
	return s[:len(s)-1] + string('0'+(last-'0'+1)%10)
}

func cp1251(s string) []byte {
	b, err := charmap.Windows1251.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(err)
	}
	return b
}

// TestRefused covers input that is not a power of attorney or is dangerous.
func TestRefused(t *testing.T) {
	valid := poatest.Default().XML()
	billion := `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Доверенность ВерсФорм="EMCHD_1">&lol9;</Доверенность>`
	external := `<?xml version="1.0"?>
<!DOCTYPE Доверенность [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Доверенность ВерсФорм="EMCHD_1" ИдФайл="&xxe;"/>`
	// a DOCTYPE placed after the XML declaration of a valid document
	withDoctype := bytes.Replace(valid, []byte("?>\n"), []byte("?>\n<!DOCTYPE Доверенность SYSTEM \"http://example.invalid/x.dtd\">\n"), 1)
	deep := `<Доверенность ВерсФорм="EMCHD_1">` + strings.Repeat("<a>", 100000) + strings.Repeat("</a>", 100000) + `</Доверенность>`
	wide := `<Доверенность ВерсФорм="EMCHD_1">` + strings.Repeat("<a/>", 30000) + `</Доверенность>`
	var manyAttrs strings.Builder
	manyAttrs.WriteString(`<Доверенность ВерсФорм="EMCHD_1"><x`)
	for i := range 200 {
		fmt.Fprintf(&manyAttrs, ` a%d="1"`, i)
	}
	manyAttrs.WriteString(`/></Доверенность>`)
	oversize := append(bytes.Clone(valid[:len(valid)-20]), bytes.Repeat([]byte("<!-- padding -->"), poa.MaxSize/16+1)...)

	tests := []struct {
		name    string
		data    []byte
		want    error
		contain string
	}{
		{"billion laughs", []byte(billion), poa.ErrUnsafeXML, "DOCTYPE"},
		{"external entity", []byte(external), poa.ErrUnsafeXML, "DOCTYPE"},
		{"external DTD", withDoctype, poa.ErrUnsafeXML, "DOCTYPE"},
		{"entity without DTD", []byte(`<Доверенность ВерсФорм="EMCHD_1" ИдФайл="&xxe;"/>`), poa.ErrMalformed, "entity"},
		{"too deep", []byte(deep), poa.ErrUnsafeXML, "limits"},
		{"too many elements", []byte(wide), poa.ErrUnsafeXML, "limits"},
		{"too many attributes", []byte(manyAttrs.String()), poa.ErrUnsafeXML, "limits"},
		{"oversize", oversize, poa.ErrTooLarge, "file too large"},
		{"invoice", cp1251(`<?xml version="1.0" encoding="windows-1251"?><Файл ИдФайл="ON_NSCHFDOPPR_2BM_2BM_20250115_1" ВерсФорм="5.03" ВерсПрог="1"><Документ КНД="1115131"/></Файл>`), poa.ErrNotPOA, "this is not a machine-readable power of attorney (EMCHD_1): root element Файл"},
		{"random XML", []byte(`<note><to>Tove</to></note>`), poa.ErrNotPOA, "root element note"},
		{"other namespace", []byte(`<Доверенность xmlns="urn:other" ВерсФорм="EMCHD_1"/>`), poa.ErrNotPOA, "urn:other"},
		{"old format version", []byte(`<Доверенность ВерсФорм="002" ИдФайл="x"/>`), poa.ErrNotPOA, `format version "002"`},
		{"no version", []byte(`<Доверенность ИдФайл="x"/>`), poa.ErrNotPOA, "no format version"},
		{"empty", nil, poa.ErrMalformed, "empty"},
		{"not XML", []byte("%PDF-1.7\n1 0 obj"), poa.ErrMalformed, "not XML"},
		{"only a declaration", []byte(`<?xml version="1.0"?>`), poa.ErrMalformed, "empty"},
		{"binary", []byte{0x30, 0x82, 0x01, 0x0a, 0x02, 0x82}, poa.ErrMalformed, ""},
		{"truncated", valid[:len(valid)/2], poa.ErrMalformed, "truncated"},
		{"truncated in a tag", valid[:bytes.Index(valid, []byte("<СвПолн"))+5], poa.ErrMalformed, "truncated"},
		{"two roots", append(bytes.Clone(valid), valid[bytes.Index(valid, []byte("<Доверенность")):]...), poa.ErrMalformed, "after the root"},
		{"KOI8-R", []byte(`<?xml version="1.0" encoding="KOI8-R"?><Доверенность ВерсФорм="EMCHD_1"/>`), poa.ErrMalformed, `encoding "KOI8-R"`},
		{"windows-1251 bytes declared UTF-8", bytes.Replace(func() []byte {
			d := poatest.Default()
			d.Encoding = "windows-1251"
			return d.XML()
		}(), []byte("windows-1251"), []byte("UTF-8"), 1), poa.ErrMalformed, "not valid UTF-8"},
		{"mismatched tag", []byte(`<Доверенность ВерсФорм="EMCHD_1"><Документ></Довер></Доверенность>`), poa.ErrMalformed, "line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			p, err := poa.Parse(tt.data)
			if elapsed := time.Since(start); elapsed > time.Second {
				t.Errorf("took %v", elapsed)
			}
			if p != nil || !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			var pe *poa.Error
			if !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), "poa: ") || !strings.Contains(err.Error(), tt.contain) {
				t.Errorf("error %q should be a *poa.Error starting with \"poa: \" containing %q", err, tt.contain)
			}
		})
	}
}

// TestManySiblings guards against work quadratic in the number of siblings:
// a document just inside the element limit, with thousands of powers and
// representatives, parses quickly — and so does an error at its far end.
func TestManySiblings(t *testing.T) {
	d := poatest.Default()
	d.Powers = nil
	for i := range 6000 {
		d.Powers = append(d.Powers, poatest.Power{Code: fmt.Sprintf("99.%04d", i), Name: "Полномочие"})
	}
	for range 1500 {
		d.Representatives = append(d.Representatives, d.Representatives[0])
	}
	data := d.XML()
	start := time.Now()
	p := MustParse(t, data)
	if len(p.Powers) != 6000 || len(p.Representatives) != 1501 {
		t.Fatalf("powers %d, representatives %d", len(p.Powers), len(p.Representatives))
	}
	bad := bytes.Replace(data, []byte(`КодПолн="99.5999"`), nil, 1)
	_, err := poa.Parse(bad)
	var pe *poa.Error
	if !errors.As(err, &pe) || pe.Path != "Документ/Довер/СвПолн/МашПолн[6000]/@КодПолн" {
		t.Errorf("error: %v", err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("took %v", elapsed)
	}
}
