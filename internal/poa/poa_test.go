package poa_test

import (
	"strings"
	"testing"
	"time"

	"paraph/internal/poa"
	"paraph/internal/poa/poatest"
)

func TestStatus(t *testing.T) {
	d := poatest.Default() // 2025-01-15 … 2026-01-14
	p := MustParse(t, d.XML())
	msk := time.FixedZone("MSK", 3*3600)
	tests := []struct {
		now         time.Time
		status, why string
	}{
		{time.Date(2025, 1, 14, 23, 59, 59, 0, msk), poa.StatusExpired, poa.ReasonNotYetValid},
		{time.Date(2025, 1, 14, 21, 0, 0, 0, time.UTC), poa.StatusActive, ""}, // 00:00 Moscow on the issue day
		{time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC), poa.StatusActive, ""},
		{time.Date(2025, 12, 16, 0, 0, 0, 0, msk), poa.StatusExpiring, ""}, // 30 days left: Dec 16 … Jan 14
		{time.Date(2025, 12, 15, 23, 59, 0, 0, msk), poa.StatusActive, ""},
		{time.Date(2026, 1, 14, 23, 59, 59, 0, msk), poa.StatusExpiring, ""}, // the last day counts
		{time.Date(2026, 1, 15, 0, 0, 0, 0, msk), poa.StatusExpired, poa.ReasonExpired},
		{time.Date(2026, 1, 14, 21, 0, 0, 0, time.UTC), poa.StatusExpired, poa.ReasonExpired},
	}
	for _, tt := range tests {
		status, why := p.Status(tt.now)
		if status != tt.status || why != tt.why {
			t.Errorf("Status(%v) = %q %q, want %q %q", tt.now, status, why, tt.status, tt.why)
		}
	}
}

func TestHasPower(t *testing.T) {
	d := poatest.Default()
	d.Text = "Представлять интересы общества во всех организациях"
	p := MustParse(t, d.XML())
	for code, want := range map[string]bool{
		"02.001": true, " 02.005 ": true, "02.006": false, "": false, "02": false,
		"Представлять интересы общества во всех организациях": false, // text powers are for people to read
	} {
		if got := p.HasPower(code); got != want {
			t.Errorf("HasPower(%q) = %v", code, got)
		}
	}
	last := p.Powers[len(p.Powers)-1]
	if last.Code != "" || !strings.HasPrefix(last.Name, "Представлять") {
		t.Errorf("text power: %+v", last)
	}
}

func TestRepresentativeMatches(t *testing.T) {
	d := poatest.Default()
	rep := d.Representatives[0].Person
	other := poatest.Default().Head
	p := MustParse(t, d.XML())
	digits := strings.NewReplacer("-", "", " ", "").Replace(rep.SNILS)
	tests := []struct {
		name, inn, snils string
		want             bool
	}{
		{"INN and SNILS", rep.INN, rep.SNILS, true},
		{"INN only", rep.INN, "", true},
		{"SNILS only, digits", "", digits, true},
		{"SNILS with hyphens", "", digits[:3] + "-" + digits[3:6] + "-" + digits[6:9] + "-" + digits[9:], true},
		{"INN matches, SNILS is someone else's", rep.INN, other.SNILS, false},
		{"SNILS matches, INN is someone else's", other.INN, rep.SNILS, false},
		{"another person", other.INN, other.SNILS, false},
		{"the head is not a representative", other.INN, "", false},
		{"nothing", "", "", false},
		{"unreadable SNILS alone", "", "123", false},
	}
	for _, tt := range tests {
		if got := p.RepresentativeMatches(tt.inn, tt.snils); got != tt.want {
			t.Errorf("%s: RepresentativeMatches(%q, %q) = %v", tt.name, tt.inn, tt.snils, got)
		}
	}
}

