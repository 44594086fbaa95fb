package paraph_test

import (
	"errors"
	"strings"
	"testing"

	"paraph"
)

func TestOrganizationNormalize(t *testing.T) {
	ruLegal := func() paraph.Organization {
		return paraph.Organization{Kind: "legal", Country: "RU", Name: `ПАО "Сбербанк"`,
			INN: "7707083893", KPP: "773601001", OGRN: "1027700132195"}
	}
	ruIP := func() paraph.Organization {
		return paraph.Organization{Kind: "individual", Country: "RU", Name: "ИП Петрова Анна Сергеевна",
			INN: "500100732259", OGRN: "304500116000157"}
	}
	uaLegal := func() paraph.Organization {
		return paraph.Organization{Kind: "legal", Country: "UA", Name: `АТ "Ощадбанк"`, EDRPOU: "00032129"}
	}
	uaFOP := func() paraph.Organization {
		return paraph.Organization{Kind: "individual", Country: "UA", Name: "ФОП Коваленко Олена", RNOKPP: "1010101015"}
	}
	byLegal := func() paraph.Organization {
		return paraph.Organization{Kind: "legal", Country: "BY", Name: "ОАО Пример", UNP: "200988541"}
	}
	byIP := func() paraph.Organization {
		return paraph.Organization{Kind: "individual", Country: "BY", Name: "ИП Иванов", UNP: "МА1953684"}
	}
	with := func(o paraph.Organization, f func(*paraph.Organization)) paraph.Organization {
		f(&o)
		return o
	}
	for _, c := range []struct {
		name   string
		org    paraph.Organization
		field  string // "" when valid
		reason string
		key    string // the UniqueKey of a valid one
	}{
		{"RU legal", ruLegal(), "", "", "RU:7707083893:773601001"},
		{"RU legal, messy input", with(ruLegal(), func(o *paraph.Organization) {
			o.Kind, o.Country, o.Name, o.INN, o.KPP = " Legal ", "ru", "  ПАО\n\"Сбербанк\" ", " 7707083893 ", "7736ab001"
			o.Email, o.Address = " Info@SberBank.RU ", " 117997,\n Москва,  ул. Вавилова, 19 "
		}), "", "", "RU:7707083893:7736AB001"},
		{"RU branch: same INN, other KPP", with(ruLegal(), func(o *paraph.Organization) { o.KPP = "775001001" }), "", "", "RU:7707083893:775001001"},
		{"RU IP", ruIP(), "", "", "RU:500100732259"},
		{"UA legal", uaLegal(), "", "", "UA:00032129"},
		{"UA FOP", uaFOP(), "", "", "UA:1010101015"},
		{"BY legal", byLegal(), "", "", "BY:200988541"},
		{"BY IP, letters in Cyrillic", byIP(), "", "", "BY:MA1953684"},

		{"no kind", with(ruLegal(), func(o *paraph.Organization) { o.Kind = "" }), "kind", "invalid_org_kind", ""},
		{"odd kind", with(ruLegal(), func(o *paraph.Organization) { o.Kind = "company" }), "kind", "invalid_org_kind", ""},
		{"no country", with(ruLegal(), func(o *paraph.Organization) { o.Country = "" }), "country", "invalid_country", ""},
		{"odd country", with(ruLegal(), func(o *paraph.Organization) { o.Country = "KZ" }), "country", "invalid_country", ""},
		{"no name", with(ruLegal(), func(o *paraph.Organization) { o.Name = " \t" }), "name", "name_required", ""},
		{"long name", with(ruLegal(), func(o *paraph.Organization) { o.Name = strings.Repeat("я", 301) }), "name", "name_too_long", ""},
		{"name of 300", with(ruLegal(), func(o *paraph.Organization) { o.Name = strings.Repeat("я", 300) }), "", "", "RU:7707083893:773601001"},
		{"control char in name", with(ruLegal(), func(o *paraph.Organization) { o.Name = "ООО\x00Ромашка" }), "name", "name_invalid", ""},
		{"bidi override in name", with(ruLegal(), func(o *paraph.Organization) { o.Name = "ООО \u202eРомашка" }), "name", "name_invalid", ""},
		{"invalid UTF-8 in name", with(ruLegal(), func(o *paraph.Organization) { o.Name = "ООО \xff" }), "name", "name_invalid", ""},

		{"RU legal without INN", with(ruLegal(), func(o *paraph.Organization) { o.INN = "" }), "inn", "inn_required", ""},
		{"RU legal without KPP", with(ruLegal(), func(o *paraph.Organization) { o.KPP = "" }), "kpp", "kpp_required", ""},
		{"RU legal without OGRN", with(ruLegal(), func(o *paraph.Organization) { o.OGRN = "" }), "ogrn", "ogrn_required", ""},
		{"RU legal with a person's INN", with(ruLegal(), func(o *paraph.Organization) { o.INN = "500100732259" }), "inn", "invalid_inn_format", ""},
		{"RU legal, INN typo", with(ruLegal(), func(o *paraph.Organization) { o.INN = "7707083983" }), "inn", "invalid_inn_checksum", ""},
		{"RU legal, bad KPP", with(ruLegal(), func(o *paraph.Organization) { o.KPP = "77360100" }), "kpp", "invalid_kpp_format", ""},
		{"RU legal with an OGRNIP", with(ruLegal(), func(o *paraph.Organization) { o.OGRN = "304500116000157" }), "ogrn", "invalid_ogrn_format", ""},
		{"RU legal, OGRN typo", with(ruLegal(), func(o *paraph.Organization) { o.OGRN = "1027700132194" }), "ogrn", "invalid_ogrn_checksum", ""},
		{"RU legal with EDRPOU", with(ruLegal(), func(o *paraph.Organization) { o.EDRPOU = "00032129" }), "edrpou", "identifier_not_for_country", ""},
		{"RU legal with UNP", with(ruLegal(), func(o *paraph.Organization) { o.UNP = "200988541" }), "unp", "identifier_not_for_country", ""},
		{"RU legal with RNOKPP", with(ruLegal(), func(o *paraph.Organization) { o.RNOKPP = "1010101015" }), "rnokpp", "identifier_not_for_country", ""},

		{"RU IP without INN", with(ruIP(), func(o *paraph.Organization) { o.INN = "" }), "inn", "inn_required", ""},
		{"RU IP with a company INN", with(ruIP(), func(o *paraph.Organization) { o.INN = "7707083893" }), "inn", "invalid_inn_format", ""},
		{"RU IP without OGRNIP", with(ruIP(), func(o *paraph.Organization) { o.OGRN = "" }), "ogrn", "ogrnip_required", ""},
		{"RU IP with an OGRN", with(ruIP(), func(o *paraph.Organization) { o.OGRN = "1027700132195" }), "ogrn", "invalid_ogrnip_format", ""},
		{"RU IP, OGRNIP typo", with(ruIP(), func(o *paraph.Organization) { o.OGRN = "304500116000175" }), "ogrn", "invalid_ogrnip_checksum", ""},
		{"RU IP with KPP", with(ruIP(), func(o *paraph.Organization) { o.KPP = "773601001" }), "kpp", "identifier_not_for_kind", ""},

		{"UA legal without EDRPOU", with(uaLegal(), func(o *paraph.Organization) { o.EDRPOU = "" }), "edrpou", "edrpou_required", ""},
		{"UA legal, EDRPOU typo", with(uaLegal(), func(o *paraph.Organization) { o.EDRPOU = "00032192" }), "edrpou", "invalid_edrpou_checksum", ""},
		{"UA legal with INN", with(uaLegal(), func(o *paraph.Organization) { o.INN = "7707083893" }), "inn", "identifier_not_for_country", ""},
		{"UA legal with RNOKPP", with(uaLegal(), func(o *paraph.Organization) { o.RNOKPP = "1010101015" }), "rnokpp", "identifier_not_for_kind", ""},
		{"UA FOP without RNOKPP", with(uaFOP(), func(o *paraph.Organization) { o.RNOKPP = "" }), "rnokpp", "rnokpp_required", ""},
		{"UA FOP, RNOKPP typo", with(uaFOP(), func(o *paraph.Organization) { o.RNOKPP = "1010101016" }), "rnokpp", "invalid_rnokpp_checksum", ""},
		{"UA FOP with EDRPOU", with(uaFOP(), func(o *paraph.Organization) { o.EDRPOU = "00032129" }), "edrpou", "identifier_not_for_kind", ""},
		{"UA FOP with OGRN", with(uaFOP(), func(o *paraph.Organization) { o.OGRN = "1027700132195" }), "ogrn", "identifier_not_for_country", ""},

		{"BY without UNP", with(byLegal(), func(o *paraph.Organization) { o.UNP = "" }), "unp", "unp_required", ""},
		{"BY IP without UNP", with(byIP(), func(o *paraph.Organization) { o.UNP = "" }), "unp", "unp_required", ""},
		{"BY, UNP typo", with(byLegal(), func(o *paraph.Organization) { o.UNP = "200988514" }), "unp", "invalid_unp_checksum", ""},
		{"BY with KPP", with(byLegal(), func(o *paraph.Organization) { o.KPP = "773601001" }), "kpp", "identifier_not_for_country", ""},

		{"bad email", with(ruLegal(), func(o *paraph.Organization) { o.Email = "info@" }), "email", "invalid_email", ""},
		{"long address", with(ruLegal(), func(o *paraph.Organization) { o.Address = strings.Repeat("д", 501) }), "address", "address_too_long", ""},
		{"address with a tab and line breaks", with(ruLegal(), func(o *paraph.Organization) { o.Address = "Москва,\r\n\tул. Вавилова" }), "", "", "RU:7707083893:773601001"},
		{"first error wins: INN before KPP", with(ruLegal(), func(o *paraph.Organization) { o.INN, o.KPP = "", "" }), "inn", "inn_required", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := c.org
			before := o
			err := o.Normalize()
			if c.reason == "" {
				if err != nil {
					t.Fatalf("%v", err)
				}
				if got := o.UniqueKey(); got != c.key {
					t.Errorf("UniqueKey %q, want %q", got, c.key)
				}
				return
			}
			var e *paraph.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want %s/%s", err, c.field, c.reason)
			}
			if e.Code != paraph.EINVALID || e.Field != c.field || e.Reason != c.reason || e.Message == "" {
				t.Errorf("got %s %s/%s %q, want %s/%s", e.Code, e.Field, e.Reason, e.Message, c.field, c.reason)
			}
			if o != before {
				t.Errorf("an invalid organization was changed: %+v", o)
			}
		})
	}
}

