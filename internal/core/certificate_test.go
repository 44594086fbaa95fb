package core_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"paraph"
	"paraph/cades"
	"paraph/internal/core"
	"paraph/internal/poa/poatest"
	"paraph/internal/store"
	"paraph/internal/storetest"
	"paraph/pki"
	"paraph/pki/pkitest"
)

// certEnv is an organization with an owner and a signer, and a test CA.
type certEnv struct {
	*env
	owner, signerCtx context.Context
	org              *paraph.Organization
	signer           *paraph.Member
	ca               *pkitest.CA
}

func newCertEnv(t *testing.T, db *store.DB) *certEnv {
	t.Helper()
	e := newEnv(t, db)
	ce := &certEnv{env: e, ca: pkitest.NewCA(t, pkitest.Options{})}
	ce.owner = e.person(t, "director@example.com", "Директоров Пётр Иванович")
	ce.signerCtx = e.person(t, "anna@example.com", "Подписантова Анна Сергеевна")
	d := poatest.Default()
	var err error
	ce.org, err = e.svc.CreateOrganization(ce.owner, paraph.Organization{Kind: paraph.OrgLegal, Country: paraph.CountryRU,
		Name: d.Principal.Name, INN: d.Principal.INN, KPP: d.Principal.KPP, OGRN: d.Principal.OGRN})
	if err != nil {
		t.Fatal(err)
	}
	ce.signer, err = e.svc.AddMember(ce.owner, ce.org.ID, core.MemberInput{FullName: "Подписантова Анна Сергеевна",
		Email: "anna@example.com", Phone: "+79160001111", Role: "signer", AccessScope: "all"})
	if err != nil {
		t.Fatal(err)
	}
	return ce
}

// annaSubject is the representative of poatest.Default, as her certificate names her.
func annaSubject() pkitest.Subject {
	r := poatest.Default().Representatives[0].Person
	return pkitest.Subject{CommonName: "Подписантова Анна Сергеевна", Surname: "Подписантова", GivenName: "Анна Сергеевна",
		INN: r.INN, SNILS: digits(r.SNILS), Country: "RU"}
}

func TestUploadCertificateAndStatus(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ce := newCertEnv(t, db)
		leaf := ce.ca.Issue(t, pkitest.LeafOptions{Subject: annaSubject(), NotAfter: ce.clock.Now().Add(90 * 24 * time.Hour)})

		// Garbage and a private key are refused with what to do.
		_, err := ce.svc.UploadCertificate(ce.signerCtx, ce.org.ID, ce.signer.ID, []byte("hello"))
		wantReason(t, err, "not_certificate")
		_, err = ce.svc.UploadCertificate(ce.signerCtx, ce.org.ID, ce.signer.ID, leaf.KeyPEM(t))
		wantReason(t, err, "private_key_uploaded")
		if !strings.Contains(paraph.AsError(err).Message, "private key") {
			t.Fatalf("message: %v", err)
		}
		_, err = ce.svc.UploadCertificate(ce.signerCtx, ce.org.ID, ce.signer.ID, leaf.DER()[:100])
		wantReason(t, err, "certificate_truncated")

		// The member uploads her own certificate (with the chain): kept, but
		// untrusted until the instance trusts the root.
		v, err := ce.svc.UploadCertificate(ce.signerCtx, ce.org.ID, ce.signer.ID, append(leaf.PEM(), pkitest.PEM(ce.ca.Root())...))
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != pki.StatusInvalid || v.Reason != pki.ReasonUntrusted || v.Cert.SNILS != annaSubject().SNILS {
			t.Fatalf("before trusting the root: %s %s %+v", v.Status, v.Reason, v.Cert.SNILS)
		}
		// Only the instance administrator manages roots.
		_, err = ce.svc.AddTrustRoot(ce.owner, pkitest.PEM(ce.ca.Root()))
		wantReason(t, err, "instance_admin_only")
		if _, err := ce.svc.SetInstanceAdmin(context.Background(), "director@example.com", true); err != nil {
			t.Fatal(err)
		}
		admin := ce.person(t, "root@example.com", "Root Admin")
		_, err = ce.svc.AddTrustRoot(admin, pkitest.PEM(ce.ca.Root()))
		wantReason(t, err, "instance_admin_only") // rights are read at login: root@ is not admin
		adminCtx := ce.relogin(t, "director@example.com")
		if _, err := ce.svc.AddTrustRoot(adminCtx, leaf.PEM()); paraph.ErrorReason(err) != "not_a_ca" {
			t.Fatalf("a leaf as root: %v", err)
		}
		if _, err := ce.svc.AddTrustRoot(adminCtx, pkitest.PEM(ce.ca.Root())); err != nil {
			t.Fatal(err)
		}
		list, err := ce.svc.Certificates(ce.owner, ce.org.ID, ce.signer.ID)
		if err != nil || len(list) != 1 || list[0].Status != pki.StatusActive {
			t.Fatalf("after trusting: %+v %v", list, err)
		}
		// The clock decides: 60 days later it is expiring, 100 days later expired; still listed.
		ce.clock.Advance(65 * 24 * time.Hour)
		list, _ = ce.svc.Certificates(ce.owner, ce.org.ID, ce.signer.ID)
		if list[0].Status != pki.StatusExpiring {
			t.Fatalf("65 days on: %s", list[0].Status)
		}
		ce.clock.Advance(40 * 24 * time.Hour)
		list, _ = ce.svc.Certificates(ce.owner, ce.org.ID, ce.signer.ID)
		if len(list) != 1 || list[0].Status != pki.StatusInvalid || list[0].Reason != pki.ReasonExpired {
			t.Fatalf("expired: %+v", list)
		}
		// The same certificate twice is a conflict.
		_, err = ce.svc.UploadCertificate(ce.signerCtx, ce.org.ID, ce.signer.ID, leaf.PEM())
		wantReason(t, err, "certificate_exists")
		// The person's identifiers are now those of the certificate: another person's is refused.
		other := ce.ca.Issue(t, pkitest.LeafOptions{Subject: pkitest.PersonRU()})
		_, err = ce.svc.UploadCertificate(ce.signerCtx, ce.org.ID, ce.signer.ID, other.PEM())
		wantReason(t, err, "certificate_other_person")
		// A certificate of another organization's head is refused.
		otherOrg := ce.ca.Issue(t, pkitest.LeafOptions{Subject: pkitest.Subject{CommonName: "Other", INN: annaSubject().INN,
			SNILS: annaSubject().SNILS, INNLE: "7712345671", OGRN: "1027700123450"}})
		_, err = ce.svc.UploadCertificate(ce.signerCtx, ce.org.ID, ce.signer.ID, otherOrg.PEM())
		wantReason(t, err, "certificate_other_organization")
		// Another member cannot upload for her.
		_, err = ce.svc.UploadCertificate(ce.relogin(t, "root@example.com"), ce.org.ID, ce.signer.ID, leaf.PEM())
		wantReason(t, err, "not_found")
	})
}