func TestPrincipalIs(t *testing.T) {
	d := poatest.Default()
	p := MustParse(t, d.XML())
	otherINN, otherOGRN := poatest.INNLegal("500100732"), poatest.OGRN("102500012345")
	tests := []struct {
		inn, ogrn string
		want      bool
	}{
		{d.Principal.INN, d.Principal.OGRN, true},
		{d.Principal.INN, "", true},
		{"", d.Principal.OGRN, true},
		{d.Principal.INN, otherOGRN, false},
		{otherINN, d.Principal.OGRN, false},
		{otherINN, otherOGRN, false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got := p.PrincipalIs(tt.inn, tt.ogrn); got != tt.want {
			t.Errorf("PrincipalIs(%q, %q) = %v", tt.inn, tt.ogrn, got)
		}
	}
}

// TestKinds covers the principals and representatives other than an LLC and
// an employee, and the flags.
func TestKinds(t *testing.T) {
	ie := poatest.Party{Kind: "ie", Org: poatest.Org{OGRN: poatest.OGRNIP("30477001234567")},
		Person: poatest.Person{Last: "Предпринимателев", First: "Олег", INN: poatest.INNPerson("5001007770"), SNILS: poatest.SNILS("334455667")}}
	person := poatest.Party{Kind: "person",
		Person: poatest.Person{Last: "Частная", First: "Мария", INN: poatest.INNPerson("5001008880"), SNILS: poatest.SNILS("445566778")}}
	firm := poatest.Party{Kind: "legal", Org: poatest.Org{Name: "АО Бухгалтерия-Тест", INN: poatest.INNLegal("500100732"),
		KPP: "500101001", OGRN: poatest.OGRN("102500012345")}}

	d := poatest.Default()
	d.Principals = []poatest.Party{ie, person}
	d.Representatives = []poatest.Party{firm, ie}
	d.Irrevocable, d.Transfer, d.Joint, d.NoNamespace = true, "3", true, true
	p := MustParse(t, d.XML())

	if p.Revocable || !p.Transferable || p.Transfer != poa.TransferRepeated || !p.Joint {
		t.Errorf("flags: %+v", p)
	}
	if len(p.Principals) != 2 || len(p.Representatives) != 2 {
		t.Fatalf("principals %d, representatives %d", len(p.Principals), len(p.Representatives))
	}
	if pr := p.Principals[0]; pr.Kind != poa.KindIndividualEntrepreneur || pr.Name != "Предпринимателев Олег" ||
		pr.OGRN != ie.Org.OGRN || pr.INN != ie.Person.INN || len(pr.SNILS) != 11 {
		t.Errorf("entrepreneur principal: %+v", pr)
	}
	if pr := p.Principals[1]; pr.Kind != poa.KindPerson || pr.INN != person.Person.INN || pr.OGRN != "" {
		t.Errorf("person principal: %+v", pr)
	}
	if !p.PrincipalIs(person.Person.INN, "") || !p.PrincipalIs("", ie.Org.OGRN) {
		t.Error("PrincipalIs misses a principal")
	}
	if r := p.Representatives[0]; r.Kind != poa.KindLegal || r.Person != nil || r.Organization.INN != firm.Org.INN {
		t.Errorf("organization representative: %+v", r)
	}
	if !p.RepresentativeOrganizationIs(firm.Org.INN, firm.Org.OGRN) || p.RepresentativeOrganizationIs(ie.Person.INN, "") {
		t.Error("RepresentativeOrganizationIs")
	}
	if r := p.Representatives[1]; r.Kind != poa.KindIndividualEntrepreneur || r.Person == nil || r.Organization.OGRN != ie.Org.OGRN {
		t.Errorf("entrepreneur representative: %+v", r)
	}
	if !p.RepresentativeMatches(ie.Person.INN, ie.Person.SNILS) {
		t.Error("the entrepreneur is a representative")
	}
}

func TestSubstitution(t *testing.T) {
	d := poatest.Default()
	d.Substitution = &poatest.Substitution{OriginalNumber: "0F6E7D8C-9B0A-4C1D-8E2F-3A4B5C6D7E8F"}
	p := MustParse(t, d.XML())
	if p.Substitution == nil || p.Substitution.OriginalNumber != "0f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f" {
		t.Fatalf("substitution: %+v", p.Substitution)
	}
	if len(p.Substitution.TransferredBy) != 1 || p.Substitution.TransferredBy[0].INN != d.Head.INN {
		t.Errorf("transferred by: %+v", p.Substitution.TransferredBy)
	}
	if p.Number != d.Number || !p.PrincipalIs(d.Principal.INN, d.Principal.OGRN) ||
		!p.RepresentativeMatches(d.Representatives[0].Person.INN, "") || !p.HasPower("02.003") {
		t.Errorf("transfer: %+v", p)
	}
}

// An XSD date may carry a time zone; the day is what counts.
func TestDateWithZone(t *testing.T) {
	doc := strings.Replace(string(poatest.Default().XML()), `СрокДейст="2026-01-14"`, `СрокДейст="2026-01-14+03:00"`, 1)
	p := MustParse(t, []byte(doc))
	if !p.ValidUntil.Equal(time.Date(2026, 1, 14, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("ValidUntil %v", p.ValidUntil)
	}
	doc = "\ufeff" + doc // a byte order mark, as Notepad writes
	MustParse(t, []byte(doc))
}
