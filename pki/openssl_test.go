package pki_test

import (
	"bytes"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"paraph/gost"
	"paraph/pki"
	"paraph/pki/pkitest"
)

// requireOpenSSL skips the test when openssl (and, with engine, its GOST
// engine) is missing, except under CI=true, where interop must be proven
// and a missing tool is a failure.
func requireOpenSSL(t *testing.T, engine bool) {
	t.Helper()
	msg := ""
	if _, err := exec.LookPath("openssl"); err != nil {
		msg = "openssl not found in PATH; install openssl"
	} else if engine {
		out, err := exec.Command("openssl", "engine", "-t", "gost").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "available") {
			msg = "OpenSSL GOST engine unavailable (`openssl engine -t gost`); install libengine-gost-openssl"
		}
	}
	if msg == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func openssl(t *testing.T, dir string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("openssl", args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

// ruSubject is a synthetic RU subject in OpenSSL's -subj syntax. The RU
// identifiers go by OID; OpenSSL 3.0 knows INN, SNILS and OGRN but not
// INNLE, which reqConfig declares (OpenSSL silently skips attributes it
// does not know, so a test without it would prove nothing).
const ruSubject = "/C=RU/O=ООО Ромашка-Тест/title=Генеральный директор/CN=Иванов Иван/SN=Иванов/GN=Иван Иванович" +
	"/1.2.643.3.131.1.1=771234567859/1.2.643.100.3=11223344595/1.2.643.100.1=1027700123450/INNLE=7712345600"

// reqConfig is a minimal `openssl req` configuration declaring INNLE.
const reqConfig = `oid_section = new_oids
[new_oids]
INNLE = 1.2.643.100.4
[req]
distinguished_name = dn
[dn]
`

// writeReqConfig writes reqConfig into dir as req.cnf.
func writeReqConfig(t *testing.T, dir string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "req.cnf"), []byte(reqConfig), 0o600); err != nil {
		t.Fatal(err)
	}
}

func checkRUFields(t *testing.T, c *pki.Certificate) {
	t.Helper()
	for _, f := range []struct{ name, got, want string }{
		{"CommonName", c.CommonName, "Иванов Иван"},
		{"Surname", c.Surname, "Иванов"},
		{"GivenName", c.GivenName, "Иван Иванович"},
		{"Title", c.Title, "Генеральный директор"},
		{"Organization", c.Organization, "ООО Ромашка-Тест"},
		{"Country", c.Country, "RU"},
		{"INN", c.INN, "771234567859"},
		{"SNILS", c.SNILS, "11223344595"},
		{"OGRN", c.OGRN, "1027700123450"},
		{"INNLE", c.INNLE, "7712345600"},
	} {
		if f.got != f.want {
			t.Errorf("%s = %q, want %q", f.name, f.got, f.want)
		}
	}
}

func TestOpenSSLRUCertificate(t *testing.T) {
	requireOpenSSL(t, false)
	dir := t.TempDir()
	writeReqConfig(t, dir)
	certPEM := openssl(t, dir, "req", "-config", "req.cnf", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
		"-nodes", "-keyout", "key.pem", "-utf8", "-subj", ruSubject, "-days", "365")
	c := mustParseOne(t, certPEM)
	checkRUFields(t, c)
	if c.KeyAlgorithm != "ECDSA P-256" {
		t.Errorf("KeyAlgorithm %q", c.KeyAlgorithm)
	}
	// The same certificate as DER and as a .p7b made by OpenSSL.
	os.WriteFile(filepath.Join(dir, "cert.pem"), certPEM, 0o600)
	checkRUFields(t, mustParseOne(t, openssl(t, dir, "x509", "-in", "cert.pem", "-outform", "DER")))
	p7b := openssl(t, dir, "crl2pkcs7", "-nocrl", "-certfile", "cert.pem", "-outform", "DER")
	checkRUFields(t, mustParseOne(t, p7b))
	// The key OpenSSL wrote is refused, PEM and DER.
	keyPEM, _ := os.ReadFile(filepath.Join(dir, "key.pem"))
	for _, k := range [][]byte{keyPEM, openssl(t, dir, "pkey", "-in", "key.pem", "-outform", "DER")} {
		if _, err := pki.Parse(k); !errors.Is(err, pki.ErrPrivateKey) {
			t.Errorf("OpenSSL key: %v", err)
		}
	}
	// A PKCS #12 bundle, too.
	p12 := openssl(t, dir, "pkcs12", "-export", "-in", "cert.pem", "-inkey", "key.pem", "-passout", "pass:test")
	if _, err := pki.Parse(p12); !errors.Is(err, pki.ErrPrivateKey) {
		t.Errorf("OpenSSL PKCS #12: %v", err)
	}
}

