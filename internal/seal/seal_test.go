package seal

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"

	"paraph/cades"

	"paraph/internal/testtool"
)

// mustPDF makes a PDF of n pages of text.
func mustPDF(tb testing.TB, pages int) []byte {
	tb.Helper()
	f := fpdf.New("P", "mm", "A4", "")
	f.SetFont("Helvetica", "", 11)
	for p := 1; p <= pages; p++ {
		f.AddPage()
		for l := 0; l < 40; l++ {
			f.CellFormat(0, 6, fmt.Sprintf("Page %d, line %d: the quick brown fox jumps over the lazy dog.", p, l+1), "", 1, "L", false, 0, "")
		}
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// MustOpen opens a Sealer, generating its keys in a temporary data dir
// unless c says otherwise.
func MustOpen(tb testing.TB, c Config) *Sealer {
	tb.Helper()
	if c.Dir == "" && c.CertFile == "" && c.Signer == nil {
		c.Dir = tb.TempDir()
	}
	s, err := Open(context.Background(), c)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func mustSeal(tb testing.TB, s *Sealer, doc []byte) []byte {
	tb.Helper()
	var out bytes.Buffer
	if err := s.Seal(context.Background(), &out, doc, Info{Reason: "Final document", Location: "Moscow", ContactInfo: "support@example.com"}); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

func mustCheck(tb testing.TB, pdf []byte, roots ...*x509.Certificate) *Report {
	tb.Helper()
	var pool *x509.CertPool
	if len(roots) > 0 {
		pool = x509.NewCertPool()
		for _, r := range roots {
			pool.AddCert(r)
		}
	}
	rep, err := Check(context.Background(), bytes.NewReader(pdf), int64(len(pdf)), pool, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	return rep
}

// mustContents returns the CMS of the first signature of pdf.
func mustContents(tb testing.TB, pdf []byte) []byte {
	tb.Helper()
	i := bytes.Index(pdf, patByteRange)
	if i < 0 {
		tb.Fatal("no signature")
	}
	d, ok, err := readSigDict(bytes.NewReader(pdf), int64(len(pdf)), int64(i))
	if err != nil || !ok || d.problem != "" {
		tb.Fatalf("signature dictionary: %v %v %q", ok, err, d.problem)
	}
	der, err := trimCMS(d.contents)
	if err != nil {
		tb.Fatal(err)
	}
	return der
}

func mustWrite(tb testing.TB, name string, data []byte) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

// The seal is what poppler calls a valid signature over the whole document
// by a trusted certificate, when the instance root is trusted, and Check
// agrees.
func TestSealIsValidForPdfsig(t *testing.T) {
	s := MustOpen(t, Config{Name: "Paraph"})
	doc := mustPDF(t, 3)
	sealed := mustSeal(t, s, doc)
	if !bytes.HasPrefix(sealed, doc) {
		t.Fatal("the seal changed the document's bytes instead of appending an update")
	}

	out := testtool.PDFSig(t, testtool.NSSDB(t, s.Root()), sealed)
	for _, want := range []string{"Signature is Valid.", "Certificate is Trusted.", "Total document signed", "Paraph PDF seal"} {
		if !strings.Contains(out, want) {
			t.Errorf("pdfsig does not say %q:\n%s", want, out)
		}
	}

	rep := mustCheck(t, sealed, s.Root())
	if rep.Indication != Passed || rep.Code != "" || len(rep.Signatures) != 1 {
		t.Fatalf("Check: %+v", rep)
	}
	sig := rep.Signatures[0]
	seal := s.Chain()[0]
	if !sig.Intact || !sig.CoversWholeFile || !sig.SignatureValid || !sig.Trusted || sig.HasTimestamp ||
		sig.Name != seal.Subject.CommonName || sig.Organization != "Paraph" || sig.Serial != hex.EncodeToString(seal.SerialNumber.Bytes()) ||
		time.Since(sig.SigningTime) > time.Minute {
		t.Errorf("signature: %+v", sig)
	}
}

// Without the instance root, pdfsig still finds the signature valid but not
// its certificate trusted, and Check is indeterminate.
func TestSealUntrustedRoot(t *testing.T) {
	s := MustOpen(t, Config{})
	other := MustOpen(t, Config{})
	sealed := mustSeal(t, s, mustPDF(t, 1))

	out := testtool.PDFSig(t, testtool.NSSDB(t, other.Root()), sealed)
	if !strings.Contains(out, "Signature is Valid.") || strings.Contains(out, "Certificate is Trusted.") {
		t.Errorf("pdfsig without the root:\n%s", out)
	}
	for name, rep := range map[string]*Report{"no roots": mustCheck(t, sealed), "another root": mustCheck(t, sealed, other.Root())} {
		if rep.Indication != Indeterminate || rep.Code != NoCertificateChain || rep.Signatures[0].Trusted || !rep.Signatures[0].Intact {
			t.Errorf("%s: %+v", name, rep)
		}
	}
}

// One changed byte in the signed content, or in the signature itself, and
// both pdfsig and Check say so.
func TestSealBrokenByOneByte(t *testing.T) {
	s := MustOpen(t, Config{})
	sealed := mustSeal(t, s, mustPDF(t, 2))
	nss := testtool.NSSDB(t, s.Root())
	br := mustCheck(t, sealed, s.Root()).Signatures[0].ByteRange

	t.Run("content", func(t *testing.T) {
		broken := bytes.Clone(sealed)
		i := bytes.Index(broken, []byte("/CreationDate (D:2")) // in the signed part
		if i < 0 || int64(i) > br[1] {
			t.Fatal("no CreationDate before the signature")
		}
		broken[i+len("/CreationDate (D:2")] ^= 1
		out := testtool.PDFSig(t, nss, broken)
		if strings.Contains(out, "Signature is Valid.") || !strings.Contains(out, "Digest Mismatch") {
			t.Errorf("pdfsig on a changed byte:\n%s", out)
		}
		rep := mustCheck(t, broken, s.Root())
		if rep.Indication != Failed || rep.Code != HashFailure || rep.Signatures[0].Intact || !rep.Signatures[0].SignatureValid {
			t.Errorf("Check: %+v", rep)
		}
	})
	// The signature value and the certificate are in the /Contents hole,
	// as hex.
	flipHex := func(t *testing.T, raw []byte) []byte {
		t.Helper()
		broken := bytes.Clone(sealed)
		i := bytes.Index(broken, []byte(hex.EncodeToString(raw)))
		if i < 0 || int64(i) < br[1] || int64(i) > br[2] {
			t.Fatal("not found in /Contents")
		}
		i += 2 * (len(raw) / 2)
		if broken[i] == 'a' {
			broken[i] = 'b'
		} else {
			broken[i] = 'a'
		}
		return broken
	}
	t.Run("signature value", func(t *testing.T) {
		sd, err := cades.Parse(mustContents(t, sealed))
		if err != nil {
			t.Fatal(err)
		}
		broken := flipHex(t, sd.Signers[0].Signature)
		if out := testtool.PDFSig(t, nss, broken); strings.Contains(out, "Signature is Valid.") {
			t.Errorf("pdfsig on a changed signature value:\n%s", out)
		}
		rep := mustCheck(t, broken, s.Root())
		if rep.Indication != Failed || rep.Code != SigCryptoFailure || rep.Signatures[0].SignatureValid {
			t.Errorf("Check: %+v", rep)
		}
	})
	t.Run("certificate", func(t *testing.T) {
		rep := mustCheck(t, flipHex(t, s.Chain()[0].RawTBSCertificate), s.Root())
		if rep.Indication != Failed || rep.Code != FormatFailure {
			t.Errorf("Check: %+v", rep)
		}
	})
	t.Run("appended update", func(t *testing.T) {
		grown := append(bytes.Clone(sealed), "1 0 obj\n(added)\nendobj\n%%EOF\n"...)
		rep := mustCheck(t, grown, s.Root())
		if rep.Indication != Failed || rep.Code != ChangedAfterSeal || rep.Signatures[0].CoversWholeFile {
			t.Errorf("Check: %+v", rep)
		}
		if out := testtool.PDFSig(t, nss, grown); strings.Contains(out, "Total document signed") {
			t.Errorf("pdfsig on a grown file:\n%s", out)
		}
	})
}
