package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"

	"paraph/cades"
	"paraph/client"
	"paraph/pki/pkitest"
)

// orgDirector is a certificate subject naming the test organization of
// mustStartCertServer, so its holder signs for it without a МЧД.
func orgDirector() pkitest.Subject {
	s := pkitest.PersonRU()
	s.INNLE, s.OGRN, s.Organization = "7707083893", "1027700132195", "ООО «Тест»"
	return s
}

// signSetup is a running server with a sent document the test person must
// sign, and the person logged in with the CLI.
type signSetup struct {
	srv *certServer
	api *client.Client
	dir string
}

func newSignSetup(t *testing.T) *signSetup {
	t.Helper()
	srv := mustStartCertServer(t, pkitest.NewCA(t, pkitest.Options{}))
	api, err := client.New(srv.base, srv.token)
	if err != nil {
		t.Fatal(err)
	}
	freshCredentials(t)
	if out, err := runCLI(t, "cert password 2026\n", "login", "--server", srv.base, "--login", "petr@example.com"); err != nil {
		t.Fatalf("login: %v %s", err, out)
	}
	s := &signSetup{srv: srv, api: api, dir: t.TempDir()}
	mustWrite(t, filepath.Join(s.dir, "root.pem"), pkitest.PEM(srv.ca.Root()))
	return s
}

