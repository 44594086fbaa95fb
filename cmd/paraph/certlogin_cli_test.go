package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"

	"paraph/client"
	"paraph/pki/pkitest"
)

const certPerson = "Тестов Пётр Сергеевич"

// certServer is a running server that trusts a test CA's root, with an
// account that owns an organization and so is a member certificates bind to.
type certServer struct {
	base   string
	ca     *pkitest.CA
	token  string // the account's password session
	org    string
	member string
}

// mustStartCertServer starts the server with --trust-roots naming the CA's
// root, creates the account with the CLI and the organization with the API.
func mustStartCertServer(t *testing.T, ca *pkitest.CA) *certServer {
	t.Helper()
	data := t.TempDir()
	roots := filepath.Join(t.TempDir(), "roots.pem")
	mustWrite(t, roots, pkitest.PEM(ca.Root()))
	base, stop, _ := startServe(t, "--data", data, "--trust-roots", roots)
	t.Cleanup(func() { stop() })
	ctx := context.Background()
	var out, errb bytes.Buffer
	if err := run(ctx, []string{"account", "create", "--data", data, "--login", "petr@example.com", "--name", certPerson},
		strings.NewReader("cert password 2026\n"), &out, &errb); err != nil {
		t.Fatalf("account create: %v %s", err, errb.String())
	}
	c, err := client.New(base, "")
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Login(ctx, "petr@example.com", "cert password 2026")
	if err != nil {
		t.Fatal(err)
	}
	srv := &certServer{base: base, ca: ca, token: s.Token}
	var org struct{ ID string }
	srv.api(t, "POST", "/api/v1/orgs", "application/json",
		`{"kind":"legal","country":"RU","name":"ООО «Тест»","inn":"7707083893","kpp":"773601001","ogrn":"1027700132195"}`, 201, &org)
	var members struct{ Items []struct{ ID string } }
	srv.api(t, "GET", "/api/v1/orgs/"+org.ID+"/members", "", "", 200, &members)
	if len(members.Items) != 1 {
		t.Fatalf("members: %+v", members)
	}
	srv.org, srv.member = org.ID, members.Items[0].ID
	return srv
}

