//go:build cgo

package main

import (
	"bytes"
	"context"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ThalesGroup/crypto11"

	"paraph/client"
)

// A key made inside a SoftHSM token signs a document through PKCS #11; the
// signature downloaded from the server passes paraph verify. The signer is
// the owner of a Ukrainian organization, where a personal certificate signs
// without a МЧД (the token's certificate carries no organization identifiers).
func TestSignWithPKCS11(t *testing.T) {
	module := softHSM(t)
	s := newSignSetup(t)
	ctx := context.Background()
	var org struct{ ID string }
	s.srv.api(t, "POST", "/api/v1/orgs", "application/json", `{"kind":"legal","country":"UA","name":"ТОВ «Тест»","edrpou":"00032129"}`, 201, &org)
	var members struct{ Items []struct{ ID string } }
	s.srv.api(t, "GET", "/api/v1/orgs/"+org.ID+"/members", "", "", 200, &members)

	p11, err := crypto11.Configure(&crypto11.Config{Path: module, TokenLabel: "paraph", Pin: "1234"})
	if err != nil {
		t.Fatal(err)
	}
	key, err := p11.GenerateECDSAKeyPairWithLabel([]byte{1}, []byte("k1"), elliptic.P256())
	if err != nil {
		p11.Close()
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: certPerson},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, s.srv.ca.Cert.X509, key.Public(), s.srv.ca.Key)
	p11.Close()
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	s.srv.api(t, "POST", "/api/v1/orgs/"+org.ID+"/members/"+members.Items[0].ID+"/certificates", "application/x-pem-file", string(certPEM), 201, nil)
	cert := mustWrite(t, filepath.Join(s.dir, "token.pem"), certPEM)

	d, err := s.api.CreateDocument(ctx, org.ID, client.DocumentMeta{Title: "Акт № 9"}, "act-9.pdf", bytes.NewReader([]byte("%PDF-1.4\n% token\n")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.api.SetRoute(ctx, d.ID, []client.Stage{{Side: "own", Signature: "qualified", Signers: []client.Signer{{MemberID: members.Items[0].ID}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.api.Send(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, "1234\n", "sign", d.ID, "--pkcs11-module", module, "--pkcs11-token", "paraph", "--pkcs11-key-label", "k1", "--cert", cert)
	if err != nil || !strings.Contains(out, ": PASSED") {
		t.Fatalf("paraph sign --pkcs11-module: %v\n%s", err, out)
	}
	file, sig := s.download(t, d.ID)
	if out, err := runCLI(t, "", "verify", "--trust", filepath.Join(s.dir, "root.pem"), file, sig); err != nil {
		t.Fatalf("paraph verify: %v\n%s", err, out)
	}
}
