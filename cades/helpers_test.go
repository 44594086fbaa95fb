package cades

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"paraph/gost"
)

// testPKI is a root CA and a leaf signing certificate with its key.
type testPKI struct {
	name     string
	root     *x509.Certificate
	rootKey  crypto.Signer
	cert     *x509.Certificate
	key      crypto.Signer
	certPath string // PEM files for openssl, in a per-test directory
	keyPath  string
	rootPath string
}

var testTime = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newKey(tb testing.TB, alg string) crypto.Signer {
	tb.Helper()
	var k crypto.Signer
	var err error
	switch alg {
	case "ecdsa-p256":
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ecdsa-p384":
		k, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "rsa", "rsa-pss":
		k, err = rsa.GenerateKey(rand.Reader, 2048)
	case "ed25519":
		_, k, err = ed25519.GenerateKey(rand.Reader)
	default:
		tb.Fatalf("unknown key %s", alg)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// MustPKI makes a root and a leaf for alg and writes them as PEM into a
// temporary directory.
func MustPKI(tb testing.TB, alg string) *testPKI {
	tb.Helper()
	rootKey := newKey(tb, "ecdsa-p256")
	now := time.Now()
	rootTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Paraph test root", Organization: []string{"Paraph"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	root := mustCert(tb, rootTmpl, rootTmpl, rootKey.Public(), rootKey)
	key := newKey(tb, alg)
	leaf := mustLeaf(tb, root, rootKey, key.Public(), 1000)
	p := &testPKI{name: alg, root: root, rootKey: rootKey, cert: leaf, key: key}
	dir := tb.TempDir()
	p.rootPath = writePEM(tb, dir, "root.pem", "CERTIFICATE", root.Raw)
	p.certPath = writePEM(tb, dir, "cert.pem", "CERTIFICATE", leaf.Raw)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		tb.Fatal(err)
	}
	p.keyPath = writePEM(tb, dir, "key.pem", "PRIVATE KEY", der)
	return p
}

func mustLeaf(tb testing.TB, root *x509.Certificate, rootKey crypto.Signer, pub crypto.PublicKey, serial int64) *x509.Certificate {
	tb.Helper()
	now := time.Now()
	return mustCert(tb, &x509.Certificate{
		SerialNumber:   big.NewInt(serial),
		Subject:        pkix.Name{CommonName: "Иван Петров", Organization: []string{"ООО Ромашка"}},
		NotBefore:      now.Add(-time.Hour),
		NotAfter:       now.Add(24 * time.Hour),
		KeyUsage:       x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage:    []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
		EmailAddresses: []string{"ivan@example.org"},
	}, root, pub, rootKey)
}

func mustCert(tb testing.TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) *x509.Certificate {
	tb.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func writePEM(tb testing.TB, dir, name, typ string, der []byte) string {
	tb.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

func writeFile(tb testing.TB, dir, name string, data []byte) string {
	tb.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// mustVerify parses sig and verifies it over content, returning the only result.
func mustVerify(tb testing.TB, sig, content []byte) SignerResult {
	tb.Helper()
	sd, err := Parse(sig)
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	res, err := sd.Verify(bytesReader(content))
	if err != nil {
		tb.Fatal(err)
	}
	if len(res) != 1 {
		tb.Fatalf("%d results, want 1", len(res))
	}
	return res[0]
}

func wantResult(tb testing.TB, r SignerResult, ind Indication, sub SubIndication) {
	tb.Helper()
	if r.Indication != ind || r.SubIndication != sub {
		tb.Fatalf("result %s/%s (%v), want %s/%s", r.Indication, r.SubIndication, r.Err, ind, sub)
	}
}

// benchSigner returns a certificate and key for alg; GOST ones are built
// in Go (no engine needed): a template certificate signed by an ECDSA root
// with its SubjectPublicKeyInfo replaced is not possible through
// crypto/x509, so the GOST certificate is self-signed by hand.
func benchSigner(tb testing.TB, alg string) (*x509.Certificate, crypto.Signer) {
	tb.Helper()
	switch alg {
	case "gost256", "gost512":
		curve := gost.CurveTC26256A
		if alg == "gost512" {
			curve = gost.CurveTC26512A
		}
		key, err := gost.GenerateKey(curve, nil)
		if err != nil {
			tb.Fatal(err)
		}
		return gostSelfSigned(tb, key), key
	}
	p := MustPKI(tb, alg)
	return p.cert, p.key
}

// gostSelfSigned builds a self-signed GOST R 34.10-2012 certificate by
// hand, since crypto/x509 cannot create one: TBSCertificate with the key's
// SubjectPublicKeyInfo, signed with Streebog and the key (s‖r in the BIT
// STRING, as the engine writes it).
func gostSelfSigned(tb testing.TB, key *gost.PrivateKey) *x509.Certificate {
	tb.Helper()
	spki, err := gost.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		tb.Fatal(err)
	}
	name, err := asn1.Marshal(pkix.Name{CommonName: "ГОСТ подписант", Organization: []string{"Paraph"}}.ToRDNSequence())
	if err != nil {
		tb.Fatal(err)
	}
	sigOID, sum := gost.OIDSignWithDigest256, func(b []byte) []byte { s := gost.Sum256(b); return s[:] }
	if key.Curve.PointSize == 64 {
		sigOID, sum = gost.OIDSignWithDigest512, func(b []byte) []byte { s := gost.Sum512(b); return s[:] }
	}
	now := time.Now().UTC()
	var tbs cryptobyte.Builder
	tbs.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddASN1Int64(2) })
		b.AddASN1Int64(now.UnixNano() & 0x7fffffffffff)
		addAlgorithm(b, sigOID, false)
		b.AddBytes(name)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1UTCTime(now.Add(-time.Hour).Truncate(time.Second))
			b.AddASN1UTCTime(now.Add(24 * time.Hour).Truncate(time.Second))
		})
		b.AddBytes(name)
		b.AddBytes(spki)
	})
	tbsDER := tbs.BytesOrPanic()
	sig, err := key.Sign(nil, sum(tbsDER), nil)
	if err != nil {
		tb.Fatal(err)
	}
	var cert cryptobyte.Builder
	cert.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbsDER)
		addAlgorithm(b, sigOID, false)
		b.AddASN1BitString(sig)
	})
	c, err := x509.ParseCertificate(cert.BytesOrPanic())
	if err != nil {
		tb.Fatal(err)
	}
	return c
}