// relogin logs an existing person in again, so a fresh principal carries
// the account as it is now.
func (e *env) relogin(t *testing.T, login string) context.Context {
	t.Helper()
	ctx := ctxFrom("198.51.100.2")
	_, tok, err := e.svc.Login(ctx, login, "a long password 1", store.TokenBearer)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.svc.Authenticate(ctx, tok.Secret)
	if err != nil {
		t.Fatal(err)
	}
	return core.WithPrincipal(ctx, p)
}

func TestCertificateReminders(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	ce := newCertEnv(t, db)
	leaf := ce.ca.Issue(t, pkitest.LeafOptions{Subject: annaSubject(), NotAfter: ce.clock.Now().Add(40 * 24 * time.Hour)})
	if _, err := ce.svc.UploadCertificate(ce.signerCtx, ce.org.ID, ce.signer.ID, leaf.PEM()); err != nil {
		t.Fatal(err)
	}
	count := func() map[string]int {
		ce.deliver(t)
		out := map[string]int{}
		for _, m := range ce.sent.msgs {
			if strings.Contains(m.Subject, "истекает") {
				out[m.To]++
			}
		}
		return out
	}
	remind := func() {
		if _, err := ce.svc.RemindExpiringCertificates(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	remind()
	if n := count(); len(n) != 0 {
		t.Fatalf("40 days before: %v", n)
	}
	ce.clock.Advance(11 * 24 * time.Hour) // 29 days left
	remind()
	remind() // twice in the same window: sent once
	if n := count(); n["anna@example.com"] != 1 || n["director@example.com"] != 1 {
		t.Fatalf("30-day reminder: %v", n)
	}
	ce.clock.Advance(23 * 24 * time.Hour) // 6 days left
	remind()
	if n := count(); n["anna@example.com"] != 2 || n["director@example.com"] != 2 {
		t.Fatalf("7-day reminder: %v", n)
	}
}

// signPOA makes the director's signature over the XML, as the FNS format requires.
func signPOA(t *testing.T, ca *pkitest.CA, xml []byte) []byte {
	t.Helper()
	h := poatest.Default().Head
	director := ca.Issue(t, pkitest.LeafOptions{Subject: pkitest.Subject{CommonName: "Директоров Пётр Иванович", INN: h.INN, SNILS: digits(h.SNILS),
		INNLE: poatest.Default().Principal.INN, OGRN: poatest.Default().Principal.OGRN}})
	sig, err := cades.Sign(bytes.NewReader(xml), director.Cert.X509, director.Key, cades.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func TestPOAUploadAndAuthority(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ce := newCertEnv(t, db)
		ce.clock.Advance(-ce.clock.Now().Sub(time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC))) // inside the МЧД's validity
		leaf := ce.ca.Issue(t, pkitest.LeafOptions{Subject: annaSubject()})
		if _, err := ce.svc.UploadCertificate(ce.signerCtx, ce.org.ID, ce.signer.ID, leaf.PEM()); err != nil {
			t.Fatal(err)
		}
		// Without a МЧД her personal certificate does not sign for the organization.
		a, err := ce.svc.SigningAuthority(ce.owner, ce.org.ID, ce.signer.ID, leaf.Cert, "")
		if err != nil || a.Reason != "poa_missing" || !a.NeedsPOA {
			t.Fatalf("without МЧД: %+v %v", a, err)
		}
		xml := poatest.Default().XML()
		sig := signPOA(t, ce.ca, xml)
		// The signature must be over these very bytes.
		tampered := bytes.Replace(xml, []byte("Подписание договоров"), []byte("Подписание договоров!"), 1)
		_, err = ce.svc.UploadPOA(ce.owner, ce.org.ID, ce.signer.ID, tampered, sig)
		wantReason(t, err, "poa_signature_mismatch")
		_, err = ce.svc.UploadPOA(ce.owner, ce.org.ID, ce.signer.ID, []byte(`<?xml version="1.0"?><Файл ВерсФорм="5.01"/>`), sig)
		if e := paraph.AsError(err); e.Code != paraph.EINVALID || e.Field != "xml" {
			t.Fatalf("another XML: %v", err)
		}
		_, err = ce.svc.UploadPOA(ce.owner, ce.org.ID, ce.signer.ID, xml, nil)
		wantReason(t, err, "poa_signature_required")
		v, err := ce.svc.UploadPOA(ce.owner, ce.org.ID, ce.signer.ID, xml, sig)
		if err != nil {
			t.Fatal(err)
		}
		if !v.IsMain || v.Status != paraph.POAActive || !v.SignatureOK || v.POA.Number != poatest.Default().Number {
			t.Fatalf("uploaded: %+v", v)
		}
		a, _ = ce.svc.SigningAuthority(ce.owner, ce.org.ID, ce.signer.ID, leaf.Cert, "02.003")
		if !a.OK() || a.POA == nil || a.POA.ID != v.ID {
			t.Fatalf("with МЧД: %+v", a)
		}
		a, _ = ce.svc.SigningAuthority(ce.owner, ce.org.ID, ce.signer.ID, leaf.Cert, "99.999")
		if a.Reason != "poa_no_power" {
			t.Fatalf("power not granted: %+v", a)
		}
		// Revoked by hand: hidden from the list unless asked, and no longer usable.
		if err := ce.svc.RevokePOA(ce.owner, ce.org.ID, v.ID, "отозвана доверителем"); err != nil {
			t.Fatal(err)
		}
		list, _ := ce.svc.POAs(ce.owner, ce.org.ID, ce.signer.ID, false)
		all, _ := ce.svc.POAs(ce.owner, ce.org.ID, ce.signer.ID, true)
		if len(list) != 0 || len(all) != 1 || all[0].Status != paraph.POARevoked {
			t.Fatalf("lists: %d / %+v", len(list), all)
		}
		a, _ = ce.svc.SigningAuthority(ce.owner, ce.org.ID, ce.signer.ID, leaf.Cert, "")
		if a.Reason != "poa_revoked" {
			t.Fatalf("after revoking: %+v", a)
		}
		// After its end date it is expired.
		ce.clock.Advance(365 * 24 * time.Hour)
		all, _ = ce.svc.POAs(ce.owner, ce.org.ID, ce.signer.ID, true)
		if all[0].Status != paraph.POARevoked {
			t.Fatalf("a revoked МЧД stays revoked: %s", all[0].Status)
		}
	})
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// GOST end to end: a GOST root issues a GOST-512 certificate whose status is
// judged through the chain, and a МЧД signed with GOST verifies.
func TestGOSTCertificatesAndPOA(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	ce := newCertEnv(t, db)
	ce.ca = pkitest.NewCA(t, pkitest.Options{Key: pkitest.GOST256, NotBefore: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)})
	ce.clock.Advance(-ce.clock.Now().Sub(time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)))
	ce.svc.SetInstanceAdmin(context.Background(), "director@example.com", true)
	if _, err := ce.svc.AddTrustRoot(ce.relogin(t, "director@example.com"), pkitest.PEM(ce.ca.Root())); err != nil {
		t.Fatal(err)
	}
	leaf := ce.ca.Issue(t, pkitest.LeafOptions{Subject: annaSubject(), Key: pkitest.GOST512,
		NotBefore: ce.clock.Now().Add(-time.Hour), NotAfter: ce.clock.Now().AddDate(1, 0, 0)})
	v, err := ce.svc.UploadCertificate(ce.signerCtx, ce.org.ID, ce.signer.ID, leaf.PEM())
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != pki.StatusActive || !strings.HasPrefix(v.Cert.KeyAlgorithm, "GOST R 34.10-2012 512") {
		t.Fatalf("GOST certificate: %s %s %s (%s)", v.Status, v.Reason, v.Cert.KeyAlgorithm, v.Detail)
	}
	xml := poatest.Default().XML()
	h := poatest.Default().Head
	director := ce.ca.Issue(t, pkitest.LeafOptions{Key: pkitest.GOST256, NotBefore: ce.clock.Now().AddDate(-1, 0, 0), NotAfter: ce.clock.Now().AddDate(1, 0, 0),
		Subject: pkitest.Subject{CommonName: "Директоров Пётр Иванович", INN: h.INN, SNILS: digits(h.SNILS),
			INNLE: poatest.Default().Principal.INN, OGRN: poatest.Default().Principal.OGRN}})
	sig, err := cades.Sign(bytes.NewReader(xml), director.Cert.X509, director.Key, cades.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := ce.svc.UploadPOA(ce.owner, ce.org.ID, ce.signer.ID, xml, sig)
	if err != nil {
		t.Fatal(err)
	}
	if !p.SignatureOK || !p.SignerTrusted {
		t.Fatalf("GOST-signed МЧД: ok=%v trusted=%v", p.SignatureOK, p.SignerTrusted)
	}
	a, err := ce.svc.SigningAuthority(ce.owner, ce.org.ID, ce.signer.ID, leaf.Cert, "02.001")
	if err != nil || !a.OK() || a.POA == nil {
		t.Fatalf("authority: %+v %v", a, err)
	}
	// One changed byte of the XML breaks the GOST signature.
	tampered := bytes.Replace(xml, []byte("Подписание актов сверки"), []byte("Подписание актов сверкИ"), 1)
	_, err = ce.svc.UploadPOA(ce.owner, ce.org.ID, ce.signer.ID, tampered, sig)
	wantReason(t, err, "poa_signature_mismatch")
}

// With revocation checking on, a certificate revoked on its CA's CRL (served
// over HTTP on loopback) shows as invalid: revoked.
func TestCertificateRevokedByCRL(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	e := newEnv(t, db)
	e.clock = paraph.NewFixedClock(time.Now()) // the CA's CRL is dated by the real clock
	svc, err := core.New(context.Background(), db, e.clock, slogDiscard(), core.Config{Password: fastPasswords, CheckRevocation: true})
	if err != nil {
		t.Fatal(err)
	}
	e.svc = svc
	ce := &certEnv{env: e}
	ca := pkitest.NewCA(t, pkitest.Options{ServeCRL: true})
	ce.ca = ca
	ce.owner = e.person(t, "director@example.com", "Директоров")
	ce.org, _ = e.svc.CreateOrganization(ce.owner, romashka)
	me, _ := e.svc.Members(ce.owner, core.MemberQuery{OrgID: ce.org.ID})
	e.svc.SetInstanceAdmin(context.Background(), "director@example.com", true)
	if _, err := e.svc.AddTrustRoot(e.relogin(t, "director@example.com"), pkitest.PEM(ca.Root())); err != nil {
		t.Fatal(err)
	}
	leaf := ca.Issue(t, pkitest.LeafOptions{Subject: annaSubject()})
	v, err := e.svc.UploadCertificate(ce.owner, ce.org.ID, me.Members[0].ID, leaf.PEM())
	if err != nil || v.Status != pki.StatusActive {
		t.Fatalf("before revocation: %+v %v", v, err)
	}
	ca.Revoke(leaf.Cert, e.clock.Now().Add(-time.Minute))
	e.clock.Advance(time.Minute) // past the trust cache; the revocation is read from a fresh CRL
	list, err := e.svc.Certificates(ce.owner, ce.org.ID, me.Members[0].ID)
	if err != nil || list[0].Status != pki.StatusInvalid || list[0].Reason != pki.ReasonRevoked {
		t.Fatalf("after revocation: %s %s (%s) %v", list[0].Status, list[0].Reason, list[0].Detail, err)
	}
	if ca.CRLRequests() == 0 {
		t.Fatal("the CRL was never fetched")
	}
}

func slogDiscard() *slog.Logger { return slog.New(slog.DiscardHandler) }
