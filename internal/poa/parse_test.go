package poa_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"paraph"
	"paraph/internal/poa"
	"paraph/internal/poa/poatest"
)

// MustParse parses a document the test expects to be valid.
func MustParse(tb testing.TB, data []byte) *poa.PowerOfAttorney {
	tb.Helper()
	p, err := poa.Parse(data)
	if err != nil {
		tb.Fatalf("Parse: %v\n%s", err, data)
	}
	return p
}

func TestBuilderIdentifiersAreValid(t *testing.T) {
	d := poatest.Default()
	checks := []struct {
		name string
		err  error
	}{
		{"principal INN", paraph.CheckINNLegal(d.Principal.INN)},
		{"principal KPP", paraph.CheckKPP(d.Principal.KPP)},
		{"principal OGRN", paraph.CheckOGRN(d.Principal.OGRN)},
		{"head INN", paraph.CheckINNPerson(d.Head.INN)},
		{"head SNILS", paraph.CheckSNILS(d.Head.SNILS)},
		{"rep INN", paraph.CheckINNPerson(d.Representatives[0].Person.INN)},
		{"rep SNILS", paraph.CheckSNILS(d.Representatives[0].Person.SNILS)},
		{"OGRNIP", paraph.CheckOGRNIP(poatest.OGRNIP("30477001234567"))},
	}
	for _, c := range checks {
		if c.err != nil {
			t.Errorf("%s: %v", c.name, c.err)
		}
	}
}

func TestParseDefault(t *testing.T) {
	for _, enc := range []string{"UTF-8", "windows-1251"} {
		t.Run(enc, func(t *testing.T) {
			d := poatest.Default()
			d.Encoding = enc
			data := d.XML()
			p := MustParse(t, data)
			if !bytes.Equal(p.Raw, data) {
				t.Error("Raw is not the input")
			}
			if p.Number != d.Number || p.InternalNumber != "Д-17/2025" || p.FileID != d.FileID {
				t.Errorf("numbers: %q %q %q", p.Number, p.InternalNumber, p.FileID)
			}
			if !p.IssuedOn.Equal(d.IssuedOn) || !p.ValidUntil.Equal(d.ValidUntil) {
				t.Errorf("dates: %v %v", p.IssuedOn, p.ValidUntil)
			}
			if !p.Revocable || p.Transferable || p.Transfer != poa.TransferNone || p.Joint {
				t.Errorf("flags: revocable %v transferable %v %q joint %v", p.Revocable, p.Transferable, p.Transfer, p.Joint)
			}
			if len(p.Principals) != 1 {
				t.Fatalf("principals: %d", len(p.Principals))
			}
			pr := p.Principals[0]
			if pr.Kind != poa.KindLegal || pr.Name != `ООО "Ромашка-Тест"` || pr.INN != d.Principal.INN ||
				pr.KPP != d.Principal.KPP || pr.OGRN != d.Principal.OGRN {
				t.Errorf("principal: %+v", pr)
			}
			if len(pr.Heads) != 1 || pr.Heads[0].Name.String() != "Директоров Пётр Иванович" ||
				pr.Heads[0].Position != "Генеральный директор" || pr.Heads[0].INN != d.Head.INN ||
				len(pr.Heads[0].SNILS) != 11 {
				t.Errorf("head: %+v", pr.Heads)
			}
			if len(p.Representatives) != 1 || p.Representatives[0].Person == nil {
				t.Fatalf("representatives: %+v", p.Representatives)
			}
			r := p.Representatives[0]
			if r.Kind != poa.KindPerson || r.Person.Name != (poa.FullName{Last: "Подписантова", First: "Анна", Middle: "Сергеевна"}) ||
				r.Person.BirthDate != time.Date(1985, 4, 12, 0, 0, 0, 0, time.UTC) {
				t.Errorf("representative: %+v", r.Person)
			}
			if len(p.Powers) != 5 || p.Powers[3].Code != "02.004" || len(p.Powers[3].Restrictions) != 1 ||
				p.Powers[3].Restrictions[0].String() != "Предельная сумма сделки: 1000000 рублей" {
				t.Errorf("powers: %+v", p.Powers)
			}
		})
	}
}

