package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"

	"paraph/cades"
	"paraph/internal/pdf"
	"paraph/internal/seal"
	"paraph/pki/pkitest"
)

// paraph verify FILE, offline, on a final PDF as the server makes it: the
// seal over the whole file and the CMS signature embedded next to the
// original. Passed only with both roots trusted; one changed byte, or the
// file cut short, fails; exit status 0 only when passed.
func TestVerifyFinalPDFOffline(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string { return writeIn(t, dir, name, data) }
	doc := fpdf.New("P", "mm", "A4", "")
	doc.SetFont("Helvetica", "", 12)
	doc.AddPage()
	doc.CellFormat(0, 10, "Act of works No. 17", "", 1, "L", false, 0, "")
	var original bytes.Buffer
	if err := doc.Output(&original); err != nil {
		t.Fatal(err)
	}
	ca := pkitest.NewCA(t, pkitest.Options{})
	leaf := ca.Issue(t, pkitest.LeafOptions{Subject: pkitest.PersonRU()})
	cms, err := cades.Sign(bytes.NewReader(original.Bytes()), leaf.Cert.X509, leaf.Key, cades.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	f := &pdf.Final{Lang: "uk", DocumentID: "doc-1", Title: "Акт № 17 — ґанок", Organization: "ТОВ «Калина»", FileName: "act-17.pdf",
		ContentType: "application/pdf", SHA256: fmt.Sprintf("%x", sha256.Sum256(original.Bytes())), Original: original.Bytes(), VerifyURL: "https://paraph.example/v/x",
		CompletedAt: now, Signers: []pdf.FinalSigner{{Name: leaf.Cert.CommonName, Method: "qualified", SignedAt: now, Result: "passed",
			CertSerial: leaf.Cert.SerialHex, CertIssuer: "Test CA", CertNotBefore: leaf.Cert.NotBefore, CertNotAfter: leaf.Cert.NotAfter}},
		Signatures: []pdf.Attachment{{Name: "act-17.pdf.1.sig", Data: cms}}}
	var unsealed, sealed bytes.Buffer
	if err := f.Render(&unsealed); err != nil {
		t.Fatal(err)
	}
	sealer, err := seal.Open(context.Background(), seal.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := sealer.Seal(context.Background(), &sealed, unsealed.Bytes(), seal.Info{Reason: "test"}); err != nil {
		t.Fatal(err)
	}
	final := write("act-17.signed.pdf", sealed.Bytes())
	caRoot := write("ca.pem", pkitest.PEM(ca.Root()))
	sealRoot := filepath.Join(dir, "seal", seal.RootFile)

	verifyRun := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := run(context.Background(), append([]string{"verify"}, args...), nil, &out, &errb)
		return out.String() + errb.String(), err
	}
	out, err := verifyRun("--trust", caRoot, "--trust", sealRoot, final)
	if err != nil || !strings.Contains(out, "PASSED") || !strings.Contains(out, "seal: passed") || !strings.Contains(out, "original: act-17.pdf") ||
		!strings.Contains(out, "signature 1: passed") {
		t.Fatalf("trusted: %v\n%s", err, out)
	}
	// Without the seal's root the seal is not trusted; without the CA's the
	// signature is not: neither is a pass.
	if out, err := verifyRun("--trust", caRoot, final); exitCode(err) != 1 || !strings.Contains(out, "INDETERMINATE") {
		t.Fatalf("seal root not trusted: %v\n%s", err, out)
	}
	if out, err := verifyRun("--trust", sealRoot, final); exitCode(err) != 1 || !strings.Contains(out, "INDETERMINATE") ||
		!strings.Contains(out, "no_certificate_chain_found") {
		t.Fatalf("CA not trusted: %v\n%s", err, out)
	}
	changed := bytes.Clone(sealed.Bytes())
	changed[len(changed)/2] ^= 0x01
	if out, err := verifyRun("--trust", caRoot, "--trust", sealRoot, "--json", write("changed.pdf", changed)); exitCode(err) != 1 ||
		!strings.Contains(out, `"result": "failed"`) {
		t.Fatalf("one byte changed: %v\n%s", err, out)
	}
	cut := sealed.Bytes()[:sealed.Len()*3/4]
	if out, err := verifyRun("--trust", caRoot, "--trust", sealRoot, write("cut.pdf", cut)); exitCode(err) != 1 || !strings.Contains(out, "FAILED") {
		t.Fatalf("truncated: %v\n%s", err, out)
	}
	if out, err := verifyRun("--trust", caRoot, "--trust", sealRoot, write("unsealed.pdf", unsealed.Bytes())); exitCode(err) != 1 ||
		!strings.Contains(out, "FAILED") {
		t.Fatalf("unsealed: %v\n%s", err, out)
	}
}
