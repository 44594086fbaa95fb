package core_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"strings"
	"sync"
	"testing"
	"time"

	"paraph"
	"paraph/cades"
	"paraph/internal/core"
	"paraph/internal/pdf"
	"paraph/internal/store"
	"paraph/internal/storetest"
	"paraph/pki/pkitest"
)

// docEnv: our organization (Ромашка) with a director and a second signer, a
// counterparty organization (Калина) with its director, all with
// certificates from one trusted CA.
type docEnv struct {
	*env
	ca                   *pkitest.CA
	us, them             *paraph.Organization
	author, dir2, kalina context.Context
	dirMember, sigMember *paraph.Member
	dirLeaf, sigLeaf     *pkitest.Leaf
	kalinaLeaf           *pkitest.Leaf
}

func newDocEnv(t *testing.T, db *store.DB) *docEnv {
	t.Helper()
	e := newEnv(t, db)
	de := &docEnv{env: e, ca: pkitest.NewCA(t, pkitest.Options{})}
	de.author = e.person(t, "director@romashka.example", "Иван Смирнов")
	var err error
	if de.us, err = e.svc.CreateOrganization(de.author, romashka); err != nil {
		t.Fatal(err)
	}
	de.kalina = e.person(t, "director@kalyna.example", "Тарас Бондар")
	if de.them, err = e.svc.CreateOrganization(de.kalina, paraph.Organization{Kind: paraph.OrgLegal, Country: paraph.CountryUA,
		Name: "ТОВ «Калина»", EDRPOU: "00032129"}); err != nil {
		t.Fatal(err)
	}
	de.dir2 = e.person(t, "second@romashka.example", "Пётр Второй")
	if _, err := e.svc.AddMember(de.author, de.us.ID, core.MemberInput{FullName: "Пётр Второй", Email: "second@romashka.example",
		Phone: "+79160007777", Role: "signer", AccessScope: "all"}); err != nil {
		t.Fatal(err)
	}
	members, _ := e.svc.Members(de.author, core.MemberQuery{OrgID: de.us.ID})
	for _, m := range members.Members {
		if m.Role == paraph.RoleOwner {
			de.dirMember = m
		} else {
			de.sigMember = m
		}
	}
	// The director's certificate names the organization: no МЧД needed.
	de.dirLeaf = de.ca.Issue(t, pkitest.LeafOptions{Subject: pkitest.Subject{CommonName: "Иван Смирнов", INN: "500100732259",
		SNILS: "11223344595", INNLE: romashka.INN, OGRN: romashka.OGRN}})
	de.sigLeaf = de.ca.Issue(t, pkitest.LeafOptions{Subject: pkitest.Subject{CommonName: "Пётр Второй", INNLE: romashka.INN, OGRN: romashka.OGRN}})
	de.kalinaLeaf = de.ca.Issue(t, pkitest.LeafOptions{Subject: pkitest.Subject{CommonName: "Тарас Бондар", EDRPOU: "00032129"}})
	kalinaMembers, _ := e.svc.Members(de.kalina, core.MemberQuery{OrgID: de.them.ID})
	for _, c := range []struct {
		ctx    context.Context
		org    string
		member string
		leaf   *pkitest.Leaf
	}{{de.author, de.us.ID, de.dirMember.ID, de.dirLeaf}, {de.dir2, de.us.ID, de.sigMember.ID, de.sigLeaf},
		{de.kalina, de.them.ID, kalinaMembers.Members[0].ID, de.kalinaLeaf}} {
		if _, err := e.svc.UploadCertificate(c.ctx, c.org, c.member, c.leaf.PEM()); err != nil {
			t.Fatal(err)
		}
	}
	e.svc.SetInstanceAdmin(context.Background(), "director@romashka.example", true)
	if _, err := e.svc.AddTrustRoot(e.relogin(t, "director@romashka.example"), pkitest.PEM(de.ca.Root())); err != nil {
		t.Fatal(err)
	}
	return de
}

var actBytes = []byte("%PDF-1.4\n% Акт № 17 от 23.11.2026\n")

