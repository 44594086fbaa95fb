package seal

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"paraph/internal/testtool"
)

// The generated seal is made once and found again by later starts, with
// the key readable by its owner only.
func TestOpenGeneratedPersists(t *testing.T) {
	dir := t.TempDir()
	first := MustOpen(t, Config{Dir: dir, Name: "Acme"})
	second := MustOpen(t, Config{Dir: dir, Name: "Acme"})
	if !first.Chain()[0].Equal(second.Chain()[0]) || !first.Root().Equal(second.Root()) {
		t.Fatal("a second Open made a new seal")
	}
	root, leaf := first.Root(), first.Chain()[0]
	if !strings.HasPrefix(root.Subject.CommonName, "Paraph instance root – ") || !root.IsCA ||
		root.NotAfter.Sub(root.NotBefore) < 19*365*24*time.Hour || leaf.NotAfter.Sub(leaf.NotBefore) < 9*365*24*time.Hour ||
		leaf.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment || leaf.Subject.Organization[0] != "Acme" {
		t.Errorf("root %q %v–%v, seal %q %v–%v usage %v", root.Subject, root.NotBefore, root.NotAfter, leaf.Subject, leaf.NotBefore, leaf.NotAfter, leaf.KeyUsage)
	}
	if _, ok := first.signer.Public().(*ecdsa.PublicKey); !ok {
		t.Errorf("key %T, want ECDSA", first.signer.Public())
	}
	for name, want := range map[string]os.FileMode{"seal": 0o700 | os.ModeDir, "seal/" + KeyFile: 0o600} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Mode() != want {
			t.Errorf("%s: %v %v, want %v", name, fi.Mode(), err, want)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the data dir holds %d entries, want only seal/ (no temporary folder left)", len(entries))
	}
	rep := mustCheck(t, mustSeal(t, second, mustPDF(t, 1)), first.Root())
	if rep.Indication != Passed {
		t.Fatalf("Check: %+v", rep)
	}
}

// Processes starting at once all end with the same seal.
func TestOpenGeneratedConcurrently(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	sealers := make([]*Sealer, 8)
	errs := make([]error, len(sealers))
	for i := range sealers {
		wg.Go(func() { sealers[i], errs[i] = Open(context.Background(), Config{Dir: dir}) })
	}
	wg.Wait()
	for i, s := range sealers {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !s.Chain()[0].Equal(sealers[0].Chain()[0]) {
			t.Fatal("two seals were made")
		}
	}
	again := MustOpen(t, Config{Dir: dir})
	if !again.Chain()[0].Equal(sealers[0].Chain()[0]) {
		t.Fatal("the files on disk are not the seal the processes use")
	}
}

// testCA issues certificates for the configured-key tests.
type testCA struct {
	cert *x509.Certificate
	key  crypto.Signer
}

func newTestCA(tb testing.TB) *testCA {
	tb.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test Seal CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true}
	return &testCA{cert: mustCertificate(tb, tmpl, tmpl, key.Public(), key), key: key}
}

func (ca *testCA) issue(tb testing.TB, pub crypto.PublicKey, notBefore, notAfter time.Time) *x509.Certificate {
	tb.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "Configured seal", Organization: []string{"Acme"}},
		NotBefore: notBefore, NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment}
	return mustCertificate(tb, tmpl, ca.cert, pub, ca.key)
}

func mustCertificate(tb testing.TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, key crypto.Signer) *x509.Certificate {
	tb.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		tb.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c
}