func TestOpenSSLGOSTCertificate(t *testing.T) {
	requireOpenSSL(t, true)
	for _, tc := range []struct {
		alg, paramset, md, keyAlg, curve string
	}{
		{"gost2012_256", "TCA", "-md_gost12_256", "GOST R 34.10-2012 256", "id-tc26-gost-3410-12-256-paramSetA"},
		{"gost2012_256", "A", "-md_gost12_256", "GOST R 34.10-2012 256", "id-GostR3410-2001-CryptoPro-A-ParamSet"},
		{"gost2012_512", "A", "-md_gost12_512", "GOST R 34.10-2012 512", "id-tc26-gost-3410-12-512-paramSetA"},
	} {
		t.Run(tc.alg+"_"+tc.paramset, func(t *testing.T) {
			dir := t.TempDir()
			writeReqConfig(t, dir)
			certPEM := openssl(t, dir, "req", "-config", "req.cnf", "-x509", "-engine", "gost", "-newkey", tc.alg, "-pkeyopt", "paramset:"+tc.paramset,
				"-nodes", "-keyout", "key.pem", "-utf8", "-subj", ruSubject, "-days", "365", tc.md,
				"-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=keyCertSign,cRLSign,digitalSignature")
			c := mustParseOne(t, certPEM)
			checkRUFields(t, c)
			if _, ok := c.PublicKey.(*gost.PublicKey); !ok || c.KeyAlgorithm != tc.keyAlg || c.KeyParameterSet != tc.curve {
				t.Fatalf("PublicKey %T, KeyAlgorithm %q, KeyParameterSet %q", c.PublicKey, c.KeyAlgorithm, c.KeyParameterSet)
			}
			if err := c.CheckSignatureFrom(c); err != nil {
				t.Fatalf("self-signature: %v", err)
			}
			ts := mustStore(t, c) // AddRoot checks the self-signature too
			v := mustVerify(t, ts, c, nil, time.Now(), pki.VerifyOptions{})
			if st, r := c.Status(time.Now(), v); !v.Trusted || st != pki.StatusActive {
				t.Errorf("Verify: trusted %v, %s %q (%s)", v.Trusted, st, r, v.Detail)
			}
			if err := tamper(t, c).CheckSignatureFrom(c); !errors.Is(err, pki.ErrBadSignature) {
				t.Errorf("tampered: %v", err)
			}
			// A GOST private key from the engine is refused.
			keyPEM, _ := os.ReadFile(filepath.Join(dir, "key.pem"))
			if _, err := pki.Parse(keyPEM); !errors.Is(err, pki.ErrPrivateKey) {
				t.Errorf("GOST key: %v", err)
			}
		})
	}
}