// api sends one request with the account's token and decodes the answer.
func (s *certServer) api(t *testing.T, method, path, contentType, body string, want int, out any) {
	t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw bytes.Buffer
	raw.ReadFrom(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, raw.String())
	}
	if out != nil {
		if err := json.Unmarshal(raw.Bytes(), out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// bind uploads a certificate to the account's membership.
func (s *certServer) bind(t *testing.T, certPEM []byte) {
	t.Helper()
	s.api(t, "POST", "/api/v1/orgs/"+s.org+"/members/"+s.member+"/certificates", "application/x-pem-file", string(certPEM), 201, nil)
}

// person is pkitest's RU person without the organization's identifiers, which
// name another company than the test organization.
func person() pkitest.Subject {
	p := pkitest.PersonRU()
	p.INNLE, p.OGRN, p.Organization = "", "", ""
	return p
}

func mustWrite(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// runCLI runs the paraph command with its own credentials file.
func runCLI(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String() + errb.String(), err
}

// mustWhoami checks that the saved credentials are the test person's, and
// that the file keeps them private.
func mustWhoami(t *testing.T) {
	t.Helper()
	out, err := runCLI(t, "", "whoami")
	if err != nil || !strings.Contains(out, certPerson+" <petr@example.com>") || !strings.Contains(out, "ООО «Тест»") {
		t.Fatalf("whoami: %v %q", err, out)
	}
	info, err := os.Stat(os.Getenv("PARAPH_CREDENTIALS"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v %v", info, err)
	}
}

func freshCredentials(t *testing.T) {
	t.Setenv("PARAPH_CREDENTIALS", filepath.Join(t.TempDir(), "cred.json"))
}

// A bound certificate with its key file logs in, for every key type.
func TestCertificateLoginWithKeyFile(t *testing.T) {
	srv := mustStartCertServer(t, pkitest.NewCA(t, pkitest.Options{}))
	for _, kt := range []pkitest.KeyType{pkitest.ECDSA, pkitest.RSA, pkitest.Ed25519, pkitest.GOST256, pkitest.GOST512} {
		t.Run(string(kt), func(t *testing.T) {
			freshCredentials(t)
			leaf := srv.ca.Issue(t, pkitest.LeafOptions{Subject: person(), Key: kt})
			srv.bind(t, leaf.PEM())
			dir := t.TempDir()
			c := mustWrite(t, filepath.Join(dir, "c.pem"), leaf.PEM())
			k := mustWrite(t, filepath.Join(dir, "k.pem"), leaf.KeyPEM(t))
			if out, err := runCLI(t, "", "login", "--server", srv.base, "--cert", c, "--key", k); err != nil || !strings.Contains(out, "logged in to") {
				t.Fatalf("login: %v %q", err, out)
			}
			mustWhoami(t)
		})
	}
	// The key in the older PEM forms, and a DER certificate.
	t.Run("EC and RSA PRIVATE KEY, DER certificate", func(t *testing.T) {
		for _, kt := range []pkitest.KeyType{pkitest.ECDSA, pkitest.RSA} {
			freshCredentials(t)
			leaf := srv.ca.Issue(t, pkitest.LeafOptions{Subject: person(), Key: kt})
			srv.bind(t, leaf.PEM())
			var b *pem.Block
			switch k := leaf.Key.(type) {
			case *ecdsa.PrivateKey:
				der, err := x509.MarshalECPrivateKey(k)
				if err != nil {
					t.Fatal(err)
				}
				b = &pem.Block{Type: "EC PRIVATE KEY", Bytes: der}
			case *rsa.PrivateKey:
				b = &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}
			default:
				t.Fatalf("%T", k)
			}
			dir := t.TempDir()
			c := mustWrite(t, filepath.Join(dir, "c.cer"), leaf.DER())
			k := mustWrite(t, filepath.Join(dir, "k.pem"), pem.EncodeToMemory(b))
			if out, err := runCLI(t, "", "login", "--server", srv.base, "--cert", c, "--key", k); err != nil {
				t.Fatalf("login with %s: %v %q", b.Type, err, out)
			}
			mustWhoami(t)
		}
	})
}

// A PKCS #12 file made by go-pkcs12 and one made by OpenSSL log in; the
// password comes from the environment or from standard input.
func TestCertificateLoginWithPKCS12(t *testing.T) {
	srv := mustStartCertServer(t, pkitest.NewCA(t, pkitest.Options{}))
	dir := t.TempDir()
	for _, kt := range []pkitest.KeyType{pkitest.ECDSA, pkitest.RSA} {
		t.Run("go-pkcs12 "+string(kt), func(t *testing.T) {
			freshCredentials(t)
			leaf := srv.ca.Issue(t, pkitest.LeafOptions{Subject: person(), Key: kt})
			srv.bind(t, leaf.PEM())
			pfx, err := pkcs12.Modern.Encode(leaf.Key, leaf.Cert.X509, []*x509.Certificate{srv.ca.Root().X509}, "secret")
			if err != nil {
				t.Fatal(err)
			}
			p12 := mustWrite(t, filepath.Join(dir, "go-"+string(kt[:3])+".p12"), pfx)
			if out, err := runCLI(t, "wrong\n", "login", "--server", srv.base, "--p12", p12); err == nil || !strings.Contains(out+err.Error(), "wrong password") {
				t.Fatalf("wrong password: %v %q", err, out)
			}
			if out, err := runCLI(t, "secret\n", "login", "--server", srv.base, "--p12", p12); err != nil {
				t.Fatalf("login, password on stdin: %v %q", err, out)
			}
			mustWhoami(t)
			freshCredentials(t)
			t.Setenv("PARAPH_P12_PASSWORD", "secret")
			if out, err := runCLI(t, "", "login", "--server", srv.base, "--p12", p12); err != nil {
				t.Fatalf("login, password in PARAPH_P12_PASSWORD: %v %q", err, out)
			}
			mustWhoami(t)
		})
	}
	t.Run("openssl", func(t *testing.T) {
		openssl := mustTool(t, "openssl")
		freshCredentials(t)
		leaf := srv.ca.Issue(t, pkitest.LeafOptions{Subject: person()})
		srv.bind(t, leaf.PEM())
		c := mustWrite(t, filepath.Join(dir, "c.pem"), leaf.PEM())
		k := mustWrite(t, filepath.Join(dir, "k.pem"), leaf.KeyPEM(t))
		p12 := filepath.Join(dir, "openssl.p12")
		if out, err := exec.Command(openssl, "pkcs12", "-export", "-inkey", k, "-in", c, "-out", p12, "-passout", "pass:secret").CombinedOutput(); err != nil {
			t.Fatalf("openssl pkcs12: %v %s", err, out)
		}
		if out, err := runCLI(t, "secret\n", "login", "--server", srv.base, "--p12", p12); err != nil {
			t.Fatalf("login: %v %q", err, out)
		}
		mustWhoami(t)
	})
}

// Keys encrypted by OpenSSL (PBES2: AES-256-CBC with HMAC-SHA-256 by
// default, AES-128-CBC with HMAC-SHA-1) are decrypted with the password from
// PARAPH_KEY_PASSWORD or standard input.
func TestCertificateLoginWithEncryptedKey(t *testing.T) {
	openssl := mustTool(t, "openssl")
	srv := mustStartCertServer(t, pkitest.NewCA(t, pkitest.Options{}))
	for _, tc := range []struct {
		key  pkitest.KeyType
		args []string
	}{
		{pkitest.ECDSA, nil},
		{pkitest.RSA, []string{"-v2", "aes128", "-v2prf", "hmacWithSHA1"}},
		{pkitest.Ed25519, []string{"-v2", "aes192", "-v2prf", "hmacWithSHA512", "-iter", "1000"}},
	} {
		t.Run(string(tc.key), func(t *testing.T) {
			freshCredentials(t)
			dir := t.TempDir()
			leaf := srv.ca.Issue(t, pkitest.LeafOptions{Subject: person(), Key: tc.key})
			srv.bind(t, leaf.PEM())
			c := mustWrite(t, filepath.Join(dir, "c.pem"), leaf.PEM())
			plain := mustWrite(t, filepath.Join(dir, "plain.pem"), leaf.KeyPEM(t))
			k := filepath.Join(dir, "k.pem")
			args := append([]string{"pkcs8", "-topk8", "-in", plain, "-out", k, "-passout", "pass:key secret"}, tc.args...)
			if out, err := exec.Command(openssl, args...).CombinedOutput(); err != nil {
				t.Fatalf("openssl pkcs8: %v %s", err, out)
			}
			if out, err := runCLI(t, "not it\n", "login", "--server", srv.base, "--cert", c, "--key", k); err == nil || !strings.Contains(err.Error(), "wrong password") {
				t.Fatalf("wrong password: %v %q", err, out)
			}
			if out, err := runCLI(t, "key secret\n", "login", "--server", srv.base, "--cert", c, "--key", k); err != nil {
				t.Fatalf("login, password on stdin: %v %q", err, out)
			}
			mustWhoami(t)
			freshCredentials(t)
			t.Setenv("PARAPH_KEY_PASSWORD", "key secret")
			if out, err := runCLI(t, "", "login", "--server", srv.base, "--cert", c, "--key", k); err != nil {
				t.Fatalf("login, password in PARAPH_KEY_PASSWORD: %v %q", err, out)
			}
			mustWhoami(t)
		})
	}
	t.Run("PBES1 refused", func(t *testing.T) {
		dir := t.TempDir()
		leaf := srv.ca.Issue(t, pkitest.LeafOptions{Subject: person()})
		c := mustWrite(t, filepath.Join(dir, "c.pem"), leaf.PEM())
		plain := mustWrite(t, filepath.Join(dir, "plain.pem"), leaf.KeyPEM(t))
		k := filepath.Join(dir, "k.pem")
		if out, err := exec.Command(openssl, "pkcs8", "-topk8", "-in", plain, "-out", k, "-passout", "pass:x", "-v1", "PBE-SHA1-3DES").CombinedOutput(); err != nil {
			t.Fatalf("openssl pkcs8: %v %s", err, out)
		}
		if _, err := runCLI(t, "x\n", "login", "--server", srv.base, "--cert", c, "--key", k); err == nil || !strings.Contains(err.Error(), "decrypt with openssl pkcs8 first") {
			t.Fatalf("PBES1: %v", err)
		}
	})
}

// mustTool finds a peer program; without it the test is skipped, except in
// CI, where every peer must be installed.
func mustTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed (CI must run this test)", name)
		}
		t.Skipf("%s is not installed", name)
	}
	return p
}

