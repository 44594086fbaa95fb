package seal

import (
	"bytes"
	"context"
	"crypto/x509"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"

	"paraph/internal/seal/tsatest"

	"paraph/internal/testtool"
)

// Files that are not an intact sealed PDF come out failed or indeterminate
// with a reason, never passed and never an error.
func TestCheckBadFiles(t *testing.T) {
	s := MustOpen(t, Config{})
	doc := mustPDF(t, 2)
	sealed := mustSeal(t, s, doc)
	br := mustCheck(t, sealed, s.Root()).Signatures[0].ByteRange
	random := make([]byte, 64<<10)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(r.Uint32())
	}

	for _, tc := range []struct {
		name string
		file []byte
		ind  Indication
		code Code
	}{
		{"unsigned PDF", doc, Indeterminate, NotSealed},
		{"empty file", nil, Failed, NotPDF},
		{"random bytes", random, Failed, NotPDF},
		{"PDF header and random bytes", append([]byte("%PDF-1.7\n"), random...), Failed, Damaged},
		{"unsigned PDF cut short", doc[:len(doc)/2], Failed, Damaged},
		{"sealed PDF cut in its signed tail", sealed[:len(sealed)-10], Failed, Truncated},
		{"sealed PDF cut in its signature", sealed[:br[1]+100], Failed, Truncated},
		{"sealed PDF cut in its signature dictionary", sealed[:br[1]-100], Failed, Damaged},
		{"sealed PDF cut back to the document", sealed[:len(doc)], Indeterminate, NotSealed},
		{"encrypted PDF", encryptedPDF(t), Failed, Encrypted},
		{"encrypted PDF with a cross-reference stream", []byte("%PDF-1.5\n1 0 obj\n<</Type/XRef/Size 3/Encrypt 2 0 R>>stream\nx\nendstream\nendobj\nstartxref\n9\n%%EOF\n"), Failed, Encrypted},
		{"PDF that shows /Encrypt in its text", textPDF(t, "/Encrypt 5 0 R"), Indeterminate, NotSealed},
		{"sealed PDF that shows /Encrypt in its text", mustSeal(t, s, textPDF(t, "/Encrypt 5 0 R")), Passed, ""},
		{"sealed PDF with bytes appended", append(bytes.Clone(sealed), "\n%%EOF\n"...), Failed, ChangedAfterSeal},
		{"sealed PDF with a byte in the hole that is not hex", withByte(sealed, br[1]+10, 'x'), Failed, FormatFailure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := mustCheck(t, tc.file, s.Root())
			if rep.Indication != tc.ind || rep.Code != tc.code || rep.Reason == "" {
				t.Fatalf("got %s/%s %q, want %s/%s", rep.Indication, rep.Code, rep.Reason, tc.ind, tc.code)
			}
		})
	}
}

// textPDF makes a PDF whose uncompressed page shows text.
func textPDF(tb testing.TB, text string) []byte {
	tb.Helper()
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCompression(false)
	f.SetFont("Helvetica", "", 12)
	f.AddPage()
	f.Cell(0, 10, text)
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		tb.Fatal(err)
	}
	if !bytes.Contains(buf.Bytes(), []byte(text)) {
		tb.Fatalf("%q is not in the PDF's bytes", text)
	}
	return buf.Bytes()
}

// A reader holding fewer bytes than the size given (an upload cut short)
// is a truncated file, not an error.
func TestCheckShortReader(t *testing.T) {
	s := MustOpen(t, Config{})
	sealed := mustSeal(t, s, mustPDF(t, 1))
	for _, n := range []int{0, 100, len(sealed) / 2, len(sealed) - 1} {
		rep, err := Check(context.Background(), bytes.NewReader(sealed[:n]), int64(len(sealed)), nil, time.Now())
		if err != nil || rep.Indication != Failed || rep.Code != Truncated {
			t.Errorf("%d of %d bytes: %+v %v", n, len(sealed), rep, err)
		}
	}
}

func withByte(b []byte, i int64, c byte) []byte {
	b = bytes.Clone(b)
	b[i] = c
	return b
}