func (de *docEnv) draft(t *testing.T, stages []paraph.Stage) *paraph.Document {
	t.Helper()
	d, err := de.svc.CreateDocument(de.author, de.us.ID, paraph.DocumentMeta{Title: "Акт № 17", Kind: "act", Number: "17", Date: "2026-11-23"},
		"", core.UploadedFile{Name: "act-17.pdf", Body: bytes.NewReader(actBytes)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := de.svc.SetRoute(de.author, d.ID, stages); err != nil {
		t.Fatal(err)
	}
	return d
}

// twoStep signs as a browser or the CLI does: prepare, sign the attributes, complete.
func twoStep(t *testing.T, svc *core.Service, ctx context.Context, docID string, leaf *pkitest.Leaf) (*core.SignatureResult, error) {
	t.Helper()
	p, err := svc.PrepareSignature(ctx, docID, leaf.PEM())
	if err != nil {
		return nil, err
	}
	h := crypto.SHA256.New()
	h.Write(p.ToBeSigned)
	sig, err := leaf.Key.Sign(rand.Reader, h.Sum(nil), crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return svc.CompleteSignature(ctx, docID, p.ID, sig)
}

func TestDocumentRouteAndQualifiedSignatures(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		de := newDocEnv(t, db)
		d := de.draft(t, []paraph.Stage{
			{Side: paraph.SideOwn, Signature: paraph.SigQualified, Signers: []paraph.Signer{{MemberID: de.dirMember.ID}}},
			{Side: paraph.SideCounterparty, Signature: paraph.SigQualified, Signers: []paraph.Signer{{OrgID: de.them.ID}}},
		})
		// Not sent yet: nobody signs.
		_, err := twoStep(t, de.svc, de.author, d.ID, de.dirLeaf)
		wantReason(t, err, "document_not_in_progress")
		// The counterparty does not see a draft.
		_, _, err = de.svc.Document(de.kalina, d.ID)
		wantReason(t, err, "not_found")
		if _, err := de.svc.Send(de.author, d.ID); err != nil {
			t.Fatal(err)
		}
		_, err = de.svc.Send(de.author, d.ID)
		wantReason(t, err, "document_sent")
		de.deliver(t)
		if last := de.sent.msgs[len(de.sent.msgs)-1]; last.To != "director@romashka.example" || !strings.Contains(last.Body, "/documents/"+d.ID) {
			t.Fatalf("first stage not told: %+v", last)
		}
		// Out of turn.
		_, err = twoStep(t, de.svc, de.kalina, d.ID, de.kalinaLeaf)
		wantReason(t, err, "not_your_turn")
		// The wrong person's certificate (not bound to the director).
		_, err = de.svc.PrepareSignature(de.author, d.ID, de.kalinaLeaf.PEM())
		wantReason(t, err, "signer_mismatch")
		// A signature over another document: hash_failure, nothing stored.
		other, _ := cades.Sign(bytes.NewReader([]byte("another document")), de.dirLeaf.Cert.X509, de.dirLeaf.Key, cades.SignOptions{})
		_, err = de.svc.SubmitSignature(de.author, d.ID, other)
		wantReason(t, err, "hash_failure")
		_, err = de.svc.SubmitSignature(de.author, d.ID, []byte("garbage"))
		wantReason(t, err, "format_failure")
		// The director signs with the two-step flow. An ECDSA signature
		// (SHA-256) is checked against the document's stored digest: the
		// file, which may be 100 MiB, is not read again for it.
		opened := de.blobs.opens.Load()
		res, err := twoStep(t, de.svc, de.author, d.ID, de.dirLeaf)
		if err != nil {
			t.Fatal(err)
		}
		if n := de.blobs.opens.Load() - opened; n != 0 {
			t.Errorf("signing opened the document's file %d times", n)
		}
		if res.Indication != "passed" || res.Document.CurrentStage != 1 {
			t.Fatalf("after the director: %+v stage %d", res, res.Document.CurrentStage)
		}
		// Now the counterparty sees it in its incoming box and signs with a .sig made elsewhere.
		box, _, err := de.svc.Documents(de.kalina, de.them.ID, core.DocumentQuery{Box: "incoming"})
		if err != nil || len(box) != 1 || box[0].ID != d.ID {
			t.Fatalf("incoming: %v %v", box, err)
		}
		sig, _ := cades.Sign(bytes.NewReader(actBytes), de.kalinaLeaf.Cert.X509, de.kalinaLeaf.Key, cades.SignOptions{})
		res, err = de.svc.SubmitSignature(de.kalina, d.ID, sig)
		if err != nil {
			t.Fatal(err)
		}
		if res.Document.State != paraph.DocCompleted {
			t.Fatalf("not completed: %s", res.Document.State)
		}
		_, sigs, _ := de.svc.Document(de.author, d.ID)
		if len(sigs) != 2 || sigs[0].Indication != "passed" || sigs[1].CertFP != de.kalinaLeaf.Cert.FingerprintSHA256 {
			t.Fatalf("signatures: %+v", sigs)
		}
		// The same signature again: stored once.
		_, err = de.svc.SubmitSignature(de.kalina, d.ID, sig)
		if err == nil {
			t.Fatal("a signature was accepted twice")
		}
		n, err := de.svc.VerifyAudit(de.author)
		if err != nil || n == 0 {
			t.Fatalf("audit: %d %v", n, err)
		}
		// The history tells the story, and the counterparty sees it too.
		hist, err := de.svc.DocumentHistory(de.kalina, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, h := range hist {
			actions = append(actions, h.Action)
		}
		got := strings.Join(actions, " ")
		for _, want := range []string{"document.created", "document.route_set", "document.sent", "document.signature_refused", "document.signed", "document.completed"} {
			if !strings.Contains(got, want) {
				t.Fatalf("history lacks %s: %s", want, got)
			}
		}
		if hist[0].Actor != "Иван Смирнов" {
			t.Fatalf("first actor: %+v", hist[0])
		}
	})
}

func TestDocumentRefusals(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		de := newDocEnv(t, db)
		// Bad input at creation.
		_, err := de.svc.CreateDocument(de.author, de.us.ID, paraph.DocumentMeta{Title: "Пусто"}, "", core.UploadedFile{Name: "x.pdf", Body: bytes.NewReader(nil)})
		wantReason(t, err, "file_empty")
		_, err = de.svc.CreateDocument(de.author, de.us.ID, paraph.DocumentMeta{Title: ""}, "", core.UploadedFile{Name: "x.pdf", Body: bytes.NewReader(actBytes)})
		wantReason(t, err, "title_required")
		_, err = de.svc.CreateDocument(de.kalina, de.us.ID, paraph.DocumentMeta{Title: "Чужой"}, "", core.UploadedFile{Name: "x.pdf", Body: bytes.NewReader(actBytes)})
		wantReason(t, err, "not_found")
		d, _ := de.svc.CreateDocument(de.author, de.us.ID, paraph.DocumentMeta{Title: "Акт"}, "", core.UploadedFile{Name: "a.pdf", Body: bytes.NewReader(actBytes)})
		// A route with no signer, a signer without the right to sign, sending without a route.
		_, err = de.svc.SetRoute(de.author, d.ID, nil)
		wantReason(t, err, "route_empty")
		emp, _ := de.svc.AddMember(de.author, de.us.ID, core.MemberInput{FullName: "Без Подписи", Email: "emp@romashka.example",
			Phone: "+79160008888", Role: "employee", AccessScope: "all"})
		_, err = de.svc.SetRoute(de.author, d.ID, []paraph.Stage{{Side: paraph.SideOwn, Signature: paraph.SigQualified,
			Signers: []paraph.Signer{{MemberID: emp.ID}}}})
		wantReason(t, err, "signer_cannot_sign")
		_, err = de.svc.Send(de.author, d.ID)
		wantReason(t, err, "route_empty")
		// Decline stops the route and tells the author; revoke only while on its way.
		d2 := de.draft(t, []paraph.Stage{{Side: paraph.SideOwn, Signature: paraph.SigQualified, Signers: []paraph.Signer{{MemberID: de.sigMember.ID}}}})
		de.svc.Send(de.author, d2.ID)
		_, err = de.svc.Decline(de.dir2, d2.ID, "  ")
		wantReason(t, err, "comment_required")
		got, err := de.svc.Decline(de.dir2, d2.ID, "Сумма не та")
		if err != nil || got.State != paraph.DocDeclined {
			t.Fatalf("decline: %+v %v", got, err)
		}
		de.deliver(t)
		if last := de.sent.msgs[len(de.sent.msgs)-1]; last.To != "director@romashka.example" || !strings.Contains(last.Body, "Сумма не та") {
			t.Fatalf("author not told: %+v", last)
		}
		_, err = de.svc.Revoke(de.author, d2.ID)
		wantReason(t, err, "document_not_in_progress")
		// An expired certificate cannot sign.
		d3 := de.draft(t, []paraph.Stage{{Side: paraph.SideOwn, Signature: paraph.SigQualified, Signers: []paraph.Signer{{MemberID: de.dirMember.ID}}}})
		de.svc.Send(de.author, d3.ID)
		de.clock.Advance(400 * 24 * time.Hour)
		_, err = twoStep(t, de.svc, de.author, d3.ID, de.dirLeaf)
		wantReason(t, err, "certificate_invalid")
		if _, err := de.svc.Revoke(de.author, d3.ID); err != nil {
			t.Fatal(err)
		}
	})
}

