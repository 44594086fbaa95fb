package main

import (
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"paraph"
	"paraph/cades"
	"paraph/internal/core"
	"paraph/internal/devpki"
	"paraph/internal/pdf"
	"paraph/internal/store"
)

// seedDemoDocuments gives the demo people certificates (from a demo CA the
// instance trusts, keys written to keyDir) and puts documents of ООО
// «Ромашка» at every step of the funnel, some with ТОВ «Калина» as the
// counterparty and one for an outside client who signs by link.
func seedDemoDocuments(ctx context.Context, svc *core.Service, as map[string]context.Context, orgIDs map[string]string, keyDir string) error {
	romashka, kalyna := orgIDs["ООО «Ромашка»"], orgIDs["ТОВ «Калина»"]
	if _, err := svc.SetInstanceAdmin(ctx, "director@demo.paraph.local", true); err != nil {
		return err
	}
	admin, err := demoLogin(ctx, svc, "director@demo.paraph.local")
	if err != nil {
		return err
	}
	ca, err := devpki.NewCA()
	if err != nil {
		return err
	}
	if _, err := svc.AddTrustRoot(admin, ca.RootPEM()); err != nil {
		return fmt.Errorf("trust the demo CA: %w", err)
	}
	// The root for checking signed PDFs offline: paraph verify --trust.
	if err := os.MkdirAll(keyDir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(keyDir, "demo-ca.pem"), ca.RootPEM(), 0o644); err != nil {
		return fmt.Errorf("demo CA root: %w", err)
	}
	type holder struct {
		login, org string
		id         devpki.Identity
	}
	holders := []holder{
		{"romashka@demo.paraph.local", romashka, devpki.Identity{Name: "Сергей Николаевич Орлов", INN: "500100732259", SNILS: "11223344595", INNLE: "5001123452", OGRN: "1155000123453"}},
		{"kalyna@demo.paraph.local", kalyna, devpki.Identity{Name: "Тарас Григорович Бондар"}},
	}
	keys := map[string]*cadesKey{}
	for i, h := range holders {
		cert, key, err := ca.Issue(int64(100+i), h.id)
		if err != nil {
			return err
		}
		if err := devpki.WriteKeyFiles(keyDir, h.login, cert, key); err != nil {
			return err
		}
		members, err := svc.Members(as[h.login], core.MemberQuery{OrgID: h.org, Role: "owner"})
		if err != nil || len(members.Members) == 0 {
			return fmt.Errorf("owner of %s: %v", h.org, err)
		}
		if _, err := svc.UploadCertificate(as[h.login], h.org, members.Members[0].ID, devpki.PEM(cert.Raw)); err != nil {
			return fmt.Errorf("certificate of %s: %w", h.login, err)
		}
		keys[h.login] = &cadesKey{cert: cert, key: key}
	}
	ownerMembers, _ := svc.Members(as["romashka@demo.paraph.local"], core.MemberQuery{OrgID: romashka, Role: "owner"})
	director := ownerMembers.Members[0].ID
	author := as["sales@demo.paraph.local"]
	act := func(number string, sum int64) pdf.Act {
		return pdf.Act{Language: "ru", Number: number, Date: time.Now().UTC().Truncate(24 * time.Hour), Currency: "RUB", Place: "г. Балашиха",
			Contractor: pdf.Party{Name: "ООО «Ромашка»", INN: "5001123452", KPP: "500101001", OGRN: "1155000123453", Signer: "Орлов С. Н.", SignerPosition: "Генеральный директор"},
			Customer:   pdf.Party{Name: "ТОВ «Калина»", EDRPOU: "38123450", Signer: "Бондар Т. Г.", SignerPosition: "Директор"},
			Basis:      "договор № 5 от 01.02.2026",
			Lines: []pdf.Line{{Name: "Поставка упаковки, партия " + number, Unit: "шт.", Quantity: "120", Price: sum / 120, VATRate: 20},
				{Name: "Доставка", Unit: "усл.", Quantity: "1", Price: 350000, VATRate: 20}}}
	}
	own := paraph.Stage{Side: paraph.SideOwn, Signature: paraph.SigQualified, Signers: []paraph.Signer{{MemberID: director}}}
	them := paraph.Stage{Side: paraph.SideCounterparty, Signature: paraph.SigQualified, Signers: []paraph.Signer{{OrgID: kalyna}}}
	client := paraph.Stage{Side: paraph.SideCounterparty, Signature: paraph.SigSimple,
		Signers: []paraph.Signer{{FullName: "Пётр Клиентов", Email: "client@demo.paraph.local", Fields: []paraph.Field{
			{Name: "position", Label: "Должность", Kind: paraph.FieldText, Required: true},
			{Name: "received_on", Label: "Дата получения товара", Kind: paraph.FieldDate},
			{Name: "no_claims", Label: "Претензий по количеству и качеству не имею", Kind: paraph.FieldCheckbox, Required: true}}}}}
	steps := []struct {
		number string
		route  []paraph.Stage
		do     func(docID string) error
	}{
		{"101", nil, nil},                       // a draft
		{"102", []paraph.Stage{own, them}, nil}, // waits for our director
		{"103", []paraph.Stage{own, them}, func(id string) error {
			return demoSign(ctx, svc, as["romashka@demo.paraph.local"], id, keys["romashka@demo.paraph.local"])
		}},
		{"104", []paraph.Stage{own, them}, func(id string) error {
			if err := demoSign(ctx, svc, as["romashka@demo.paraph.local"], id, keys["romashka@demo.paraph.local"]); err != nil {
				return err
			}
			return demoSign(ctx, svc, as["kalyna@demo.paraph.local"], id, keys["kalyna@demo.paraph.local"])
		}},
		{"105", []paraph.Stage{own, them}, func(id string) error {
			_, err := svc.Decline(as["romashka@demo.paraph.local"], id, "Неверная сумма доставки — пришлите исправленный акт")
			return err
		}},
		{"106", []paraph.Stage{own, them}, func(id string) error { _, err := svc.Revoke(author, id); return err }},
		{"107", []paraph.Stage{own, client}, func(id string) error {
			return demoSign(ctx, svc, as["romashka@demo.paraph.local"], id, keys["romashka@demo.paraph.local"])
		}},
	}
	for i, st := range steps {
		d, err := svc.CreateActDocument(author, romashka, act(st.number, int64(1200000+i*150000)), "")
		if err != nil {
			return fmt.Errorf("act %s: %w", st.number, err)
		}
		if st.route == nil {
			continue
		}
		if _, err := svc.SetRoute(author, d.ID, st.route); err != nil {
			return fmt.Errorf("route of %s: %w", st.number, err)
		}
		if _, err := svc.Send(author, d.ID); err != nil {
			return err
		}
		if st.do != nil {
			if err := st.do(d.ID); err != nil {
				return fmt.Errorf("act %s: %w", st.number, err)
			}
		}
	}
	return nil
}

// cadesKey is a demo person's certificate and key.
type cadesKey struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// demoSign signs a document as its signer would with their own tools, and
// submits the signature.
func demoSign(ctx context.Context, svc *core.Service, as context.Context, docID string, k *cadesKey) error {
	_, f, err := svc.OpenDocumentFile(as, docID)
	if err != nil {
		return err
	}
	defer f.Close()
	sig, err := cades.Sign(f, k.cert, k.key, cades.SignOptions{})
	if err != nil {
		return err
	}
	_, err = svc.SubmitSignature(as, docID, sig)
	return err
}

// demoLogin returns a context acting as a demo person, read fresh.
func demoLogin(ctx context.Context, svc *core.Service, login string) (context.Context, error) {
	_, tok, err := svc.Login(ctx, login, DemoPassword, store.TokenBearer)
	if err != nil {
		return nil, err
	}
	p, err := svc.Authenticate(ctx, tok.Secret)
	if err != nil {
		return nil, err
	}
	return core.WithPrincipal(ctx, p), nil
}