func encryptedPDF(tb testing.TB) []byte {
	tb.Helper()
	f := fpdf.New("P", "mm", "A4", "")
	f.SetProtection(fpdf.CnProtectPrint, "", "owner")
	f.SetFont("Helvetica", "", 12)
	f.AddPage()
	f.Cell(0, 10, "secret")
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// Seal refuses an encrypted PDF and one that is not a PDF.
func TestSealBadInput(t *testing.T) {
	s := MustOpen(t, Config{})
	for name, doc := range map[string][]byte{"encrypted": encryptedPDF(t), "not a PDF": []byte("hello"), "empty": nil} {
		var out bytes.Buffer
		if err := s.Seal(context.Background(), &out, doc, Info{}); err == nil || out.Len() != 0 {
			t.Errorf("%s: %v, %d bytes written", name, err, out.Len())
		}
	}
}

// A sealed PDF sealed again has two signatures, both intact; the second is
// an approval signature, as a certification signature must come first.
func TestSealTwice(t *testing.T) {
	s := MustOpen(t, Config{})
	twice := mustSeal(t, s, mustSeal(t, s, mustPDF(t, 1)))
	rep := mustCheck(t, twice, s.Root())
	if rep.Indication != Passed || len(rep.Signatures) != 2 || rep.Signatures[0].CoversWholeFile || !rep.Signatures[1].CoversWholeFile {
		t.Fatalf("Check: %+v", rep)
	}
	// Only the signatures' validity is compared: poppler 22 reports the
	// second use of one certificate in a file as "Unknown issue with
	// Certificate", whichever seal made it (two different seals are both
	// trusted).
	out := testtool.PDFSig(t, testtool.NSSDB(t, s.Root()), twice)
	if strings.Count(out, "Signature is Valid.") != 2 {
		t.Errorf("pdfsig:\n%s", out)
	}
}

// Non-ASCII reasons and locations, Cyrillic ones included, keep the PDF
// readable: the letters the library cannot write become '?'.
func TestSealNonASCIIInfo(t *testing.T) {
	s := MustOpen(t, Config{Name: "Параф"})
	var out bytes.Buffer
	info := Info{Reason: "Документ подписан (итоговый) — ЩИТ Ш", Location: "Київ ((", ContactInfo: `a\b`}
	if err := s.Seal(context.Background(), &out, mustPDF(t, 1), info); err != nil {
		t.Fatal(err)
	}
	if rep := mustCheck(t, out.Bytes(), s.Root()); rep.Indication != Passed {
		t.Fatalf("Check: %+v", rep)
	}
	got := testtool.PDFSig(t, testtool.NSSDB(t, s.Root()), out.Bytes())
	if !strings.Contains(got, "Signature is Valid.") {
		t.Errorf("pdfsig:\n%s", got)
	}
	for in, want := range map[string]string{
		"Печать":           "Печать",
		"(итоговый)":       "(итоговый)",
		"ЩИТ":              "?ИТ",
		"Київ ((":          "Київ ??",
		"plain (ascii) \\": "plain (ascii) \\",
	} {
		if got := pdfSafeText(in); got != want {
			t.Errorf("pdfSafeText(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzCheck: any bytes give a report, never a panic, and a report that is
// not passed says why.
func FuzzCheck(f *testing.F) {
	tsa := tsatest.Start(f)
	s := MustOpen(f, Config{TSAURL: tsa.URL})
	doc := mustPDF(f, 1)
	sealed := mustSeal(f, s, doc)
	roots := x509.NewCertPool()
	roots.AddCert(s.Root())
	roots.AddCert(tsa.Root)
	f.Add(sealed)
	f.Add(doc)
	f.Add(sealed[:len(sealed)/2])
	f.Add([]byte("%PDF-1.7\n/ByteRange [0 10 20 5] /Contents<3000>\n%%EOF"))
	f.Add([]byte("%PDF-1.7\n/Contents <30800000> /ByteRange[0 18 28 17]\n%%EOF"))
	f.Add([]byte("%PDF-1.4 /Encrypt 1 0 R"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rep, err := Check(context.Background(), bytes.NewReader(b), int64(len(b)), roots, time.Now())
		if err != nil {
			t.Fatalf("Check: %v", err)
		}
		switch rep.Indication {
		case Passed:
		case Failed, Indeterminate:
			if rep.Code == "" || rep.Reason == "" {
				t.Fatalf("%s without a code or reason: %+v", rep.Indication, rep)
			}
		default:
			t.Fatalf("indication %q", rep.Indication)
		}
	})
}