// Two signers of one stage signing at the same moment both land, and the
// stage advances exactly once.
func TestConcurrentSignersOfOneStage(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		de := newDocEnv(t, db)
		d := de.draft(t, []paraph.Stage{
			{Side: paraph.SideOwn, Signature: paraph.SigQualified, Signers: []paraph.Signer{{MemberID: de.dirMember.ID}, {MemberID: de.sigMember.ID}}},
			{Side: paraph.SideCounterparty, Signature: paraph.SigQualified, Signers: []paraph.Signer{{OrgID: de.them.ID}}},
		})
		de.svc.Send(de.author, d.ID)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, c := range []struct {
			ctx  context.Context
			leaf *pkitest.Leaf
		}{{de.author, de.dirLeaf}, {de.dir2, de.sigLeaf}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sig, _ := cades.Sign(bytes.NewReader(actBytes), c.leaf.Cert.X509, c.leaf.Key, cades.SignOptions{})
				_, errs[i] = de.svc.SubmitSignature(c.ctx, d.ID, sig)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		got, sigs, _ := de.svc.Document(de.author, d.ID)
		if len(sigs) != 2 || got.CurrentStage != 1 || got.State != paraph.DocInProgress {
			t.Fatalf("after both: %d signatures, stage %d, %s", len(sigs), got.CurrentStage, got.State)
		}
		var advanced int
		db.SQL().QueryRow(`SELECT COUNT(*) FROM jobs WHERE idempotency_key LIKE 'notify:sign:%'`).Scan(&advanced)
		if advanced != 3 { // two own signers told at send, the counterparty's director once
			t.Fatalf("stage-opening notices: %d, want 3", advanced)
		}
	})
}