func TestOrganizationNormalizeCanonical(t *testing.T) {
	o := paraph.Organization{Kind: " Legal ", Country: "ru", Name: "  ПАО\n\"Сбербанк\" ",
		INN: " 7707083893 ", KPP: "7736ab001", OGRN: "1027700132195 ",
		Email: " Info@SberBank.RU ", Address: " 117997,\n Москва,  ул. Вавилова, 19 "}
	if err := o.Normalize(); err != nil {
		t.Fatal(err)
	}
	want := paraph.Organization{Kind: paraph.OrgLegal, Country: paraph.CountryRU, Name: `ПАО "Сбербанк"`,
		INN: "7707083893", KPP: "7736AB001", OGRN: "1027700132195",
		Email: "info@sberbank.ru", Address: "117997, Москва, ул. Вавилова, 19"}
	if o != want {
		t.Errorf("got %+v\nwant %+v", o, want)
	}
	b := paraph.Organization{Kind: "individual", Country: "BY", Name: "ИП", UNP: " ма1953684 "}
	if err := b.Normalize(); err != nil || b.UNP != "MA1953684" {
		t.Errorf("UNP %q, %v", b.UNP, err)
	}
}

func TestOrganizationUniqueKeyUnknown(t *testing.T) {
	for _, o := range []paraph.Organization{{}, {Country: "RU"}, {Country: "KZ", Kind: "legal"}} {
		if k := o.UniqueKey(); k != "" {
			t.Errorf("%+v: key %q", o, k)
		}
	}
}

func TestOrganizationNormalizeNilIsNil(t *testing.T) {
	o := paraph.Organization{Kind: "legal", Country: "UA", Name: "X", EDRPOU: "00032129"}
	if err := o.Normalize(); err != nil {
		t.Fatalf("%#v", err)
	}
}
