package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"paraph/cades"
	"paraph/pki/pkitest"
)

// writeIn writes a test file into dir and returns its path.
func writeIn(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// paraph verify, offline: passed only with a trusted root; a changed file
// fails; exit status 0 only when passed. Signatures made by Paraph (ECDSA,
// GOST 256/512) and by openssl cms -cades.
func TestVerifyCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string { return writeIn(t, dir, name, data) }
	doc := write("act.txt", []byte("Акт № 17 от 23.11.2026 — выполнено полностью.\n"))
	content, _ := os.ReadFile(doc)
	changed := write("act-changed.txt", append(content, '!'))
	cases := map[string]string{}
	roots := map[string]string{}
	for _, kt := range []pkitest.KeyType{pkitest.ECDSA, pkitest.GOST256, pkitest.GOST512} {
		ca := pkitest.NewCA(t, pkitest.Options{Key: kt})
		leaf := ca.Issue(t, pkitest.LeafOptions{Subject: pkitest.PersonRU(), Key: kt})
		sig, err := cades.Sign(bytes.NewReader(content), leaf.Cert.X509, leaf.Key, cades.SignOptions{})
		if err != nil {
			t.Fatal(err)
		}
		name := strings.NewReplacer(" ", "", ".", "").Replace(string(kt))
		cases[name] = write(name+".sig", sig)
		roots[name] = write(name+"-root.pem", pkitest.PEM(ca.Root()))
		if kt == pkitest.ECDSA {
			if _, err := exec.LookPath("openssl"); err == nil {
				cert := write("leaf.pem", leaf.PEM())
				key := write("leaf.key", leaf.KeyPEM(t))
				out := filepath.Join(dir, "openssl.sig")
				if b, err := exec.Command("openssl", "cms", "-sign", "-binary", "-cades", "-md", "sha256", "-signer", cert, "-inkey", key,
					"-in", doc, "-outform", "DER", "-out", out).CombinedOutput(); err != nil {
					t.Fatalf("openssl cms -sign: %v %s", err, b)
				}
				cases["openssl"], roots["openssl"] = out, roots[name]
			} else if os.Getenv("CI") == "true" {
				t.Fatal("openssl is required under CI=true")
			}
		}
	}
	for name, sig := range cases {
		t.Run(name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := run(context.Background(), []string{"verify", "--trust", roots[name], doc, sig}, nil, &out, &errb)
			if err != nil || !strings.Contains(out.String(), "PASSED") {
				t.Fatalf("trusted: %v\n%s", err, out.String())
			}
			out.Reset()
			err = run(context.Background(), []string{"verify", doc, sig}, nil, &out, &errb)
			if exitCode(err) != 1 || !strings.Contains(out.String(), "INDETERMINATE") || !strings.Contains(out.String(), "no_certificate_chain_found") {
				t.Fatalf("no trust: %v\n%s", err, out.String())
			}
			out.Reset()
			err = run(context.Background(), []string{"verify", "--trust", roots[name], "--json", changed, sig}, nil, &out, &errb)
			if exitCode(err) != 1 || !strings.Contains(out.String(), `"result": "failed"`) || !strings.Contains(out.String(), "hash_failure") {
				t.Fatalf("changed file: %v\n%s", err, out.String())
			}
		})
	}
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"verify", doc, doc}, nil, &out, &errb); err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "not a CMS signature") {
		t.Fatalf("garbage signature: %v", err)
	}
	out.Reset()
	// A file alone is taken for a signed PDF: this one carries nothing.
	if err := run(context.Background(), []string{"verify", doc}, nil, &out, &errb); exitCode(err) != 1 || !strings.Contains(out.String(), "FAILED") {
		t.Fatalf("a file without a signature: %v\n%s", err, out.String())
	}
	if err := run(context.Background(), []string{"verify"}, nil, &out, &errb); exitCode(err) != 2 {
		t.Fatalf("missing argument: %v", err)
	}
}

// A GOST signature made by OpenSSL's GOST engine, an independent
// implementation, verifies offline with paraph verify; a changed file fails.
func TestVerifyCommandWithGOSTEngine(t *testing.T) {
	if err := exec.Command("openssl", "engine", "-t", "gost").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("OpenSSL's GOST engine (libengine-gost-openssl) is required under CI=true")
		}
		t.Skip("OpenSSL's GOST engine is not installed (apt-get install libengine-gost-openssl)")
	}
	dir := t.TempDir()
	doc := filepath.Join(dir, "doc.txt")
	os.WriteFile(doc, []byte("Счёт № 5 — оплатить до 30.11.2026\n"), 0o600)
	for _, c := range []struct{ alg, md string }{{"gost2012_256", "md_gost12_256"}, {"gost2012_512", "md_gost12_512"}} {
		cert, key, sig := filepath.Join(dir, c.alg+".pem"), filepath.Join(dir, c.alg+".key"), filepath.Join(dir, c.alg+".sig")
		for _, args := range [][]string{
			{"req", "-x509", "-engine", "gost", "-newkey", c.alg, "-pkeyopt", "paramset:A", "-nodes", "-keyout", key, "-out", cert,
				"-subj", "/CN=Тест ГОСТ/O=Paraph", "-days", "30", "-addext", "keyUsage=critical,digitalSignature,keyCertSign"},
			{"cms", "-sign", "-engine", "gost", "-binary", "-cades", "-md", c.md, "-signer", cert, "-inkey", key, "-in", doc, "-outform", "DER", "-out", sig},
		} {
			if out, err := exec.Command("openssl", args...).CombinedOutput(); err != nil {
				t.Fatalf("openssl %s: %v %s", args[0], err, out)
			}
		}
		var out, errb bytes.Buffer
		if err := run(context.Background(), []string{"verify", "--trust", cert, doc, sig}, nil, &out, &errb); err != nil || !strings.Contains(out.String(), "PASSED") {
			t.Fatalf("%s: %v\n%s", c.alg, err, out.String())
		}
		changed := filepath.Join(dir, "changed.txt")
		os.WriteFile(changed, []byte("Счёт № 5 — оплатить до 31.11.2026\n"), 0o600)
		out.Reset()
		if err := run(context.Background(), []string{"verify", "--trust", cert, changed, sig}, nil, &out, &errb); exitCode(err) != 1 || !strings.Contains(out.String(), "hash_failure") {
			t.Fatalf("%s changed: %v\n%s", c.alg, err, out.String())
		}
	}
}