func certPEM(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

func keyPEM(tb testing.TB, key any) []byte {
	tb.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		tb.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// A configured certificate and key seal; the chain's last certificate is
// the root to trust. A Signer with its chain does the same.
func TestOpenConfigured(t *testing.T) {
	ca := newTestCA(t)
	key, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	cert := ca.issue(t, key.Public(), time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	files := MustOpen(t, Config{CertFile: mustWrite(t, "seal.pem", certPEM(cert, ca.cert)), KeyFile: mustWrite(t, "seal.key", keyPEM(t, key))})
	signer := MustOpen(t, Config{Signer: key, Chain: []*x509.Certificate{cert, ca.cert}})
	for name, s := range map[string]*Sealer{"files": files, "signer": signer} {
		if !s.Root().Equal(ca.cert) {
			t.Errorf("%s: root %q", name, s.Root().Subject)
		}
		sealed := mustSeal(t, s, mustPDF(t, 1))
		rep := mustCheck(t, sealed, ca.cert)
		if rep.Indication != Passed || rep.Signatures[0].Name != "Configured seal" || rep.Signatures[0].Organization != "Acme" {
			t.Errorf("%s: Check: %+v", name, rep)
		}
		if out := testtool.PDFSig(t, testtool.NSSDB(t, ca.cert), sealed); !strings.Contains(out, "Signature is Valid.") || !strings.Contains(out, "Certificate is Trusted.") {
			t.Errorf("%s: pdfsig:\n%s", name, out)
		}
	}
}

// Bad configurations are refused with errors that name what to fix.
func TestOpenBadConfig(t *testing.T) {
	ca := newTestCA(t)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	cert := ca.issue(t, key.Public(), now.Add(-time.Hour), now.Add(time.Hour))
	expired := ca.issue(t, key.Public(), now.Add(-2*time.Hour), now.Add(-time.Hour))
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	edCert := ca.issue(t, edKey.Public(), now.Add(-time.Hour), now.Add(time.Hour))

	certFile := mustWrite(t, "seal.pem", certPEM(cert))
	expiredFile := mustWrite(t, "expired.pem", certPEM(expired))
	edFile := mustWrite(t, "ed.pem", certPEM(edCert))
	keyFile := mustWrite(t, "seal.key", keyPEM(t, key))
	missing := filepath.Join(t.TempDir(), "nothing.pem")
	damagedDir := t.TempDir()
	MustOpen(t, Config{Dir: damagedDir})
	os.Remove(filepath.Join(damagedDir, "seal", CertFile))

	for _, tc := range []struct {
		name string
		c    Config
		want []string
	}{
		{"missing certificate file", Config{CertFile: missing, KeyFile: keyFile}, []string{"certificate file", missing}},
		{"missing key file", Config{CertFile: certFile, KeyFile: missing}, []string{"key file", missing}},
		{"only a certificate", Config{CertFile: certFile}, []string{"both the certificate file and the key file"}},
		{"key of another certificate", Config{CertFile: certFile, KeyFile: mustWrite(t, "other.key", keyPEM(t, otherKey))}, []string{"does not match", certFile}},
		{"expired certificate", Config{CertFile: expiredFile, KeyFile: keyFile}, []string{"expired", expiredFile}},
		{"unsupported key", Config{CertFile: edFile, KeyFile: mustWrite(t, "ed.key", keyPEM(t, edKey))}, []string{"unsupported key", edFile}},
		{"not PEM", Config{CertFile: mustWrite(t, "junk.pem", []byte("junk")), KeyFile: keyFile}, []string{"no PEM certificate"}},
		{"signer and files", Config{Signer: key, Chain: []*x509.Certificate{cert}, CertFile: certFile, KeyFile: keyFile}, []string{"give one"}},
		{"signer without certificate", Config{Signer: key}, []string{"no certificate chain"}},
		{"signer of another certificate", Config{Signer: otherKey, Chain: []*x509.Certificate{cert}}, []string{"does not match"}},
		{"no data dir", Config{}, []string{"no data dir"}},
		{"generated seal with a file missing", Config{Dir: damagedDir}, []string{filepath.Join(damagedDir, "seal", CertFile)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(context.Background(), tc.c)
			if err == nil {
				t.Fatal("Open succeeded")
			}
			t.Log(err)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}