// Every document use case refuses an outsider (not found) and a blocked
// member (forbidden), and a member outside the document's departments.
func TestDocumentAccess(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	de := newDocEnv(t, db)
	d := de.draft(t, []paraph.Stage{{Side: paraph.SideOwn, Signature: paraph.SigQualified, Signers: []paraph.Signer{{MemberID: de.dirMember.ID}}}})
	sig, _ := cades.Sign(bytes.NewReader(actBytes), de.dirLeaf.Cert.X509, de.dirLeaf.Key, cades.SignOptions{})
	calls := map[string]func(ctx context.Context) error{
		"Document":         func(ctx context.Context) error { _, _, err := de.svc.Document(ctx, d.ID); return err },
		"OpenDocumentFile": func(ctx context.Context) error { _, _, err := de.svc.OpenDocumentFile(ctx, d.ID); return err },
		"SetRoute": func(ctx context.Context) error {
			_, err := de.svc.SetRoute(ctx, d.ID, []paraph.Stage{{Side: paraph.SideOwn, Signature: paraph.SigQualified,
				Signers: []paraph.Signer{{MemberID: de.dirMember.ID}}}})
			return err
		},
		"Send":    func(ctx context.Context) error { _, err := de.svc.Send(ctx, d.ID); return err },
		"Decline": func(ctx context.Context) error { _, err := de.svc.Decline(ctx, d.ID, "нет"); return err },
		"Revoke":  func(ctx context.Context) error { _, err := de.svc.Revoke(ctx, d.ID); return err },
		"PrepareSignature": func(ctx context.Context) error {
			_, err := de.svc.PrepareSignature(ctx, d.ID, de.dirLeaf.PEM())
			return err
		},
		"CompleteSignature": func(ctx context.Context) error {
			_, err := de.svc.CompleteSignature(ctx, d.ID, "x", []byte{1})
			return err
		},
		"SubmitSignature": func(ctx context.Context) error { _, err := de.svc.SubmitSignature(ctx, d.ID, sig); return err },
		"DocumentFinal":   func(ctx context.Context) error { _, err := de.svc.DocumentFinal(ctx, d.ID); return err },
		"OpenFinal":       func(ctx context.Context) error { _, _, err := de.svc.OpenFinal(ctx, d.ID); return err },
	}
	if _, err := de.svc.BlockMember(de.author, de.us.ID, de.sigMember.ID); err != nil {
		t.Fatal(err)
	}
	for name, call := range calls {
		if err := call(de.kalina); paraph.ErrorCode(err) != paraph.ENOTFOUND {
			t.Errorf("%s by an outsider: %v", name, err)
		}
		if err := call(de.dir2); paraph.ErrorCode(err) != paraph.EFORBIDDEN {
			t.Errorf("%s by a blocked member: %v", name, err)
		}
	}
	// Department scope: a member who sees only their own department does not
	// see a document of another.
	sales, _ := de.svc.CreateDepartment(de.author, de.us.ID, "Продажи", "")
	stock, _ := de.svc.CreateDepartment(de.author, de.us.ID, "Склад", "")
	de.person(t, "clerk@romashka.example", "Клерк")
	clerk, _ := de.svc.AddMember(de.author, de.us.ID, core.MemberInput{FullName: "Клерк", Email: "clerk@romashka.example", Phone: "+79160009999",
		Role: "employee", DepartmentID: stock.ID, AccessScope: "own"})
	_ = clerk
	inSales, _ := de.svc.CreateDocument(de.author, de.us.ID, paraph.DocumentMeta{Title: "Продажный"}, sales.ID, core.UploadedFile{Name: "s.pdf", Body: bytes.NewReader(actBytes)})
	clerkCtx := de.relogin(t, "clerk@romashka.example")
	if _, _, err := de.svc.Document(clerkCtx, inSales.ID); paraph.ErrorCode(err) != paraph.ENOTFOUND {
		t.Fatalf("another department's document: %v", err)
	}
	drafts, _, err := de.svc.Documents(clerkCtx, de.us.ID, core.DocumentQuery{Box: "drafts"})
	if err != nil || len(drafts) != 0 {
		t.Fatalf("clerk's drafts box: %d %v", len(drafts), err)
	}
	all, _, _ := de.svc.Documents(de.author, de.us.ID, core.DocumentQuery{Box: "drafts"})
	if len(all) != 2 {
		t.Fatalf("the owner's drafts: %d", len(all))
	}
}