// document uploads content and sends it for the test person to sign.
func (s *signSetup) document(t *testing.T, content []byte) *client.Document {
	t.Helper()
	ctx := context.Background()
	d, err := s.api.CreateDocument(ctx, s.srv.org, client.DocumentMeta{Title: "Акт № 5", Kind: "act"}, "act-5.pdf", bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.api.SetRoute(ctx, d.ID, []client.Stage{{Side: "own", Signature: "qualified", Signers: []client.Signer{{MemberID: s.srv.member}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.api.Send(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	return d
}

// keyFiles issues a bound certificate with a key of type kt and writes both.
func (s *signSetup) keyFiles(t *testing.T, kt pkitest.KeyType) (cert, key string, leaf *pkitest.Leaf) {
	t.Helper()
	leaf = s.srv.ca.Issue(t, pkitest.LeafOptions{Subject: orgDirector(), Key: kt})
	s.srv.bind(t, leaf.PEM())
	dir, err := os.MkdirTemp(s.dir, "key")
	if err != nil {
		t.Fatal(err)
	}
	cert = mustWrite(t, filepath.Join(dir, "c.pem"), leaf.PEM())
	key = mustWrite(t, filepath.Join(dir, "k.pem"), leaf.KeyPEM(t))
	return cert, key, leaf
}

// download fetches the document's original and its only signature through
// the API into files, and returns their paths.
func (s *signSetup) download(t *testing.T, docID string) (file, sig string) {
	t.Helper()
	ctx := context.Background()
	d, err := s.api.Document(ctx, docID)
	if err != nil {
		t.Fatal(err)
	}
	if d.State != "completed" || len(d.Signatures) != 1 || d.Signatures[0].Result != "passed" {
		t.Fatalf("document after signing: %+v", d)
	}
	var orig, cms bytes.Buffer
	if err := s.api.DownloadFile(ctx, docID, &orig); err != nil {
		t.Fatal(err)
	}
	if err := s.api.DownloadSignature(ctx, docID, d.Signatures[0].ID, &cms); err != nil {
		t.Fatal(err)
	}
	file = mustWrite(t, filepath.Join(s.dir, docID+".pdf"), orig.Bytes())
	sig = mustWrite(t, filepath.Join(s.dir, docID+".pdf.sig"), cms.Bytes())
	return file, sig
}

// paraph sign signs with the two-step flow (the key stays with the CLI);
// the signature downloaded from the server is then checked by OpenSSL — the
// independent peer — and by paraph verify offline.
func TestSignWithCLI(t *testing.T) {
	s := newSignSetup(t)
	for _, tc := range []struct {
		key        pkitest.KeyType
		opensslArg []string // nil: OpenSSL without an engine
	}{
		{pkitest.ECDSA, nil},
		{pkitest.GOST256, []string{"-engine", "gost"}},
	} {
		t.Run(string(tc.key), func(t *testing.T) {
			cert, key, _ := s.keyFiles(t, tc.key)
			d := s.document(t, []byte("%PDF-1.4\n% signed by the CLI with "+string(tc.key)+"\n"))
			out, err := runCLI(t, "", "sign", d.ID, "--cert", cert, "--key", key)
			if err != nil || !strings.Contains(out, ": PASSED") || !strings.Contains(out, "document "+d.ID+": completed") {
				t.Fatalf("paraph sign: %v\n%s", err, out)
			}
			file, sig := s.download(t, d.ID)
			if out, err := runCLI(t, "", "verify", "--trust", filepath.Join(s.dir, "root.pem"), file, sig); err != nil || !strings.Contains(out, "PASSED") {
				t.Fatalf("paraph verify: %v\n%s", err, out)
			}
			openssl := mustTool(t, "openssl")
			if tc.opensslArg != nil {
				if err := exec.Command(openssl, "engine", "-t", "gost").Run(); err != nil {
					if os.Getenv("CI") == "true" {
						t.Fatal("OpenSSL's GOST engine (libengine-gost-openssl) is required under CI=true")
					}
					t.Skip("OpenSSL's GOST engine is not installed: the GOST signature was checked by paraph verify only")
				}
			}
			args := append([]string{"cms", "-verify"}, tc.opensslArg...)
			args = append(args, "-cades", "-binary", "-content", file, "-inform", "DER", "-in", sig,
				"-CAfile", filepath.Join(s.dir, "root.pem"), "-purpose", "any", "-out", os.DevNull)
			if out, err := exec.Command(openssl, args...).CombinedOutput(); err != nil || !strings.Contains(string(out), "Verification successful") {
				t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
			}
		})
	}
}

// A PKCS #12 file signs too, its password from the environment.
func TestSignWithPKCS12(t *testing.T) {
	s := newSignSetup(t)
	_, _, leaf := s.keyFiles(t, pkitest.ECDSA)
	pfx, err := pkcs12.Modern.Encode(leaf.Key, leaf.Cert.X509, []*x509.Certificate{s.srv.ca.Root().X509}, "secret")
	if err != nil {
		t.Fatal(err)
	}
	p12 := mustWrite(t, filepath.Join(s.dir, "me.p12"), pfx)
	d := s.document(t, []byte("%PDF-1.4\n% signed from a .p12\n"))
	t.Setenv("PARAPH_P12_PASSWORD", "secret")
	if out, err := runCLI(t, "", "sign", "--p12", p12, d.ID); err != nil || !strings.Contains(out, ": PASSED") {
		t.Fatalf("paraph sign --p12: %v\n%s", err, out)
	}
	file, sig := s.download(t, d.ID)
	if out, err := runCLI(t, "", "verify", "--trust", filepath.Join(s.dir, "root.pem"), file, sig); err != nil {
		t.Fatalf("paraph verify: %v\n%s", err, out)
	}
}

// A signature made by openssl cms -sign -cades is uploaded with --cms.
func TestSignUploadOpenSSLSignature(t *testing.T) {
	openssl := mustTool(t, "openssl")
	s := newSignSetup(t)
	cert, key, _ := s.keyFiles(t, pkitest.ECDSA)
	content := []byte("%PDF-1.4\n% signed by openssl\n")
	d := s.document(t, content)
	doc := mustWrite(t, filepath.Join(s.dir, "act.pdf"), content)
	sig := filepath.Join(s.dir, "act.pdf.sig")
	if out, err := exec.Command(openssl, "cms", "-sign", "-binary", "-cades", "-md", "sha256", "-signer", cert, "-inkey", key,
		"-in", doc, "-outform", "DER", "-out", sig).CombinedOutput(); err != nil {
		t.Fatalf("openssl cms -sign: %v %s", err, out)
	}
	if out, err := runCLI(t, "", "sign", d.ID, "--cms", sig); err != nil || !strings.Contains(out, ": PASSED") {
		t.Fatalf("paraph sign --cms: %v\n%s", err, out)
	}
	s.download(t, d.ID)
}

// Refusals: one line each, a non-zero exit, the reason named.
func TestSignRefusals(t *testing.T) {
	s := newSignSetup(t)
	cert, key, leaf := s.keyFiles(t, pkitest.ECDSA)
	_, otherKey, _ := s.keyFiles(t, pkitest.ECDSA)
	d := s.document(t, []byte("%PDF-1.4\n% refusals\n"))
	garbage := mustWrite(t, filepath.Join(s.dir, "garbage.sig"), []byte("not a signature"))
	for _, tc := range []struct {
		name string
		args []string
		want string
		code int
	}{
		{"no document", []string{"sign", "--cert", cert, "--key", key}, "usage: paraph sign DOCUMENT_ID", 2},
		{"no key", []string{"sign", d.ID}, "give --cert with --key", 2},
		{"two ways", []string{"sign", d.ID, "--cert", cert, "--key", key, "--cms", garbage}, "only one of", 2},
		{"key of another certificate", []string{"sign", d.ID, "--cert", cert, "--key", otherKey}, "does not match", 1},
		{"garbage .sig", []string{"sign", d.ID, "--cms", garbage}, "signature refused (format_failure)", 1},
		{"a signature over another document", []string{"sign", d.ID, "--cms", s.detached(t, []byte("another document"), leaf)}, "signature refused (hash_failure)", 1},
		{"no such document", []string{"sign", "0190f0f0-0000-7000-8000-000000000000", "--cert", cert, "--key", key}, "not found", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runCLI(t, "", tc.args...)
			if err == nil || exitCode(err) != tc.code || !strings.Contains(out+err.Error(), tc.want) || strings.Contains(oneLine(err), "\n") {
				t.Fatalf("%v (exit %d)\n%s", err, exitCode(err), out)
			}
		})
	}
	// Signed once; a second time is refused.
	if out, err := runCLI(t, "", "sign", d.ID, "--cert", cert, "--key", key); err != nil {
		t.Fatalf("sign: %v %s", err, out)
	}
	if out, err := runCLI(t, "", "sign", d.ID, "--cert", cert, "--key", key); err == nil || !strings.Contains(err.Error(), "document_not_in_progress") {
		t.Fatalf("signed twice: %v %s", err, out)
	}
}

// detached writes a detached CMS signature over data.
func (s *signSetup) detached(t *testing.T, data []byte, leaf *pkitest.Leaf) string {
	t.Helper()
	sig, err := cades.Sign(bytes.NewReader(data), leaf.Cert.X509, leaf.Key, cades.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return mustWrite(t, filepath.Join(s.dir, "other.sig"), sig)
}
