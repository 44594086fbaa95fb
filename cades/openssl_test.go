package cades

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"paraph/gost"
)

// OpenSSL is the independent peer: signatures it makes must verify here,
// and ours must verify there. Without openssl the tests skip, except under
// CI=true, where interop must be proven and a missing tool is a failure.

var (
	opensslOnce sync.Once
	opensslErr  string
	engineOnce  sync.Once
	engineErr   string
)

func requireOpenSSL(t *testing.T) {
	t.Helper()
	opensslOnce.Do(func() {
		if out, err := exec.Command("openssl", "version").CombinedOutput(); err != nil {
			opensslErr = "openssl unavailable: " + err.Error() + " " + string(out)
		}
	})
	skipOrFail(t, opensslErr)
}

func requireEngine(t *testing.T) {
	t.Helper()
	requireOpenSSL(t)
	engineOnce.Do(func() {
		out, err := exec.Command("openssl", "engine", "-t", "gost").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "available") {
			engineErr = "OpenSSL GOST engine unavailable (`openssl engine -t gost`: " +
				strings.TrimSpace(string(out)) + "); install libengine-gost-openssl"
		}
	})
	skipOrFail(t, engineErr)
}

func skipOrFail(t *testing.T, msg string) {
	t.Helper()
	if msg == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// openssl runs openssl and returns its stdout, failing the test on error.
func openssl(t *testing.T, args ...string) []byte {
	t.Helper()
	out, err := runOpenSSL(args...)
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func runOpenSSL(args ...string) ([]byte, error) {
	cmd := exec.Command("openssl", args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return append(stdout.Bytes(), stderr.Bytes()...), err
	}
	return stdout.Bytes(), nil
}

// opensslVerify runs openssl cms -verify -cades on a detached DER signature.
func opensslVerify(t *testing.T, engine bool, sigPath, docPath, rootPath string) ([]byte, error) {
	t.Helper()
	args := []string{"cms", "-verify", "-cades", "-binary", "-content", docPath, "-inform", "DER", "-in", sigPath,
		"-CAfile", rootPath, "-purpose", "any", "-out", os.DevNull}
	if engine {
		args = append(args, "-engine", "gost")
	}
	return runOpenSSL(args...)
}

var testDoc = []byte("Договор поставки № 42\r\nСтороны: ООО «Ромашка» и ИП Петров.\r\n\x00\xff binary tail")

func TestOpenSSLSignsParaphVerifies(t *testing.T) {
	requireOpenSSL(t)
	cases := []struct {
		alg, md string
		extra   []string
	}{
		{"ecdsa-p256", "sha256", nil},
		{"ecdsa-p256", "sha256", []string{"-stream"}}, // BER with indefinite lengths
		{"ecdsa-p384", "sha384", nil},
		{"rsa", "sha256", nil},
		{"rsa", "sha256", []string{"-keyopt", "rsa_padding_mode:pss"}},
		// No Ed25519: OpenSSL 3.0 up to at least 3.6 cannot make or check
		// Ed25519 CMS with signed attributes ("eddsa_digest_signverify_init:
		// invalid digest", openssl/openssl#11915 and #32248).
		// TestParaphEd25519WithOpenSSLPkeyutl checks our Ed25519 another way.
	}
	for _, c := range cases {
		t.Run(c.alg+"-"+c.md+strings.Join(c.extra, ""), func(t *testing.T) {
			p := MustPKI(t, c.alg)
			dir := t.TempDir()
			doc := writeFile(t, dir, "doc", testDoc)
			sigPath := filepath.Join(dir, "doc.sig")
			args := append([]string{"cms", "-sign", "-binary", "-cades", "-md", c.md, "-signer", p.certPath, "-inkey", p.keyPath,
				"-in", doc, "-outform", "DER", "-out", sigPath}, c.extra...)
			openssl(t, args...)
			sig, err := os.ReadFile(sigPath)
			if err != nil {
				t.Fatal(err)
			}
			if slices.Contains(c.extra, "-stream") && sig[1] != 0x80 {
				t.Fatalf("openssl -stream wrote definite lengths; the BER path is not exercised")
			}
			r := mustVerify(t, sig, testDoc)
			wantResult(t, r, Passed, "")
			if r.Signer.SigningCertificate == nil || r.Signer.SigningCertificate.V1 {
				t.Errorf("openssl -cades wrote signingCertificateV2, parsed %+v", r.Signer.SigningCertificate)
			}
			wantResult(t, mustVerify(t, sig, append([]byte{}, testDoc[1:]...)), Failed, HashFailure)
			wantResult(t, mustVerify(t, sig, []byte("another document")), Failed, HashFailure)
			saveSeed(t, "openssl-"+c.alg+"-"+c.md+strings.Join(c.extra, ""), sig)

			// The same signature in PEM.
			pemSig := pem.EncodeToMemory(&pem.Block{Type: "CMS", Bytes: sig})
			wantResult(t, mustVerify(t, pemSig, testDoc), Passed, "")
		})
	}
}

func TestParaphSignsOpenSSLVerifies(t *testing.T) {
	requireOpenSSL(t)
	for _, alg := range allAlgs {
		if alg == "ed25519" {
			continue // see TestParaphEd25519WithOpenSSLPkeyutl
		}
		for _, flow := range []string{"sign", "two-step"} {
			t.Run(alg+"-"+flow, func(t *testing.T) {
				p := MustPKI(t, alg)
				dir := t.TempDir()
				doc := writeFile(t, dir, "doc", testDoc)
				var sig []byte
				var err error
				if flow == "sign" {
					sig, err = Sign(bytes.NewReader(testDoc), p.cert, p.key, SignOptions{PSS: alg == "rsa-pss"})
				} else {
					sig, err = twoStep(p.cert, p.key, testDoc, alg == "rsa-pss")
				}
				if err != nil {
					t.Fatal(err)
				}
				sigPath := writeFile(t, dir, "doc.sig", sig)
				if out, err := opensslVerify(t, false, sigPath, doc, p.rootPath); err != nil {
					t.Fatalf("openssl cms -verify refused Paraph's signature: %v\n%s", err, out)
				}
				tampered := writeFile(t, dir, "tampered", append([]byte("x"), testDoc...))
				if out, err := opensslVerify(t, false, sigPath, tampered, p.rootPath); err == nil {
					t.Fatalf("openssl accepted tampered content:\n%s", out)
				}
				other := writeFile(t, dir, "other", []byte("another document"))
				if out, err := opensslVerify(t, false, sigPath, other, p.rootPath); err == nil {
					t.Fatalf("openssl accepted a signature over another document:\n%s", out)
				}
			})
		}
	}
	t.Run("swapped-certificate", func(t *testing.T) {
		p := MustPKI(t, "ecdsa-p256")
		dir := t.TempDir()
		doc := writeFile(t, dir, "doc", testDoc)
		sigPath := writeFile(t, dir, "doc.sig", swappedSignature(t, p, testDoc))
		if out, err := opensslVerify(t, false, sigPath, doc, p.rootPath); err == nil {
			t.Fatalf("openssl -cades accepted a signingCertificateV2 mismatch:\n%s", out)
		}
	})
}

// OpenSSL's cms cannot handle Ed25519 (see above), so its pieces are
// checked one by one: the signature value is pure Ed25519 over the DER
// signed attributes (openssl pkeyutl -rawin), and messageDigest is the
// SHA-512 of the document (openssl dgst).
func TestParaphEd25519WithOpenSSLPkeyutl(t *testing.T) {
	requireOpenSSL(t)
	p := MustPKI(t, "ed25519")
	dir := t.TempDir()
	doc := writeFile(t, dir, "doc", testDoc)
	for _, flow := range []string{"sign", "two-step"} {
		var sig []byte
		var err error
		if flow == "sign" {
			sig, err = Sign(bytes.NewReader(testDoc), p.cert, p.key, SignOptions{})
		} else {
			sig, err = twoStep(p.cert, p.key, testDoc, false)
		}
		if err != nil {
			t.Fatal(err)
		}
		sd, err := Parse(sig)
		if err != nil {
			t.Fatal(err)
		}
		sg := sd.Signers[0]
		if sg.DigestAlgorithm != SHA512 || sg.SignatureAlgorithm != AlgEd25519 {
			t.Fatalf("RFC 8419 wants SHA-512 with Ed25519, got %s/%s", sg.DigestAlgorithm, sg.SignatureAlgorithm)
		}
		pub := writePEM(t, dir, "pub.pem", "PUBLIC KEY", p.cert.RawSubjectPublicKeyInfo)
		attrs := writeFile(t, dir, "attrs", sg.SignedAttrs)
		sigValue := writeFile(t, dir, "sigvalue", sg.Signature)
		openssl(t, "pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin", "-in", attrs, "-sigfile", sigValue)
		md := openssl(t, "dgst", "-sha512", "-binary", doc)
		if !bytes.Equal(md, sg.MessageDigest) {
			t.Fatalf("messageDigest is not OpenSSL's SHA-512 of the document")
		}
		bad := append(append([]byte{}, sg.SignedAttrs...), 0)
		if out, err := runOpenSSL("pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin", "-in", writeFile(t, dir, "bad", bad), "-sigfile", sigValue); err == nil {
			t.Fatalf("openssl accepted the signature over other bytes:\n%s", out)
		}
	}
}

// twoStep runs Prepare → sign ToBeSigned as a client would → Assemble.
func twoStep(cert *x509.Certificate, key crypto.Signer, doc []byte, pss bool) ([]byte, error) {
	h, _, err := DigestFor(cert)
	if err != nil {
		return nil, err
	}
	h.Write(doc)
	p, err := Prepare(cert, h.Sum(nil), testTime)
	if err != nil {
		return nil, err
	}
	sig, err := SignPrepared(p, key, SignOptions{PSS: pss})
	if err != nil {
		return nil, err
	}
	return Assemble(p, cert, nil, sig)
}

// gostPKI is a self-signed GOST certificate and its key, made by OpenSSL's engine.
type gostPKI struct {
	certPath, keyPath string
	cert              *x509.Certificate
	key               *gost.PrivateKey
}

func engineGOST(t *testing.T, alg string) *gostPKI {
	t.Helper()
	dir := t.TempDir()
	g := &gostPKI{certPath: filepath.Join(dir, "cert.pem"), keyPath: filepath.Join(dir, "key.pem")}
	openssl(t, "req", "-x509", "-engine", "gost", "-newkey", alg, "-pkeyopt", "paramset:A", "-nodes",
		"-keyout", g.keyPath, "-out", g.certPath, "-subj", "/CN=ГОСТ тест/O=Paraph", "-days", "30")
	certPEM, _ := os.ReadFile(g.certPath)
	block, _ := pem.Decode(certPEM)
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatalf("crypto/x509 on the engine's certificate: %v", err)
	}
	g.cert = cert
	keyPEM, _ := os.ReadFile(g.keyPath)
	block, _ = pem.Decode(keyPEM)
	if g.key, err = gost.ParsePKCS8PrivateKey(block.Bytes); err != nil {
		t.Fatalf("gost.ParsePKCS8PrivateKey on the engine's key: %v", err)
	}
	return g
}

func TestGOSTWithOpenSSLEngine(t *testing.T) {
	requireEngine(t)
	for _, c := range []struct{ alg, md string }{{"gost2012_256", "md_gost12_256"}, {"gost2012_512", "md_gost12_512"}} {
		t.Run(c.alg, func(t *testing.T) {
			g := engineGOST(t, c.alg)
			dir := t.TempDir()
			doc := writeFile(t, dir, "doc", testDoc)
			tampered := writeFile(t, dir, "tampered", append(append([]byte{}, testDoc...), '.'))

			// OpenSSL signs, Paraph verifies: with and without -cades, DER and BER.
			for _, extra := range [][]string{{"-cades"}, nil, {"-cades", "-stream"}, {"-cades", "-keyid"}} {
				sigPath := filepath.Join(dir, "engine.sig")
				args := append([]string{"cms", "-sign", "-engine", "gost", "-binary", "-md", c.md, "-signer", g.certPath,
					"-inkey", g.keyPath, "-in", doc, "-outform", "DER", "-out", sigPath}, extra...)
				openssl(t, args...)
				sig, _ := os.ReadFile(sigPath)
				if slices.Contains(extra, "-stream") && sig[1] != 0x80 {
					t.Fatalf("openssl -stream wrote definite lengths; the BER path is not exercised")
				}
				r := mustVerify(t, sig, testDoc)
				wantResult(t, r, Passed, "")
				if slices.Contains(extra, "-stream") {
					// -stream in DER attaches the content, in chunked OCTET STRINGs.
					sd, _ := Parse(sig)
					if !bytes.Equal(sd.Content, testDoc) {
						t.Fatalf("encapsulated content %q", sd.Content)
					}
					res, _ := sd.Verify(nil)
					wantResult(t, res[0], Passed, "")
				}
				if slices.Contains(extra, "-keyid") && r.Signer.SubjectKeyID == nil {
					t.Fatal("-keyid: the signer is not identified by subject key identifier")
				}
				if hasCades := len(extra) > 0; hasCades != (r.Signer.SigningCertificate != nil) {
					t.Errorf("%v: signingCertificate %+v", extra, r.Signer.SigningCertificate)
				}
				wantResult(t, mustVerify(t, sig, append(append([]byte{}, testDoc...), '.')), Failed, HashFailure)
				saveSeed(t, "engine-"+c.alg+strings.Join(extra, ""), sig)
			}

			// Paraph signs (Sign and two-step), OpenSSL verifies.
			for _, flow := range []string{"sign", "two-step"} {
				var sig []byte
				var err error
				if flow == "sign" {
					sig, err = Sign(bytes.NewReader(testDoc), g.cert, g.key, SignOptions{})
				} else {
					sig, err = twoStep(g.cert, g.key, testDoc, false)
				}
				if err != nil {
					t.Fatal(err)
				}
				wantResult(t, mustVerify(t, sig, testDoc), Passed, "")
				sigPath := writeFile(t, dir, "paraph.sig", sig)
				if out, err := opensslVerify(t, true, sigPath, doc, g.certPath); err != nil {
					t.Fatalf("%s: the engine refused Paraph's GOST signature: %v\n%s", flow, err, out)
				}
				if out, err := opensslVerify(t, true, sigPath, tampered, g.certPath); err == nil {
					t.Fatalf("%s: the engine accepted tampered content:\n%s", flow, out)
				}
				saveSeed(t, "paraph-"+c.alg+"-"+flow, sig)
			}
		})
	}
}