func TestActTemplateAndFunnel(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		de := newDocEnv(t, db)
		act := pdf.Act{Language: "ru", Number: "17", Date: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), Currency: "RUB",
			Contractor: pdf.Party{Name: romashka.Name, INN: romashka.INN, KPP: romashka.KPP, OGRN: romashka.OGRN, Signer: "Смирнов И. П.", SignerPosition: "Генеральный директор"},
			Customer:   pdf.Party{Name: "ТОВ «Калина»", EDRPOU: "00032129", Signer: "Бондар Т. Г.", SignerPosition: "Директор"},
			Lines:      []pdf.Line{{Name: "Бухгалтерское обслуживание за ноябрь", Unit: "усл.", Quantity: "1", Price: 4500000, VATRate: 20}}}
		d, err := de.svc.CreateActDocument(de.author, de.us.ID, act, "")
		if err != nil {
			t.Fatal(err)
		}
		if d.Kind != "act" || d.Amount == nil || *d.Amount != 4500000 || d.ContentType != "application/pdf" || d.Title != "Акт № 17 от 23.11.2026" {
			t.Fatalf("act document: %+v", d)
		}
		_, f, err := de.svc.OpenDocumentFile(de.author, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		head := make([]byte, 5)
		f.Read(head)
		f.Close()
		if string(head) != "%PDF-" {
			t.Fatalf("not a PDF: %q", head)
		}
		bad := act
		bad.Lines = nil
		_, err = de.svc.CreateActDocument(de.author, de.us.ID, bad, "")
		if paraph.ErrorCode(err) != paraph.EINVALID {
			t.Fatalf("an act without lines: %v", err)
		}
		// The funnel: one draft, one waiting for us, one for the counterparty, one declined.
		route := func(side string) []paraph.Stage {
			st := paraph.Stage{Side: side, Signature: paraph.SigQualified, Signers: []paraph.Signer{{MemberID: de.dirMember.ID}}}
			if side == paraph.SideCounterparty {
				st.Signers = []paraph.Signer{{OrgID: de.them.ID}}
			}
			return []paraph.Stage{st}
		}
		d1 := de.draft(t, route(paraph.SideOwn))
		de.svc.Send(de.author, d1.ID)
		d2 := de.draft(t, route(paraph.SideCounterparty))
		de.svc.Send(de.author, d2.ID)
		d3 := de.draft(t, route(paraph.SideOwn))
		de.svc.Send(de.author, d3.ID)
		de.svc.Revoke(de.author, d3.ID)
		fun, err := de.svc.DocumentFunnel(de.author, de.us.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"draft": 1, "waiting_us": 1, "waiting_counterparty": 1, "completed": 0, "declined_or_revoked": 1}
		for k, v := range want {
			if fun.Counts[k] != v {
				t.Errorf("funnel %s = %d, want %d (%v)", k, fun.Counts[k], v, fun.Counts)
			}
		}
		if len(fun.Waiting) != 2 {
			t.Errorf("waiting: %d", len(fun.Waiting))
		}
	})
}