// Refusals: each one line, a non-zero exit, and no credentials saved.
func TestCertificateLoginRefusals(t *testing.T) {
	srv := mustStartCertServer(t, pkitest.NewCA(t, pkitest.Options{}))
	freshCredentials(t)
	dir := t.TempDir()
	bound := srv.ca.Issue(t, pkitest.LeafOptions{Subject: person()})
	srv.bind(t, bound.PEM())
	other := srv.ca.Issue(t, pkitest.LeafOptions{Subject: person()})
	boundPEM := mustWrite(t, filepath.Join(dir, "bound.pem"), bound.PEM())
	otherPEM := mustWrite(t, filepath.Join(dir, "other.pem"), other.PEM())
	otherKey := mustWrite(t, filepath.Join(dir, "other.key"), other.KeyPEM(t))
	legacy := mustWrite(t, filepath.Join(dir, "legacy.key"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY",
		Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00112233445566778899AABBCCDDEEFF"}, Bytes: make([]byte, 48)}))
	damaged := mustWrite(t, filepath.Join(dir, "damaged.key"), pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{0x30, 0}}))
	certAsKey := boundPEM
	for _, tc := range []struct {
		name string
		args []string
		want string
		code int
	}{
		{"key of another certificate", []string{"--cert", boundPEM, "--key", otherKey}, "the key does not match the certificate", 1},
		{"certificate not bound", []string{"--cert", otherPEM, "--key", otherKey}, "not linked to an account", 1},
		{"key encrypted the old way", []string{"--cert", boundPEM, "--key", legacy}, "not supported: decrypt with openssl pkcs8 first", 1},
		{"damaged encrypted key", []string{"--cert", boundPEM, "--key", damaged}, "damaged ENCRYPTED PRIVATE KEY", 1},
		{"no key in the key file", []string{"--cert", boundPEM, "--key", certAsKey}, "no private key in it", 1},
		{"missing key file", []string{"--cert", boundPEM, "--key", filepath.Join(dir, "nope.pem")}, "no such file", 1},
		{"not a certificate", []string{"--cert", otherKey, "--key", otherKey}, "certificate", 1},
		{"no way to log in", nil, "give --login", 2},
		{"two ways", []string{"--login", "petr@example.com", "--p12", "x.p12"}, "only one of", 2},
		{"key without certificate", []string{"--key", otherKey}, "--key needs --cert", 2},
		{"token without key label", []string{"--pkcs11-module", "/nonexistent.so", "--pkcs11-token", "t"}, "--pkcs11-key-label", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runCLI(t, "", append([]string{"login", "--server", srv.base}, tc.args...)...)
			if err == nil || !strings.Contains(err.Error(), tc.want) || exitCode(err) != tc.code {
				t.Fatalf("got %v (exit %d), want %q (exit %d); output %q", err, exitCode(err), tc.want, tc.code, out)
			}
			if strings.Contains(oneLine(err), "\n") || strings.Contains(err.Error(), "BEGIN") {
				t.Fatalf("error is not one clean line: %q", err)
			}
			if _, serr := os.Stat(os.Getenv("PARAPH_CREDENTIALS")); serr == nil {
				t.Fatal("credentials saved after a refusal")
			}
		})
	}
}