// The samples in testdata are what the builder makes; -update rewrites them.
func TestSamples(t *testing.T) {
	samples := map[string]func() *poatest.POA{
		"emchd_utf8.xml": poatest.Default,
		"emchd_cp1251.xml": func() *poatest.POA {
			d := poatest.Default()
			d.Encoding = "windows-1251"
			return d
		},
		"emchd_kinds.xml": func() *poatest.POA {
			d := poatest.Default()
			d.Principals = []poatest.Party{
				{Kind: "ie", Org: poatest.Org{OGRN: poatest.OGRNIP("30477001234567")}, Person: poatest.Person{
					Last: "Предпринимателев", First: "Олег", INN: poatest.INNPerson("5001007770"), SNILS: poatest.SNILS("334455667")}},
				{Kind: "person", Person: poatest.Person{
					Last: "Частная", First: "Мария", INN: poatest.INNPerson("5001008880"), SNILS: poatest.SNILS("445566778")}},
			}
			d.Representatives = append(d.Representatives,
				poatest.Party{Kind: "legal", Org: poatest.Org{Name: "АО Бухгалтерия-Тест", INN: poatest.INNLegal("500100732"),
					KPP: "500101001", OGRN: poatest.OGRN("102500012345")}},
				poatest.Party{Kind: "ie", Org: poatest.Org{Name: "ИП Предпринимателев", OGRN: poatest.OGRNIP("30477001234567")},
					Person: poatest.Person{Last: "Предпринимателев", First: "Олег", INN: poatest.INNPerson("5001007770"), SNILS: poatest.SNILS("334455667")}})
			d.Irrevocable, d.Transfer, d.Joint = true, "3", true
			d.Text = "Представлять интересы доверителя в налоговых органах"
			return d
		},
		"emchd_transfer.xml": func() *poatest.POA {
			d := poatest.Default()
			d.Substitution = &poatest.Substitution{OriginalNumber: "0f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f"}
			d.Transfer = "2"
			return d
		},
	}
	for name, build := range samples {
		path := filepath.Join("testdata", name)
		data := build().XML()
		if *update {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to write it)", err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("%s differs from what the builder makes (run with -update)", name)
		}
		MustParse(t, got)
	}
}

// TestSamplesValidAgainstXSD proves the builder writes schema-valid files:
// xmllint checks them against the official FNS schema.
func TestSamplesValidAgainstXSD(t *testing.T) {
	// A copy of the official schema (shared/formats), kept here so the test
	// runs wherever the repository does.
	xsd := "testdata/ON_EMCHD_1_928_00_01_01_01.xsd"
	if _, err := os.Stat(xsd); err != nil {
		skipOrFail(t, "the EMCHD_1 schema is not at "+xsd)
	}
	if _, err := exec.LookPath("xmllint"); err != nil {
		skipOrFail(t, "xmllint is not installed (apt-get install libxml2-utils)")
	}
	files, _ := filepath.Glob("testdata/*.xml")
	if len(files) == 0 {
		t.Fatal("no samples in testdata")
	}
	for _, f := range files {
		out, err := exec.Command("xmllint", "--noout", "--schema", xsd, f).CombinedOutput()
		if err != nil {
			t.Errorf("%s is not valid against the schema: %v\n%s", f, err, out)
		}
	}
}

func skipOrFail(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func TestErrorKinds(t *testing.T) {
	if _, err := poa.Parse(bytes.Repeat([]byte(" "), poa.MaxSize+1)); !errors.Is(err, poa.ErrTooLarge) {
		t.Errorf("oversize: %v", err)
	}
	_, err := poa.Parse([]byte(`<?xml version="1.0"?><Файл ИдФайл="ON_NSCHFDOPPR_1" ВерсФорм="5.03"><Документ/></Файл>`))
	if !errors.Is(err, poa.ErrNotPOA) || !strings.Contains(err.Error(), "root element Файл") {
		t.Errorf("invoice: %v", err)
	}
	if err != nil && strings.HasPrefix(err.Error(), "poa: ") == false {
		t.Errorf("no prefix: %v", err)
	}
}

// Encoding labels are case-insensitive, and windows-1251 has its aliases.
func TestEncodingLabels(t *testing.T) {
	for _, label := range []string{"utf-8", "Windows-1251", "CP1251"} {
		d := poatest.Default()
		d.Encoding = "windows-1251"
		data := d.XML()
		if label == "utf-8" {
			data = poatest.Default().XML()
		}
		data = bytes.Replace(data, []byte(`encoding="`+map[bool]string{true: "UTF-8", false: "windows-1251"}[label == "utf-8"]+`"`), []byte(`encoding="`+label+`"`), 1)
		if p := MustParse(t, data); p.Representatives[0].Person.Name.Last != "Подписантова" {
			t.Errorf("%s: %+v", label, p.Representatives[0].Person.Name)
		}
	}
}
