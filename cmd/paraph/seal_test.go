//go:build cgo

package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"io"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ThalesGroup/crypto11"
	"github.com/go-pdf/fpdf"

	"paraph/internal/seal"
)

// The seal's key on a SoftHSM token, with its certificate from the token or
// from --seal-cert, seals a PDF that Check passes against the CA.
func TestOpenSealPKCS11(t *testing.T) {
	module := softHSM(t)
	rootKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rootTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Seal CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true}
	rootDER, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, rootKey.Public(), rootKey)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := x509.ParseCertificate(rootDER)

	p11, err := crypto11.Configure(&crypto11.Config{Path: module, TokenLabel: "paraph", Pin: "1234"})
	if err != nil {
		t.Fatal(err)
	}
	key, err := p11.GenerateECDSAKeyPairWithLabel([]byte{7}, []byte("seal"), elliptic.P256())
	if err != nil {
		p11.Close()
		t.Fatal(err)
	}
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(2),
		Subject:   pkix.Name{CommonName: "Token seal", Organization: []string{"Acme"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment}, root, key.Public(), rootKey)
	if err != nil {
		p11.Close()
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	if err := p11.ImportCertificateWithLabel([]byte{7}, []byte("seal"), cert); err != nil {
		p11.Close()
		t.Fatal(err)
	}
	if err := p11.Close(); err != nil {
		t.Fatal(err)
	}
	chainFile := mustWrite(t, filepath.Join(t.TempDir(), "chain.pem"),
		append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rootDER})...))
	token := Config{Data: t.TempDir(), SealPKCS11Module: module, SealPKCS11Token: "paraph", SealPKCS11Key: "seal", SealPKCS11PIN: "1234"}

	for name, c := range map[string]Config{
		"certificate on the token": token,
		"certificate from a file":  withSealCert(token, chainFile),
	} {
		t.Run(name, func(t *testing.T) {
			s, closeSeal, err := openSeal(context.Background(), &c)
			if err != nil {
				t.Fatal(err)
			}
			defer closeSeal()
			if !s.Chain()[0].Equal(cert) {
				t.Fatalf("seal certificate %q", s.Chain()[0].Subject)
			}
			rep := mustSealAndCheck(t, s, root)
			if rep.Indication != seal.Passed || rep.Signatures[0].Name != "Token seal" {
				t.Fatalf("Check: %+v", rep)
			}
		})
	}
	t.Run("wrong PIN", func(t *testing.T) {
		c := token
		c.SealPKCS11PIN = "9999"
		if _, _, err := openSeal(context.Background(), &c); err == nil || !strings.Contains(err.Error(), "wrong PIN") {
			t.Fatalf("openSeal: %v", err)
		}
	})
	t.Run("no such key", func(t *testing.T) {
		c := token
		c.SealPKCS11Key = "nope"
		if _, _, err := openSeal(context.Background(), &c); err == nil || !strings.Contains(err.Error(), `"nope"`) {
			t.Fatalf("openSeal: %v", err)
		}
	})
}

func withSealCert(c Config, file string) Config {
	c.SealCert = file
	return c
}

// Without seal flags the seal is generated in the data directory and is
// the same on the next start.
func TestOpenSealGenerated(t *testing.T) {
	c := Config{Data: t.TempDir()}
	s, closeSeal, err := openSeal(context.Background(), &c)
	if err != nil {
		t.Fatal(err)
	}
	closeSeal()
	again, closeSeal, err := openSeal(context.Background(), &c)
	if err != nil {
		t.Fatal(err)
	}
	closeSeal()
	if !again.Root().Equal(s.Root()) {
		t.Fatal("a second start made another seal")
	}
	if rep := mustSealAndCheck(t, again, s.Root()); rep.Indication != seal.Passed || rep.Signatures[0].Organization != sealName {
		t.Fatalf("Check: %+v", rep)
	}
}

func mustSealAndCheck(t *testing.T, s *seal.Sealer, root *x509.Certificate) *seal.Report {
	t.Helper()
	f := fpdf.New("P", "mm", "A4", "")
	f.SetFont("Helvetica", "", 12)
	f.AddPage()
	f.Cell(0, 10, "Final document")
	var doc, sealed bytes.Buffer
	if err := f.Output(&doc); err != nil {
		t.Fatal(err)
	}
	if err := s.Seal(context.Background(), &sealed, doc.Bytes(), seal.Info{Reason: "test"}); err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(root)
	rep, err := seal.Check(context.Background(), bytes.NewReader(sealed.Bytes()), int64(sealed.Len()), roots, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// The seal flags are checked with the rest of the configuration.
func TestConfigSealFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // empty: valid
	}{
		{nil, ""},
		{[]string{"--seal-cert", "c.pem", "--seal-key", "k.pem", "--tsa-url", "https://tsa.example/tsr"}, ""},
		{[]string{"--seal-pkcs11-module", "/m.so", "--seal-pkcs11-token", "t", "--seal-pkcs11-key", "k", "--seal-cert", "chain.pem"}, ""},
		{[]string{"--seal-cert", "c.pem"}, "--seal-key"},
		{[]string{"--seal-key", "k.pem"}, "--seal-cert"},
		{[]string{"--seal-pkcs11-module", "/m.so"}, "give all three"},
		{[]string{"--seal-pkcs11-module", "/m.so", "--seal-pkcs11-token", "t", "--seal-pkcs11-key", "k", "--seal-key", "k.pem"}, "not with a PKCS #11 key"},
		{[]string{"--tsa-url", "tsa.example"}, "--tsa-url"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			var c Config
			configFlags(fs, &c)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			err := c.Validate()
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("Validate: %v, want %q", err, tc.want)
			}
		})
	}
}
