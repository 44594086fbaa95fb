// Package finalpdf_test measures building the final PDF of a signed
// document: a 20-page PDF original with four signatures (two qualified,
// two simple with drawn images) — its pages stamped, the protocol with its
// QR code appended, the original and two signature files attached. The
// target (issue 6): the whole final PDF, the instance's seal included, in
// 300 ms or less on one core; this part should take well under half of
// that. Run with -cpu 1:
//
//	go test ./bench/finalpdf -bench . -cpu 1
package finalpdf_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"testing"
	"time"

	"github.com/go-fonts/dejavu/dejavusans"
	"github.com/go-pdf/fpdf"

	"paraph/internal/pdf"
	"paraph/internal/seal"
)

// contract is a 20-page A4 contract with a page of text on each page.
func contract(b *testing.B) []byte {
	p := fpdf.New("P", "mm", "A4", "")
	p.AddUTF8FontFromBytes("DejaVu", "", dejavusans.TTF)
	p.SetCompression(true)
	p.SetCatalogSort(true)
	p.SetCreationDate(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	p.SetModificationDate(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	for i := range 20 {
		p.AddPage()
		p.SetFont("DejaVu", "", 13)
		p.CellFormat(0, 8, fmt.Sprintf("Договор поставки № 17 — страница %d", i+1), "", 1, "L", false, 0, "")
		p.SetFont("DejaVu", "", 10)
		for range 9 {
			p.MultiCell(0, 5, "Поставщик обязуется передать в собственность Покупателя товар, а Покупатель обязуется "+
				"принять и оплатить его в порядке и сроки, установленные настоящим договором. Сторони дійшли згоди щодо "+
				"ґарантійних зобов'язань, їхнього обсягу та єдиного порядку розрахунків.", "", "J", false)
			p.Ln(2)
		}
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// drawing is a w×h PNG: a signature's scribble, or a round stamp.
func drawing(b *testing.B, w, h int, round bool) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			on := math.Abs(fy-(0.5+0.3*math.Sin(fx*4*math.Pi)*(1-fx))) < 0.05
			if round {
				r := math.Hypot(fx-0.5, fy-0.5)
				on = r > 0.40 && r < 0.47
			}
			if on {
				img.SetNRGBA(x, y, color.NRGBA{20, 40, 160, 255})
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func final(b *testing.B) *pdf.Final {
	original := contract(b)
	sum := sha256.Sum256(original)
	at := time.Date(2026, 3, 15, 9, 41, 7, 0, time.UTC)
	qualified := func(name string, n int) pdf.FinalSigner {
		return pdf.FinalSigner{
			Name: name, Position: "Генеральный директор", Organization: "ООО «Вектор Софт»",
			Method: "qualified", SignedAt: at.Add(time.Duration(n) * time.Hour), Result: "passed",
			CertSerial: "7C00000E3F5A1B2C3D4E5F60718293A4B5C6", CertIssuer: "АО «Удостоверяющий центр»",
			CertNotBefore: at.AddDate(-1, 0, 0), CertNotAfter: at.AddDate(1, 0, 0), KeyAlgorithm: "ГОСТ Р 34.10-2012 (256 бит)",
		}
	}
	simple := func(name string, n int) pdf.FinalSigner {
		return pdf.FinalSigner{
			Name: name, Position: "Главный бухгалтер", Organization: "АО «Северный ветер»",
			Method: "simple", SignedAt: at.Add(time.Duration(n) * time.Hour), Result: "passed",
			Channel: "sms", Contact: "+7 *** *** 45 67", IP: "203.0.113.17",
			Image: drawing(b, 360, 120, false), Stamp: drawing(b, 200, 200, true),
			Fields: []pdf.FilledField{{Label: "Дата получения", Value: "15.03.2026"}},
		}
	}
	return &pdf.Final{
		Lang: "ru", DocumentID: "0195a3c2-7a1b-7cde-8f00-5c3d2e1f0a9b",
		Title: "Договор поставки № 17", Number: "17", Date: "2026-03-01", Organization: "ООО «Вектор Софт»",
		FileName: "dogovor.pdf", ContentType: "application/pdf", SHA256: hex.EncodeToString(sum[:]), Original: original,
		VerifyURL:   "https://paraph.example.ru/verify/0195a3c2-7a1b-7cde-8f00-5c3d2e1f0a9b",
		CompletedAt: at.Add(5 * time.Hour),
		Signers: []pdf.FinalSigner{
			qualified("Иванов Иван Иванович", 0), simple("Петрова Анна Сергеевна", 1),
			qualified("Ґалушко Їржі Євгенович", 2), simple("Єременко Ігор Їжакович", 3),
		},
		Signatures: []pdf.Attachment{
			{Name: "signature-1.sig", Data: bytes.Repeat([]byte{0x30}, 3000)},
			{Name: "signature-3.sig", Data: bytes.Repeat([]byte{0x31}, 3000)},
		},
	}
}

func BenchmarkFinal20Pages(b *testing.B) {
	f := final(b)
	var size int
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		if err := f.Render(&buf); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size)/1024, "KiB")
}

// BenchmarkFinalProtocolOnly: an original that is not a PDF gets the
// protocol alone, the original attached.
func BenchmarkFinalProtocolOnly(b *testing.B) {
	f := final(b)
	f.ContentType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	f.FileName = "dogovor.docx"
	b.ReportAllocs()
	for b.Loop() {
		if err := f.Render(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFinal20PagesSealed is the whole final PDF as the job makes it:
// rendered as above, then sealed with the instance's generated key (no
// TSA: a timestamp's cost is the TSA's network round trip).
func BenchmarkFinal20PagesSealed(b *testing.B) {
	f := final(b)
	s, err := seal.Open(b.Context(), seal.Config{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	var size int
	b.ReportAllocs()
	for b.Loop() {
		var buf, out bytes.Buffer
		if err := f.Render(&buf); err != nil {
			b.Fatal(err)
		}
		if err := s.Seal(b.Context(), &out, buf.Bytes(), seal.Info{Reason: "bench"}); err != nil {
			b.Fatal(err)
		}
		size = out.Len()
	}
	b.ReportMetric(float64(size)/1024, "KiB")
}