// The two-party flow of the issue: our director signs qualified, then an
// outside client signs simple by link and a code.
func TestSimpleSignatureByLink(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		de := newDocEnv(t, db)
		d := de.draft(t, []paraph.Stage{
			{Side: paraph.SideOwn, Signature: paraph.SigQualified, Signers: []paraph.Signer{{MemberID: de.dirMember.ID}}},
			{Side: paraph.SideCounterparty, Signature: paraph.SigSimple, Signers: []paraph.Signer{{FullName: "Клиент Клиентов", Email: "client@example.com"}}},
		})
		de.svc.Send(de.author, d.ID)
		if _, err := twoStep(t, de.svc, de.author, d.ID, de.dirLeaf); err != nil {
			t.Fatal(err)
		}
		de.deliver(t)
		var link string
		for _, m := range de.sent.msgs {
			if m.To == "client@example.com" {
				if i := strings.Index(m.Body, "/s/"); i >= 0 {
					link = strings.Fields(m.Body[i+3:])[0]
				}
				// The message names who sends (the organization is read
				// with the document when the director's signature opens
				// the client's stage).
				if !strings.Contains(m.Body, de.us.Name) {
					t.Errorf("the link message does not name %q:\n%s", de.us.Name, m.Body)
				}
			}
		}
		if link == "" {
			t.Fatal("no signing link was sent to the client")
		}
		anon := ctxFrom("203.0.113.77")
		sess, err := de.svc.LookupSigningLink(anon, link)
		if err != nil || !sess.Ready || sess.Address != "cl***@example.com" || sess.Document.ID != d.ID {
			t.Fatalf("session: %+v %v", sess, err)
		}
		_, err = de.svc.LookupSigningLink(anon, "ppl_forged")
		wantReason(t, err, "link_invalid")
		png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde")
		_, err = de.svc.SignByLink(anon, link, core.SimpleSignature{Code: "123456", Image: png})
		wantReason(t, err, "code_required")
		if _, err := de.svc.RequestSigningCode(anon, link); err != nil {
			t.Fatal(err)
		}
		_, err = de.svc.RequestSigningCode(anon, link)
		wantReason(t, err, "code_resend_too_soon")
		code := de.lastCode(t, "client@example.com")
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		_, err = de.svc.SignByLink(anon, link, core.SimpleSignature{Code: wrong, Image: png})
		wantReason(t, err, "wrong_code")
		_, err = de.svc.SignByLink(anon, link, core.SimpleSignature{Code: code})
		wantReason(t, err, "signature_image_required")
		_, err = de.svc.SignByLink(anon, link, core.SimpleSignature{Code: code, Image: []byte("GIF89a not png")})
		wantReason(t, err, "image_not_png_jpeg")
		res, err := de.svc.SignByLink(anon, link, core.SimpleSignature{Code: code, Image: png})
		if err != nil {
			t.Fatal(err)
		}
		if res.Document.State != paraph.DocCompleted {
			t.Fatalf("state %s", res.Document.State)
		}
		_, sigs, _ := de.svc.Document(de.author, d.ID)
		if len(sigs) != 2 || sigs[1].Kind != "simple" || !strings.Contains(sigs[1].Evidence, `"ip":"203.0.113.77"`) ||
			!strings.Contains(sigs[1].Evidence, `"address":"cl***@example.com"`) || !strings.Contains(sigs[1].Evidence, d.SHA256) {
			t.Fatalf("evidence: %+v", sigs[len(sigs)-1])
		}
		// A reused link: signed already.
		_, err = de.svc.RequestSigningCode(anon, link)
		wantReason(t, err, "already_signed")
		// An expired link.
		de.clock.Advance(31 * 24 * time.Hour)
		_, err = de.svc.LookupSigningLink(anon, link)
		wantReason(t, err, "link_expired")
	})
}

