package seal

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/go-fonts/dejavu/dejavusans"
	"github.com/go-pdf/fpdf"
)

// BenchmarkSeal seals a 20-page PDF without a TSA: the seal's share of the
// final PDF's time budget (300 ms on one core for the whole PDF).
func BenchmarkSeal(b *testing.B) {
	s := MustOpen(b, Config{})
	doc := finalLikePDF(b, 20)
	b.SetBytes(int64(len(doc)))
	ctx := context.Background()
	for b.Loop() {
		if err := s.Seal(ctx, io.Discard, doc, Info{Reason: "Final document"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(doc)), "pdf-bytes")
}

// BenchmarkCheck checks the seal of a sealed 20-page PDF.
func BenchmarkCheck(b *testing.B) {
	s := MustOpen(b, Config{})
	sealed := mustSeal(b, s, finalLikePDF(b, 20))
	ctx := context.Background()
	b.SetBytes(int64(len(sealed)))
	for b.Loop() {
		rep, err := Check(ctx, bytes.NewReader(sealed), int64(len(sealed)), nil, time.Now())
		if err != nil || len(rep.Signatures) != 1 {
			b.Fatal(rep, err)
		}
	}
}

// finalLikePDF makes a PDF like Paraph's final ones: Cyrillic text in an
// embedded DejaVu subset, n pages.
func finalLikePDF(tb testing.TB, pages int) []byte {
	tb.Helper()
	f := fpdf.New("P", "mm", "A4", "")
	f.AddUTF8FontFromBytes("DejaVu", "", dejavusans.TTF)
	f.SetFont("DejaVu", "", 10)
	for p := 1; p <= pages; p++ {
		f.AddPage()
		for l := 0; l < 50; l++ {
			f.CellFormat(0, 5, fmt.Sprintf("Страница %d, строка %d: акт выполненных работ, подписан 4 подписями. Page %d.", p, l+1, p), "", 1, "L", false, 0, "")
		}
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
