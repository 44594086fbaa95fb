package paraph_test

import (
	"testing"

	"paraph"
)

func TestCheckAuthority(t *testing.T) {
	ru := &paraph.Organization{Kind: paraph.OrgLegal, Country: paraph.CountryRU, INN: "7707083893", KPP: "773601001", OGRN: "1027700132195"}
	ip := &paraph.Organization{Kind: paraph.OrgIndividual, Country: paraph.CountryRU, INN: "500100732259", OGRN: "304500116000157"}
	ua := &paraph.Organization{Kind: paraph.OrgLegal, Country: paraph.CountryUA, EDRPOU: "00032129"}
	by := &paraph.Organization{Kind: paraph.OrgLegal, Country: paraph.CountryBY, UNP: "191234563"}

	head := paraph.SignerIdentity{INN: "771234567890", SNILS: "11223344595", INNLE: "7707083893", OGRN: "1027700132195"}
	otherHead := paraph.SignerIdentity{INN: "771234567890", SNILS: "11223344595", INNLE: "7712345671", OGRN: "1027700123450"}
	person := paraph.SignerIdentity{INN: "771234567890", SNILS: "11223344595"}
	stranger := paraph.SignerIdentity{INN: "500100732259", SNILS: "08765430300"}

	good := paraph.POACandidate{ID: "p1", Number: "N-1", Status: paraph.POAActive, PrincipalINN: "7707083893",
		RepresentativeINN: "771234567890", RepresentativeSNILS: "11223344595", Powers: []string{"SIGN_DOCS"}}
	with := func(p paraph.POACandidate, f func(*paraph.POACandidate)) paraph.POACandidate { f(&p); return p }
	expiring := with(good, func(p *paraph.POACandidate) { p.Status = paraph.POAExpiring })
	expired := with(good, func(p *paraph.POACandidate) { p.ID, p.Number, p.Status = "p2", "N-2", paraph.POAExpired })
	revoked := with(good, func(p *paraph.POACandidate) { p.ID, p.Number, p.Status = "p3", "N-3", paraph.POARevoked })
	otherPrincipal := with(good, func(p *paraph.POACandidate) { p.PrincipalINN = "7712345671" })
	bySNILSOnly := with(good, func(p *paraph.POACandidate) { p.RepresentativeINN = "" })
	otherRep := with(good, func(p *paraph.POACandidate) { p.RepresentativeINN, p.RepresentativeSNILS = "500100732259", "" })
	mainExpired := with(expired, func(p *paraph.POACandidate) { p.IsMain = true })
	mainGood := with(good, func(p *paraph.POACandidate) { p.ID, p.IsMain = "main", true })

	for _, c := range []struct {
		name     string
		org      *paraph.Organization
		id       paraph.SignerIdentity
		poas     []paraph.POACandidate
		power    string
		needs    bool
		reason   string
		chosenID string
	}{
		{"head of the organization: no МЧД", ru, head, nil, "", false, "", ""},
		{"head of another organization", ru, otherHead, []paraph.POACandidate{good}, "", false, "certificate_other_organization", ""},
		{"personal certificate without МЧД", ru, person, nil, "", true, "poa_missing", ""},
		{"personal certificate with a fitting МЧД", ru, person, []paraph.POACandidate{good}, "", true, "", "p1"},
		{"expiring still works", ru, person, []paraph.POACandidate{expiring}, "", true, "", "p1"},
		{"expired", ru, person, []paraph.POACandidate{expired}, "", true, "poa_expired", ""},
		{"revoked", ru, person, []paraph.POACandidate{revoked}, "", true, "poa_revoked", ""},
		{"principal is another organization", ru, person, []paraph.POACandidate{otherPrincipal}, "", true, "poa_principal_mismatch", ""},
		{"representative matched by SNILS", ru, person, []paraph.POACandidate{bySNILSOnly}, "", true, "", "p1"},
		{"representative is someone else", ru, person, []paraph.POACandidate{otherRep}, "", true, "poa_representative_mismatch", ""},
		{"certificate of another person", ru, stranger, []paraph.POACandidate{good}, "", true, "poa_representative_mismatch", ""},
		{"power granted", ru, person, []paraph.POACandidate{good}, "SIGN_DOCS", true, "", "p1"},
		{"power not granted", ru, person, []paraph.POACandidate{good}, "SIGN_INVOICES", true, "poa_no_power", ""},
		{"main tried first, then another fits", ru, person, []paraph.POACandidate{good, mainExpired}, "", true, "", "p1"},
		{"main one chosen over others", ru, person, []paraph.POACandidate{good, mainGood}, "", true, "", "main"},
		{"none fits: the main one's reason", ru, person, []paraph.POACandidate{revoked, mainExpired}, "", true, "poa_expired", ""},
		{"sole proprietor signs for themselves", ip, stranger, nil, "", false, "", ""},
		{"UA: the organization's certificate", ua, paraph.SignerIdentity{EDRPOU: "00032129", RNOKPP: "1234567899"}, nil, "", false, "", ""},
		{"UA: another organization's certificate", ua, paraph.SignerIdentity{EDRPOU: "14360570"}, nil, "", false, "certificate_other_organization", ""},
		{"UA: a personal certificate needs no МЧД", ua, paraph.SignerIdentity{RNOKPP: "1234567899"}, nil, "", false, "", ""},
		{"BY: no МЧД", by, person, nil, "", false, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := paraph.CheckAuthority(c.org, c.id, c.poas, c.power)
			if a.NeedsPOA != c.needs || a.Reason != c.reason {
				t.Fatalf("got needs=%v reason=%q (%s), want needs=%v reason=%q", a.NeedsPOA, a.Reason, a.Message, c.needs, c.reason)
			}
			if a.OK() != (c.reason == "") || (a.Reason != "" && a.Message == "") {
				t.Fatalf("OK/message inconsistent: %+v", a)
			}
			got := ""
			if a.POA != nil {
				got = a.POA.ID
			}
			if got != c.chosenID {
				t.Fatalf("chose %q, want %q", got, c.chosenID)
			}
		})
	}
}