// TestOpenSSLCRL revokes a certificate with `openssl ca -revoke` and
// `-gencrl`, serves the CRL from a loopback server, and checks that Verify
// finds the revocation.
func TestOpenSSLCRL(t *testing.T) {
	requireOpenSSL(t, false)
	dir := t.TempDir()
	var crl []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(crl) }))
	t.Cleanup(srv.Close)
	cnf := `[ca]
default_ca = ca_default
[ca_default]
dir = .
database = index.txt
new_certs_dir = .
certificate = ca.pem
private_key = ca.key
serial = serial
crlnumber = crlnumber
default_md = sha256
default_days = 30
default_crl_days = 1
policy = policy_any
copy_extensions = none
[policy_any]
commonName = supplied
INN = optional
[leaf]
basicConstraints = CA:FALSE
keyUsage = digitalSignature, nonRepudiation
crlDistributionPoints = URI:` + srv.URL + `/ca.crl
`
	for name, content := range map[string]string{"ca.cnf": cnf, "index.txt": "", "serial": "1000\n", "crlnumber": "01\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	openssl(t, dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=OpenSSL Test CA", "-days", "30",
		"-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=keyCertSign,cRLSign")
	var leaves []*pki.Certificate
	for _, name := range []string{"good", "bad"} {
		openssl(t, dir, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
			"-keyout", name+".key", "-out", name+".csr", "-utf8", "-subj", "/CN="+name+"/1.2.643.3.131.1.1=771234567859")
		openssl(t, dir, "ca", "-batch", "-config", "ca.cnf", "-extensions", "leaf", "-in", name+".csr", "-out", name+".pem")
		data, _ := os.ReadFile(filepath.Join(dir, name+".pem"))
		leaves = append(leaves, mustParseOne(t, data))
	}
	openssl(t, dir, "ca", "-config", "ca.cnf", "-revoke", "bad.pem", "-crl_reason", "keyCompromise")
	crl = openssl(t, dir, "ca", "-config", "ca.cnf", "-gencrl") // PEM "X509 CRL"
	caPEM, _ := os.ReadFile(filepath.Join(dir, "ca.pem"))
	ts := mustStore(t, mustParseOne(t, caPEM))
	now := time.Now()
	opts := pki.VerifyOptions{CheckRevocation: true}
	if v := mustVerify(t, ts, leaves[0], nil, now, opts); v.Reason != "" || !v.RevocationChecked {
		t.Errorf("good: %q %s", v.Reason, v.Detail)
	}
	if v := mustVerify(t, ts, leaves[1], nil, now, opts); v.Reason != pki.ReasonRevoked {
		t.Errorf("revoked: %q %s", v.Reason, v.Detail)
	}
	if leaves[1].INN != "771234567859" {
		t.Errorf("INN %q", leaves[1].INN)
	}
}

// TestOpenSSLVerifiesPkitestGOST checks the other direction: a GOST chain
// and CRL made by pkitest (root 256, intermediate 512, leaf 256) verify in
// `openssl verify` with the GOST engine, and the revoked leaf is refused.
func TestOpenSSLVerifiesPkitestGOST(t *testing.T) {
	requireOpenSSL(t, true)
	dir := t.TempDir()
	root := pkitest.NewCA(t, pkitest.Options{Key: pkitest.GOST256})
	sub := root.NewIntermediate(t, pkitest.Options{Key: pkitest.GOST512})
	good := sub.Issue(t, pkitest.LeafOptions{Key: pkitest.GOST256CryptoPro, Subject: pkitest.PersonRU()})
	bad := sub.Issue(t, pkitest.LeafOptions{Key: pkitest.GOST256})
	now := time.Now()
	sub.Revoke(bad.Cert, now.Add(-time.Minute))
	crlPEM := pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: sub.CRL(t, now.Add(-time.Minute), now.Add(time.Hour))})
	rootCRL := pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: root.CRL(t, now.Add(-time.Minute), now.Add(time.Hour))})
	for name, data := range map[string][]byte{
		"root.pem": pkitest.PEM(root.Cert), "sub.pem": pkitest.PEM(sub.Cert),
		"good.pem": good.PEM(), "bad.pem": bad.PEM(), "crl.pem": append(crlPEM, rootCRL...),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out := openssl(t, dir, "verify", "-engine", "gost", "-CAfile", "root.pem", "-untrusted", "sub.pem", "good.pem")
	if !strings.Contains(string(out), "good.pem: OK") {
		t.Errorf("openssl verify: %s", out)
	}
	openssl(t, dir, "verify", "-engine", "gost", "-crl_check_all", "-CRLfile", "crl.pem", "-CAfile", "root.pem", "-untrusted", "sub.pem", "good.pem")
	cmd := exec.Command("openssl", "verify", "-engine", "gost", "-crl_check_all", "-CRLfile", "crl.pem", "-CAfile", "root.pem", "-untrusted", "sub.pem", "bad.pem")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "revoked") {
		t.Errorf("openssl accepted the revoked certificate: %v\n%s", err, out)
	}
}