func TestReminders(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		de := newDocEnv(t, db)
		d := de.draft(t, []paraph.Stage{{Side: paraph.SideOwn, Signature: paraph.SigQualified, Signers: []paraph.Signer{{MemberID: de.sigMember.ID}}}})
		de.svc.Send(de.author, d.ID)
		told := func() int {
			de.deliver(t)
			n := 0
			for _, m := range de.sent.msgs {
				if m.To == "second@romashka.example" && strings.Contains(m.Subject, "Акт № 17") {
					n++
				}
			}
			return n
		}
		if told() != 1 {
			t.Fatal("not told at send")
		}
		// By hand: not within the hour after the last notice; then yes.
		wantReason(t, de.svc.Remind(de.author, d.ID), "remind_too_soon")
		de.clock.Advance(2 * time.Hour)
		if err := de.svc.Remind(de.author, d.ID); err != nil {
			t.Fatal(err)
		}
		if told() != 2 {
			t.Fatal("not reminded by hand")
		}
		// A signer cannot remind; only the author or an admin.
		if err := de.svc.Remind(de.dir2, d.ID); paraph.ErrorCode(err) != paraph.EFORBIDDEN {
			t.Fatalf("signer reminds: %v", err)
		}
		// Automatically after three days of silence, once.
		if n, _ := de.svc.RemindWaiting(context.Background()); n != 0 {
			t.Fatalf("reminded too early: %d", n)
		}
		de.clock.Advance(3*24*time.Hour + time.Minute)
		if n, err := de.svc.RemindWaiting(context.Background()); n != 1 || err != nil {
			t.Fatalf("automatic: %d %v", n, err)
		}
		if n, _ := de.svc.RemindWaiting(context.Background()); n != 0 {
			t.Fatalf("reminded twice: %d", n)
		}
		if told() != 3 {
			t.Fatal("the automatic reminder did not go out")
		}
	})
}

// A member signs a simple-signature stage from their inbox with a code sent
// to their own login.
func TestSimpleSignatureByMember(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	de := newDocEnv(t, db)
	d := de.draft(t, []paraph.Stage{{Side: paraph.SideOwn, Signature: paraph.SigSimple, Signers: []paraph.Signer{{MemberID: de.sigMember.ID}}}})
	de.svc.Send(de.author, d.ID)
	// Someone else on the route? No: the author is not a signer here.
	_, err := de.svc.RequestMemberSigningCode(de.author, d.ID)
	wantReason(t, err, "not_a_signer")
	masked, err := de.svc.RequestMemberSigningCode(de.dir2, d.ID)
	if err != nil || masked != "se***@romashka.example" {
		t.Fatalf("code: %q %v", masked, err)
	}
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	res, err := de.svc.SignAsMember(de.dir2, d.ID, core.SimpleSignature{Code: de.lastCode(t, "second@romashka.example"), Image: png})
	if err != nil || res.Document.State != paraph.DocCompleted {
		t.Fatalf("sign: %+v %v", res, err)
	}
	// A qualified-only stage refuses a simple signature.
	d2 := de.draft(t, []paraph.Stage{{Side: paraph.SideOwn, Signature: paraph.SigQualified, Signers: []paraph.Signer{{MemberID: de.sigMember.ID}}}})
	de.svc.Send(de.author, d2.ID)
	_, err = de.svc.RequestMemberSigningCode(de.dir2, d2.ID)
	wantReason(t, err, "wrong_signature_kind")
}
