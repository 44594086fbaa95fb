package pdf

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-fonts/dejavu/dejavusans"
	"github.com/go-pdf/fpdf"

	"paraph"
)

// MustOriginal returns a PDF made with fpdf with one page per size
// ("A4", "A4L" for landscape, "A5", "Letter"); each page says its number.
func MustOriginal(tb testing.TB, sizes ...string) []byte {
	tb.Helper()
	p := fpdf.New("P", "mm", "A4", "")
	p.AddUTF8FontFromBytes("DejaVu", "", dejavuRegular())
	p.SetCompression(true)
	p.SetCreationDate(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	for i, s := range sizes {
		orientation, size := "P", s
		if strings.HasSuffix(s, "L") {
			orientation, size = "L", strings.TrimSuffix(s, "L")
		}
		p.AddPageFormat(orientation, p.GetPageSizeStr(size))
		p.SetFont("DejaVu", "", 14)
		p.SetXY(20, 20)
		p.CellFormat(0, 8, fmt.Sprintf("Исходный документ, страница %d", i+1), "", 2, "L", false, 0, "")
		p.SetFont("DejaVu", "", 10)
		for range 12 {
			p.SetX(20)
			p.MultiCell(0, 5, "Текст договора: стороны договорились о нижеследующем. Ґрунт і їжак — єдність.", "", "L", false)
		}
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// MustPNG returns a w×h PNG: a blue scribble on a transparent ground when
// round is false (a drawn signature), a blue ring otherwise (a stamp).
func MustPNG(tb testing.TB, w, h int, round bool) []byte {
	tb.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	ink := color.NRGBA{20, 40, 160, 255}
	for x := range w {
		for y := range h {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			var on bool
			if round {
				r := math.Hypot(fx-0.5, fy-0.5)
				on = r > 0.40 && r < 0.47 || r > 0.30 && r < 0.32
			} else {
				on = math.Abs(fy-(0.5+0.3*math.Sin(fx*4*math.Pi)*(1-fx))) < 0.05
			}
			if on {
				img.SetNRGBA(x, y, ink)
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// MustFinal returns a valid Final in lang for original (a PDF when
// contentType is application/pdf) with four signers: two qualified, one
// of them by a power of attorney, and two simple ones with images.
func MustFinal(tb testing.TB, lang string, original []byte, fileName, contentType string) *Final {
	tb.Helper()
	sum := sha256.Sum256(original)
	at := time.Date(2026, 3, 15, 9, 41, 7, 0, time.UTC)
	f := &Final{
		Lang:         lang,
		DocumentID:   "0195a3c2-7a1b-7cde-8f00-5c3d2e1f0a9b",
		Title:        "Договор поставки № 17 на оказание услуг по внедрению системы электронного документооборота",
		Number:       "17",
		Date:         "2026-03-01",
		Organization: "ООО «Вектор Софт»",
		FileName:     fileName,
		ContentType:  contentType,
		SHA256:       hex.EncodeToString(sum[:]),
		Original:     original,
		VerifyURL:    "https://paraph.example.ru/verify/0195a3c2-7a1b-7cde-8f00-5c3d2e1f0a9b?k=Zm9vYmFy",
		CompletedAt:  at.Add(3 * time.Hour),
		Signers: []FinalSigner{
			{
				Name: "Иванов Иван Иванович", Position: "Генеральный директор", Organization: "ООО «Вектор Софт»",
				Method: "qualified", SignedAt: at, Result: "passed",
				CertSerial: "7C00000E3F5A1B2C3D4E5F60718293A4B5C6", CertIssuer: "АО «Удостоверяющий центр», ИНН 7707083893",
				CertNotBefore: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), CertNotAfter: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC),
				KeyAlgorithm: "ГОСТ Р 34.10-2012 (256 бит)",
			},
			{
				Name: "Ґалушко Їржі Євгенович", Position: "Фінансовий директор", Organization: "ТОВ «Ґрунт і Їжак»",
				Method: "qualified", SignedAt: at.Add(40 * time.Minute), Result: "indeterminate", SubIndication: "no_certificate_chain_found",
				CertSerial: "01A2B3C4D5E6F708", CertIssuer: "ЦСК АТ «ПриватБанк»",
				CertNotBefore: time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC), CertNotAfter: time.Date(2027, 1, 10, 0, 0, 0, 0, time.UTC),
				KeyAlgorithm: "ECDSA P-256", POANumber: "a3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
			},
			{
				Name: "Петрова Анна Сергеевна", Position: "Главный бухгалтер", Organization: "АО «Северный ветер»",
				Method: "simple", SignedAt: at.Add(75 * time.Minute), Result: "passed",
				Channel: "sms", Contact: "+7 *** *** 45 67", IP: "203.0.113.17",
				Image: MustPNG(tb, 360, 120, false), Stamp: MustPNG(tb, 200, 200, true),
				Fields: []FilledField{{"Должность подписанта", "Главный бухгалтер"}, {"Дата получения", "15.03.2026"}},
			},
			{
				Name: "Єременко Ігор Їжакович", Position: "ФОП", Organization: "ФОП Єременко І. Ї.",
				Method: "simple", SignedAt: at.Add(2 * time.Hour), Result: "failed", SubIndication: "hash_failure",
				Channel: "email", Contact: "i***@ukr.net", IP: "198.51.100.4",
				Image: MustPNG(tb, 300, 100, false),
			},
		},
		Signatures: []Attachment{
			{Name: "signature-1.sig", Description: "Иванов Иван Иванович", Data: []byte("0\x82\x01\x00cms-1")},
			{Name: "signature-2.sig", Description: "Ґалушко Їржі Євгенович", Data: []byte("0\x82\x01\x00cms-2")},
		},
	}
	if err := f.Validate(); err != nil {
		tb.Fatalf("fixture final is invalid: %v", err)
	}
	return f
}

// renderFinal renders f to a temp file and returns its path.
func renderFinal(tb testing.TB, f *Final) string {
	tb.Helper()
	var buf bytes.Buffer
	if err := f.Render(&buf); err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "final.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// pageText is pdftotext of one page.
func pageText(tb testing.TB, path string, page int) string {
	tb.Helper()
	n := fmt.Sprint(page)
	out, err := exec.Command(needTool(tb, "pdftotext"), "-enc", "UTF-8", "-f", n, "-l", n, path, "-").Output()
	if err != nil {
		tb.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// previewFinal is preview, and keeps the PDF itself beside the PNGs.
func previewFinal(tb testing.TB, path, name string) {
	tb.Helper()
	preview(tb, path, name)
	if dir := os.Getenv("PARAPH_PDF_PREVIEW"); dir != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".pdf"), b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

func TestFinalSmoke(t *testing.T) {
	orig := MustOriginal(t, "A4", "A4L", "A4")
	f := MustFinal(t, "ru", orig, "dogovor.pdf", "application/pdf")
	path := renderFinal(t, f)
	previewFinal(t, path, "final-ru")
	t.Log(pageCount(t, path))
	_ = paraph.EINVALID
}

func dejavuRegular() []byte { return dejavusans.TTF }
