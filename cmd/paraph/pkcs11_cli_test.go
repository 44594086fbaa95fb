//go:build cgo

package main

import (
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ThalesGroup/crypto11"

	"paraph/pki/pkitest"
)

// softHSM makes a SoftHSM token "paraph" (PIN 1234) in a temporary folder
// and returns the module's path. Without SoftHSM the test is skipped, except
// in CI.
func softHSM(t *testing.T) string {
	t.Helper()
	util := mustTool(t, "softhsm2-util")
	var module string
	for _, p := range []string{"/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
		"/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so", "/usr/local/lib/softhsm/libsofthsm2.so"} {
		if _, err := os.Stat(p); err == nil {
			module = p
			break
		}
	}
	if module == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("softhsm2-util is installed but libsofthsm2.so is not found")
		}
		t.Skip("libsofthsm2.so not found")
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "tokens"), 0o700); err != nil {
		t.Fatal(err)
	}
	conf := mustWrite(t, filepath.Join(dir, "softhsm2.conf"),
		[]byte("directories.tokendir = "+filepath.Join(dir, "tokens")+"\nobjectstore.backend = file\nlog.level = ERROR\n"))
	t.Setenv("SOFTHSM2_CONF", conf)
	if out, err := exec.Command(util, "--init-token", "--free", "--label", "paraph", "--pin", "1234", "--so-pin", "5678").CombinedOutput(); err != nil {
		t.Fatalf("softhsm2-util: %v %s", err, out)
	}
	return module
}

// A key pair made inside a SoftHSM token logs in through PKCS #11, with the
// certificate from a file or from the token; a wrong PIN is refused.
func TestCertificateLoginWithPKCS11(t *testing.T) {
	module := softHSM(t)
	ca := pkitest.NewCA(t, pkitest.Options{})
	srv := mustStartCertServer(t, ca)

	p11, err := crypto11.Configure(&crypto11.Config{Path: module, TokenLabel: "paraph", Pin: "1234"})
	if err != nil {
		t.Fatal(err)
	}
	key, err := p11.GenerateECDSAKeyPairWithLabel([]byte{1}, []byte("k1"), elliptic.P256())
	if err != nil {
		p11.Close()
		t.Fatal(err)
	}
	// The test CA issues a certificate for the token's public key.
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: certPerson},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert.X509, key.Public(), ca.Key)
	if err != nil {
		p11.Close()
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	if err := p11.ImportCertificateWithLabel([]byte{1}, []byte("k1"), cert); err != nil {
		p11.Close()
		t.Fatal(err)
	}
	if err := p11.Close(); err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	srv.bind(t, certPEM)
	leaf := mustWrite(t, filepath.Join(t.TempDir(), "leaf.pem"), certPEM)
	token := []string{"login", "--server", srv.base, "--pkcs11-module", module, "--pkcs11-token", "paraph", "--pkcs11-key-label", "k1"}

	t.Run("certificate from a file, PIN in the environment", func(t *testing.T) {
		freshCredentials(t)
		t.Setenv("PARAPH_PKCS11_PIN", "1234")
		if out, err := runCLI(t, "", append(token, "--cert", leaf)...); err != nil {
			t.Fatalf("login: %v %q", err, out)
		}
		mustWhoami(t)
	})
	t.Run("certificate from the token, PIN on stdin", func(t *testing.T) {
		freshCredentials(t)
		if out, err := runCLI(t, "1234\n", token...); err != nil {
			t.Fatalf("login: %v %q", err, out)
		}
		mustWhoami(t)
	})
	t.Run("wrong PIN", func(t *testing.T) {
		freshCredentials(t)
		out, err := runCLI(t, "9999\n", token...)
		if err == nil || !strings.Contains(err.Error(), "wrong PIN") || strings.Contains(err.Error(), "9999") {
			t.Fatalf("wrong PIN: %v %q", err, out)
		}
	})
	t.Run("no such key or token", func(t *testing.T) {
		freshCredentials(t)
		t.Setenv("PARAPH_PKCS11_PIN", "1234")
		if _, err := runCLI(t, "", "login", "--server", srv.base, "--pkcs11-module", module, "--pkcs11-token", "paraph", "--pkcs11-key-label", "k2", "--cert", leaf); err == nil ||
			!strings.Contains(err.Error(), `no key pair labelled "k2"`) {
			t.Fatalf("unknown key: %v", err)
		}
		if _, err := runCLI(t, "", "login", "--server", srv.base, "--pkcs11-module", module, "--pkcs11-token", "nope", "--pkcs11-key-label", "k1", "--cert", leaf); err == nil ||
			!strings.Contains(err.Error(), `no token labelled "nope"`) {
			t.Fatalf("unknown token: %v", err)
		}
	})
}
