package pdf

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-fonts/dejavu/dejavusans"
	"github.com/go-pdf/fpdf"
	"github.com/pdfcpu/pdfcpu/pkg/api"

	"paraph"

	"paraph/internal/seal"
	"paraph/internal/testtool"
)

// MustOriginal returns a PDF made with fpdf with one page per size
// ("A4", "A4L" for landscape, "A5", "Letter"); each page says its number.
func MustOriginal(tb testing.TB, sizes ...string) []byte {
	tb.Helper()
	p := fpdf.New("P", "mm", "A4", "")
	p.AddUTF8FontFromBytes("DejaVu", "", dejavuRegular())
	p.SetCompression(true)
	p.SetCatalogSort(true)
	p.SetCreationDate(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	p.SetModificationDate(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
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
				Name: "Ґалушко Їржі Євгенович", Position: "Заступник директора з ґрунтових робіт", Organization: "ТОВ «Українські їжаки та єноти»",
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
	out, err := exec.Command(testtool.Need(tb, "pdftotext", "poppler-utils"), "-enc", "UTF-8", "-f", n, "-l", n, path, "-").Output()
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

func dejavuRegular() []byte { return dejavusans.TTF }

// pagesText is pdftotext of every page, one string a page.
func pagesText(tb testing.TB, path string) []string {
	tb.Helper()
	return strings.Split(strings.TrimRight(pdfText(tb, path, false), "\f"), "\f")
}

// noSpace drops all white space, so that a hash or a link wrapped over
// lines still matches.
func noSpace(s string) string { return strings.Join(strings.Fields(s), "") }

// word is a word pdftotext -bbox found, in points from the top-left of the
// page as shown.
type word struct {
	text                   string
	xMin, yMin, xMax, yMax float64
}

var (
	reBBoxPage = regexp.MustCompile(`<page width="([\d.]+)" height="([\d.]+)">`)
	reBBoxWord = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)
)

// pageWords returns the words of one page and the page's size as shown.
func pageWords(tb testing.TB, path string, page int) (words []word, w, h float64) {
	tb.Helper()
	n := fmt.Sprint(page)
	out, err := exec.Command(testtool.Need(tb, "pdftotext", "poppler-utils"), "-bbox", "-enc", "UTF-8", "-f", n, "-l", n, path, "-").Output()
	if err != nil {
		tb.Fatalf("pdftotext -bbox: %v", err)
	}
	pm := reBBoxPage.FindSubmatch(out)
	if pm == nil {
		tb.Fatalf("pdftotext -bbox: no page in\n%s", out)
	}
	w, _ = strconv.ParseFloat(string(pm[1]), 64)
	h, _ = strconv.ParseFloat(string(pm[2]), 64)
	for _, m := range reBBoxWord.FindAllSubmatch(out, -1) {
		var v [4]float64
		for i := range v {
			v[i], _ = strconv.ParseFloat(string(m[i+1]), 64)
		}
		words = append(words, word{html.UnescapeString(string(m[5])), v[0], v[1], v[2], v[3]})
	}
	return words, w, h
}

// pageSizes returns each page's size as shown (points, rotation applied)
// as pdfinfo reports it, e.g. "842 x 595 rot 90".
func pageSizes(tb testing.TB, path string) []string {
	tb.Helper()
	out, err := exec.Command(testtool.Need(tb, "pdfinfo", "poppler-utils"), "-f", "1", "-l", "999", path).Output()
	if err != nil {
		tb.Fatalf("pdfinfo: %v", err)
	}
	var sizes []string
	rot := regexp.MustCompile(`(?m)^Page\s+\d+ rot:\s+(\d+)`).FindAllSubmatch(out, -1)
	for i, m := range regexp.MustCompile(`(?m)^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)`).FindAllSubmatch(out, -1) {
		w, _ := strconv.ParseFloat(string(m[1]), 64)
		h, _ := strconv.ParseFloat(string(m[2]), 64)
		r := "0"
		if i < len(rot) {
			r = string(rot[i][1])
		}
		sizes = append(sizes, fmt.Sprintf("%.0f x %.0f rot %s", w, h, r))
	}
	return sizes
}

// rotatePage returns the PDF with page n turned clockwise by 90 degrees
// (its /Rotate set), as a scanner or a viewer's "save" leaves it.
func rotatePage(tb testing.TB, pdf []byte, n int) []byte {
	tb.Helper()
	var out bytes.Buffer
	if err := api.Rotate(bytes.NewReader(pdf), &out, 90, []string{strconv.Itoa(n)}, pdfcpuConfig()); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

func TestFinalText(t *testing.T) {
	for _, lang := range []string{"ru", "uk", "en"} {
		t.Run(lang, func(t *testing.T) {
			f := MustFinal(t, lang, MustOriginal(t, "A4", "A4L", "A4"), "dogovor.pdf", "application/pdf")
			path := renderFinal(t, f)
			previewFinal(t, path, "final-"+lang)
			qpdfCheck(t, path)
			pages := pagesText(t, path)
			if n := pageCount(t, path); n != len(pages) || n < 4 {
				t.Fatalf("%d pages (pdftotext %d), want the 3 original ones and the protocol", n, len(pages))
			}
			for i := range 3 {
				if want := fmt.Sprintf("страница %d", i+1); !strings.Contains(pages[i], want) {
					t.Errorf("page %d is not the original's page %d:\n%s", i+1, i+1, pages[i])
				}
			}
			// The stamps are on the last page of the original, as text.
			last := squash(pages[2])
			stampHead := map[string]string{"ru": "ДОКУМЕНТ ПОДПИСАН", "uk": "ДОКУМЕНТ ПІДПИСАНО", "en": "DOCUMENT SIGNED"}[lang]
			if n := strings.Count(last, stampHead); n != 4 {
				t.Errorf("the last page has %d stamps, want 4:\n%s", n, last)
			}
			for _, s := range f.Signers {
				for _, w := range []string{s.Name, s.Organization, finalTexts[lang].time(s.SignedAt)} {
					if !strings.Contains(last, w) {
						t.Errorf("the stamps lack %q:\n%s", w, last)
					}
				}
			}
			for _, w := range []string{f.Signers[0].CertSerial, finalTexts[lang].period(f.Signers[0].CertNotBefore, f.Signers[0].CertNotAfter)} {
				if !strings.Contains(last, w) {
					t.Errorf("the qualified stamp lacks %q:\n%s", w, last)
				}
			}
			// The protocol follows, with its own page numbers.
			proto := pages[3:]
			t0 := finalTexts[lang]
			for i, p := range proto {
				if want := fmt.Sprintf(t0.page, i+1, fmt.Sprint(len(proto))); !strings.Contains(p, want) {
					t.Errorf("protocol page %d lacks %q", i+1, want)
				}
			}
			text := squash(strings.Join(proto, "\n"))
			want := []string{t0.protocol, f.Title, f.DocumentID, f.Organization, f.FileName, t0.time(f.CompletedAt),
				t0.numberAndDate(f.Number, f.Date)}
			for _, s := range f.Signers {
				want = append(want, s.Name, s.Position, s.Organization, t0.methods[s.Method], t0.time(s.SignedAt), t0.results[s.Result])
				if s.Method == "qualified" {
					want = append(want, s.CertIssuer, s.KeyAlgorithm, t0.period(s.CertNotBefore, s.CertNotAfter))
				} else {
					want = append(want, s.Contact, s.IP, t0.channels[s.Channel])
				}
				for _, fl := range s.Fields {
					want = append(want, fl.Label, fl.Value)
				}
			}
			want = append(want, t0.subIndications["no_certificate_chain_found"], t0.subIndications["hash_failure"])
			for _, w := range want {
				if !strings.Contains(text, squash(w)) {
					t.Errorf("the protocol lacks %q\n%s", w, text)
				}
			}
			// Long values wrap over lines: compare them without spaces.
			flat := noSpace(text)
			// The hash is printed in two halves of 32 digits.
			for _, w := range []string{f.SHA256[:32], f.SHA256[32:], f.VerifyURL, f.Signers[0].CertSerial, f.Signers[1].POANumber} {
				if !strings.Contains(flat, w) {
					t.Errorf("the protocol lacks %q", w)
				}
			}
			for _, r := range "іїєґІЇЄҐ" {
				if !strings.ContainsRune(text, r) {
					t.Errorf("the protocol lacks %q", r)
				}
			}
		})
	}
}

func TestFinalPlace(t *testing.T) {
	orig := rotatePage(t, MustOriginal(t, "A4", "A4L", "A5", "Letter"), 3)
	f := MustFinal(t, "uk", orig, "dogovir.pdf", "application/pdf")
	f.Signers[1].Place = &Place{Page: 2, X: 120, Y: 60}   // landscape
	f.Signers[2].Place = &Place{Page: 3, X: 20, Y: 30}    // A5 turned by /Rotate 90
	f.Signers[3].Place = &Place{Page: 9, X: 10, Y: 10}    // no such page: the last page
	f.Signers[0].Place = &Place{Page: 1, X: 1000, Y: 100} // off the page: the last page
	path := renderFinal(t, f)
	previewFinal(t, path, "final-place")

	// The pages keep their sizes and turns.
	sizes := pageSizes(t, path)
	origPath := filepath.Join(t.TempDir(), "original.pdf")
	if err := os.WriteFile(origPath, orig, 0o600); err != nil {
		t.Fatal(err)
	}
	want := pageSizes(t, origPath)
	if len(want) != 4 || want[2] != "421 x 595 rot 90" || want[1] != "842 x 595 rot 0" {
		t.Fatalf("the original's pages are %v", want)
	}
	for i, w := range want {
		if i >= len(sizes) || sizes[i] != w {
			t.Errorf("page %d is %v, want %s", i+1, sizes, w)
		}
	}
	count := func(page int, name string) int { return strings.Count(squash(pageText(t, path, page)), name) }
	for _, c := range []struct {
		page int
		name string
		want int
	}{
		{1, f.Signers[0].Name, 0}, {2, f.Signers[1].Name, 1}, {3, f.Signers[2].Name, 1}, {4, f.Signers[0].Name, 1},
		{4, f.Signers[3].Name, 1}, {4, f.Signers[1].Name, 0}, {4, f.Signers[2].Name, 0},
	} {
		if got := count(c.page, c.name); got != c.want {
			t.Errorf("page %d shows %q %d times, want %d", c.page, c.name, got, c.want)
		}
	}

	// A placed stamp starts where its Place says and reads upright, on a
	// turned page too: its heading is a wide, low word near the top-left
	// corner of the box.
	for _, c := range []struct {
		page int
		pl   *Place
	}{{2, f.Signers[1].Place}, {3, f.Signers[2].Place}} {
		words, _, _ := pageWords(t, path, c.page)
		var head *word
		for i := range words {
			if words[i].text == "ДОКУМЕНТ" {
				head = &words[i]
			}
		}
		if head == nil {
			t.Fatalf("page %d: no stamp heading among %v", c.page, words)
		}
		if head.xMax-head.xMin < 3*(head.yMax-head.yMin) {
			t.Errorf("page %d: the stamp's heading is not upright: %+v", c.page, *head)
		}
		x, y := c.pl.X/mmPerPt, c.pl.Y/mmPerPt
		if head.xMin < x || head.xMax > x+stampW/mmPerPt || head.yMin < y || head.yMax > y+12/mmPerPt {
			t.Errorf("page %d: the stamp's heading is at %+v, want it in the box's top from %.0f, %.0f pt", c.page, *head, x, y)
		}
	}
}

func TestFinalQRCode(t *testing.T) {
	zbarimg := testtool.Need(t, "zbarimg", "zbar-tools")
	f := MustFinal(t, "ru", []byte("PK\x03\x04 not really a docx"), "akt.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
	path := renderFinal(t, f)
	png := filepath.Join(t.TempDir(), "protocol")
	if out, err := exec.Command(testtool.Need(t, "pdftoppm", "poppler-utils"), "-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile", path, png).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	out, err := exec.Command(zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", png+".png").Output()
	if err != nil {
		t.Fatalf("zbarimg found no QR code on the protocol page: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != f.VerifyURL {
		t.Errorf("the QR code reads %q, want %q", got, f.VerifyURL)
	}
}

func TestFinalAttachments(t *testing.T) {
	pdfdetach := testtool.Need(t, "pdfdetach", "poppler-utils")
	for _, c := range []struct {
		name, file, contentType string
		original                []byte
	}{
		{"pdf", "dogovor.pdf", "application/pdf", MustOriginal(t, "A4", "A4")},
		{"docx", "akt.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []byte("PK\x03\x04\x14\x00\x06\x00 word/document.xml …")},
		// The original's own attachment stays inside the attached original;
		// the final PDF lists only the original and the signatures.
		{"pdf with an attachment of the same name", "dogovor.pdf", "application/pdf", withAttachment(t, MustOriginal(t, "A4"), "dogovor.pdf")},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := MustFinal(t, "ru", c.original, c.file, c.contentType)
			path := renderFinal(t, f)
			want := map[string][]byte{c.file: c.original}
			for _, s := range f.Signatures {
				want[s.Name] = s.Data
			}
			// poppler lists and extracts them: another reader than ours.
			out, err := exec.Command(pdfdetach, "-list", "-enc", "UTF-8", path).Output()
			if err != nil {
				t.Fatalf("pdfdetach -list: %v", err)
			}
			if !strings.HasPrefix(string(out), fmt.Sprintf("%d embedded files", len(want))) {
				t.Errorf("pdfdetach -list:\n%s", out)
			}
			dir := t.TempDir()
			if out, err := exec.Command(pdfdetach, "-saveall", "-o", dir, path).CombinedOutput(); err != nil {
				t.Fatalf("pdfdetach -saveall: %v: %s", err, out)
			}
			for name, data := range want {
				if !strings.Contains(string(out), name) {
					t.Errorf("pdfdetach does not list %s:\n%s", name, out)
				}
				got, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil || !bytes.Equal(got, data) {
					t.Errorf("pdfdetach extracted %s as %q (%v), want the bytes given", name, got, err)
				}
			}
			// and so does Attachments, for the offline verifier.
			files := attachmentsOf(t, path)
			if len(files) != len(want) {
				t.Errorf("Attachments returned %d files, want %d", len(files), len(want))
			}
			for _, a := range files {
				if !bytes.Equal(a.Data, want[a.Name]) {
					t.Errorf("Attachments: %s differs from what was attached", a.Name)
				}
			}
		})
	}
}

// withAttachment returns pdf with a small file embedded under name.
func withAttachment(tb testing.TB, pdf []byte, name string) []byte {
	tb.Helper()
	file := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(file, []byte("an attachment of the original"), 0o600); err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	if err := api.AddAttachments(bytes.NewReader(pdf), &out, []string{file}, false, pdfcpuConfig()); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

// qpdfCheck fails the test unless qpdf finds the PDF sound.
func qpdfCheck(tb testing.TB, path string) {
	tb.Helper()
	out, err := exec.Command(testtool.Need(tb, "qpdf", "qpdf"), "--check", path).CombinedOutput()
	if err != nil || bytes.Contains(out, []byte("WARNING")) {
		tb.Errorf("qpdf --check: %v\n%s", err, out)
	}
}

// TestFinalObjectStreams: an original written with object and
// cross-reference streams (as most producers do today) is stamped too.
func TestFinalObjectStreams(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "out.pdf")
	if err := os.WriteFile(in, MustOriginal(t, "A4", "A4"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(testtool.Need(t, "qpdf", "qpdf"), "--object-streams=generate", in, out).CombinedOutput(); err != nil {
		t.Fatalf("qpdf: %v: %s", err, b)
	}
	orig, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(orig, []byte("/ObjStm")) {
		t.Fatal("qpdf wrote no object streams")
	}
	f := MustFinal(t, "ru", orig, "dogovor.pdf", "application/pdf")
	path := renderFinal(t, f)
	qpdfCheck(t, path)
	if n := strings.Count(squash(pageText(t, path, 2)), "ДОКУМЕНТ ПОДПИСАН"); n != 4 {
		t.Errorf("%d stamps on the last page, want 4", n)
	}
}

// TestFinalUnstampable: an original that is not a PDF, or a PDF that
// cannot be changed, gives the protocol alone, the original attached.
// sealed is a PDF with a PDF signature of its own, as a PAdES-signed
// original would come.
func sealed(t *testing.T, pdf []byte) []byte {
	t.Helper()
	s, err := seal.Open(t.Context(), seal.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := s.Seal(t.Context(), &out, pdf, seal.Info{Reason: "signed before Paraph"}); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// Originals that cannot take stamps — not PDF, damaged, encrypted, or
// signed already (stamping would break their signatures) — give the
// protocol with the original attached as it was.
func TestFinalUnstampable(t *testing.T) {
	pdf := MustOriginal(t, "A4", "A4", "A4")
	qpdf := testtool.Need(t, "qpdf", "qpdf")
	encrypt := func(user string) []byte {
		dir := t.TempDir()
		in, out := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "out.pdf")
		if err := os.WriteFile(in, pdf, 0o600); err != nil {
			t.Fatal(err)
		}
		if b, err := exec.Command(qpdf, "--encrypt", user, "owner-secret", "256", "--", in, out).CombinedOutput(); err != nil {
			t.Fatalf("qpdf --encrypt: %v: %s", err, b)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, c := range []struct {
		name, contentType string
		original          []byte
	}{
		{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []byte("PK\x03\x04\x14\x00\x06\x00 word/document.xml")},
		{"pdf named as text", "text/plain", pdf},
		{"truncated pdf", "application/pdf", pdf[:len(pdf)/2]},
		{"garbage called pdf", "application/pdf", []byte("%PDF-1.7\n1 0 obj <<>> endobj trailer <</Root 1 0 R>>")},
		{"encrypted pdf", "application/pdf", encrypt("user-secret")},
		{"pdf with an owner password only", "application/pdf", encrypt("")},
		{"pdf signed already", "application/pdf", sealed(t, pdf)},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := MustFinal(t, "ru", c.original, "original.bin", c.contentType)
			path := renderFinal(t, f)
			qpdfCheck(t, path)
			pages := pagesText(t, path)
			for i, p := range pages {
				if !strings.Contains(p, fmt.Sprintf("Стр. %d из %d", i+1, len(pages))) {
					t.Errorf("page %d is not a protocol page:\n%s", i+1, p)
				}
			}
			if !strings.Contains(pages[0], "Протокол подписания") || strings.Contains(strings.Join(pages, ""), "ДОКУМЕНТ ПОДПИСАН") {
				t.Errorf("want the protocol without stamps:\n%s", pages[0])
			}
			files := attachmentsOf(t, path)
			var found bool
			for _, a := range files {
				found = found || a.Name == "original.bin" && bytes.Equal(a.Data, c.original)
			}
			if !found {
				t.Errorf("the original is not attached as it was")
			}
		})
	}
}

func TestFinalDeterministic(t *testing.T) {
	f := MustFinal(t, "uk", MustOriginal(t, "A4", "A4L"), "dogovir.pdf", "application/pdf")
	f.Signers[2].Place = &Place{Page: 1, X: 100, Y: 200}
	var first []byte
	for i := range 5 {
		var buf bytes.Buffer
		if err := f.Render(&buf); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = buf.Bytes()
		} else if !bytes.Equal(first, buf.Bytes()) {
			t.Fatalf("render %d differs from the first", i+1)
		}
	}
	if !bytes.HasPrefix(first, []byte("%PDF-")) {
		t.Error("not a PDF")
	}
	for _, date := range []string{"CreationDate", "ModDate"} {
		if want := fmt.Sprintf("/%s (D:20260315124107+00'00')", date); !bytes.Contains(first, []byte(want)) {
			t.Errorf("the PDF lacks %s", want)
		}
	}
	g := *f
	g.CompletedAt = f.CompletedAt.Add(time.Second)
	var other bytes.Buffer
	if err := g.Render(&other); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(first, other.Bytes()) {
		t.Error("another completion time rendered the same bytes")
	}
}

func TestFinalValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(f *Final)
		field  string
	}{
		{"language", func(f *Final) { f.Lang = "de" }, "lang"},
		{"no id", func(f *Final) { f.DocumentID = " " }, "document_id"},
		{"no title", func(f *Final) { f.Title = "" }, "title"},
		{"no file name", func(f *Final) { f.FileName = "" }, "file_name"},
		{"empty original", func(f *Final) { f.Original = nil }, "original"},
		{"no completion time", func(f *Final) { f.CompletedAt = time.Time{} }, "completed_at"},
		{"no link", func(f *Final) { f.VerifyURL = "" }, "verify_url"},
		{"link too long for a QR code", func(f *Final) { f.VerifyURL = "https://x/" + strings.Repeat("é", 3000) }, "verify_url"},
		{"bad date", func(f *Final) { f.Date = "15.03.2026" }, "date"},
		{"hash of other bytes", func(f *Final) { f.SHA256 = strings.Repeat("0", 64) }, "sha256"},
		{"no hash", func(f *Final) { f.SHA256 = "" }, "sha256"},
		{"no signers", func(f *Final) { f.Signers = nil }, "signers"},
		{"signer without name", func(f *Final) { f.Signers[1].Name = "" }, "signers[1].name"},
		{"method", func(f *Final) { f.Signers[0].Method = "advanced" }, "signers[0].method"},
		{"no signing time", func(f *Final) { f.Signers[3].SignedAt = time.Time{} }, "signers[3].signed_at"},
		{"result", func(f *Final) { f.Signers[2].Result = "ok" }, "signers[2].result"},
		{"qualified without certificate", func(f *Final) { f.Signers[0].CertSerial = "" }, "signers[0].cert_serial"},
		{"channel", func(f *Final) { f.Signers[2].Channel = "pigeon" }, "signers[2].channel"},
		{"place NaN", func(f *Final) { f.Signers[2].Place = &Place{Page: 1, X: math.NaN()} }, "signers[2].place"},
		{"image not an image", func(f *Final) { f.Signers[2].Image = []byte("GIF89a") }, "signers[2].image"},
		{"broken PNG", func(f *Final) { f.Signers[2].Stamp = []byte("\x89PNG\r\n\x1a\nbroken") }, "signers[2].stamp"},
		{"signature file without name", func(f *Final) { f.Signatures[0].Name = "" }, "signatures[0].name"},
		{"empty signature file", func(f *Final) { f.Signatures[1].Data = nil }, "signatures[1].data"},
		{"signature file named as the original", func(f *Final) { f.Signatures[1].Name = f.FileName }, "signatures[1].name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := MustFinal(t, "ru", []byte("original"), "a.txt", "text/plain")
			tt.change(f)
			err := f.Validate()
			e := paraph.AsError(err)
			if err == nil || e.Code != paraph.EINVALID || e.Field != tt.field {
				t.Fatalf("Validate = %v (field %q), want invalid %s", err, e.Field, tt.field)
			}
			if err := f.Render(io.Discard); err == nil {
				t.Fatal("Render accepted an invalid Final")
			}
		})
	}
}

// TestLayoutStamps: stamps never overlap one another (unless two signers
// were placed on one spot), stay on their page, and keep signing order.
func TestLayoutStamps(t *testing.T) {
	a4 := page{w: 210, h: 297}
	a4l := page{w: 297, h: 210}
	a5 := page{w: 148, h: 210}
	narrow := page{w: 80, h: 200} // no room for a grid: stamps go to pages of their own
	stamps := func(n int, places map[int]*Place) []*stamp {
		out := make([]*stamp, n)
		for i := range out {
			out[i] = &stamp{i: i, s: &FinalSigner{Place: places[i]}, h: 28 + float64(i%3)*4}
		}
		return out
	}
	tests := []struct {
		name        string
		stamps      []*stamp
		pages       []page
		onLast      int // stamps on the last page
		extraPages  int
		placedPages map[int]int // signer → page
	}{
		{"one", stamps(1, nil), []page{a4}, 1, 0, nil},
		{"four on A4", stamps(4, nil), []page{a4, a4}, 4, 0, nil},
		{"three on landscape", stamps(3, nil), []page{a4l}, 3, 0, nil},
		{"A5 takes one column", stamps(3, nil), []page{a5}, 2, 1, nil},
		{"thirty", stamps(30, nil), []page{a4}, 6, 2, nil},
		{"narrow page", stamps(2, nil), []page{narrow}, 0, 1, nil},
		{"placed on page 1", stamps(3, map[int]*Place{1: {Page: 1, X: 50, Y: 50}}), []page{a4, a4}, 2, 0, map[int]int{1: 1}},
		{"placed at the bottom of the last page", stamps(4, map[int]*Place{0: {Page: 2, X: 20, Y: 250}}), []page{a4, a4}, 4, 0, map[int]int{0: 2}},
		{"placed past the edge is moved in", stamps(1, map[int]*Place{0: {Page: 1, X: 200, Y: 290}}), []page{a4}, 1, 0, map[int]int{0: 1}},
		{"placed off the page goes to the grid", stamps(2, map[int]*Place{0: {Page: 1, X: 300, Y: 10}, 1: {Page: 3}}), []page{a4}, 2, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spots := layoutStamps(tt.stamps, tt.pages)
			if len(spots) != len(tt.stamps) {
				t.Fatalf("%d spots for %d stamps", len(spots), len(tt.stamps))
			}
			onLast, extra := 0, 0
			seen := map[int]bool{}
			for _, sp := range spots {
				if seen[sp.st.i] {
					t.Fatalf("stamp %d placed twice", sp.st.i)
				}
				seen[sp.st.i] = true
				w, h := pageW, pageH
				if sp.page > 0 {
					w, h = tt.pages[sp.page-1].w, tt.pages[sp.page-1].h
				}
				if sp.page == len(tt.pages) {
					onLast++
				}
				extra = max(extra, sp.extra)
				if want, ok := tt.placedPages[sp.st.i]; ok && sp.page != want {
					t.Errorf("stamp %d is on page %d, want %d", sp.st.i, sp.page, want)
				}
				if sp.x < 0 || sp.y < 0 || sp.x+stampW > w+1e-9 || sp.y+sp.h > h+1e-9 || sp.h < sp.st.h {
					t.Errorf("stamp %d at %.1f,%.1f (h %.1f) leaves its %gx%g page", sp.st.i, sp.x, sp.y, sp.h, w, h)
				}
				for _, o := range spots {
					if o.st.i <= sp.st.i || o.page != sp.page || o.extra != sp.extra || o.fixedPlace && sp.fixedPlace {
						continue
					}
					if sp.x < o.x+stampW && o.x < sp.x+stampW && sp.y < o.y+o.h && o.y < sp.y+sp.h {
						t.Errorf("stamps %d and %d overlap", sp.st.i, o.st.i)
					}
					// signing order reads top to bottom, left to right
					if !o.fixedPlace && !sp.fixedPlace && o.extra == sp.extra && (o.y < sp.y || o.y == sp.y && o.x < sp.x) {
						t.Errorf("stamp %d comes before stamp %d", o.st.i, sp.st.i)
					}
				}
			}
			if onLast != tt.onLast || extra != tt.extraPages {
				t.Errorf("%d stamps on the last page and %d pages of their own, want %d and %d", onLast, extra, tt.onLast, tt.extraPages)
			}
		})
	}
}

func TestFinalManySigners(t *testing.T) {
	f := MustFinal(t, "ru", MustOriginal(t, "A4", "A4"), "dogovor.pdf", "application/pdf")
	base := f.Signers
	f.Signers = nil
	for i := range 30 {
		s := base[i%len(base)]
		s.Name = fmt.Sprintf("Подписант %02d %s", i+1, s.Name)
		s.SignedAt = s.SignedAt.Add(time.Duration(i) * time.Minute)
		f.Signers = append(f.Signers, s)
	}
	path := renderFinal(t, f)
	previewFinal(t, path, "final-30")
	pages := pagesText(t, path)
	var stampPages, protoPages []string
	for _, p := range pages[2:] {
		if strings.Contains(p, "Протокол подписания") {
			protoPages = append(protoPages, p)
		} else {
			stampPages = append(stampPages, p)
		}
	}
	if len(protoPages) < 3 || len(stampPages) < 1 {
		t.Fatalf("%d pages of stamps and %d of protocol, want the stamps continued and the protocol paginated", len(stampPages), len(protoPages))
	}
	stamped := squash(strings.Join(append(pages[1:2], stampPages...), " "))
	proto := squash(strings.Join(protoPages, " "))
	for i, s := range f.Signers {
		tag := fmt.Sprintf("Подписант %02d", i+1)
		if n := strings.Count(stamped, tag); n != 1 {
			t.Errorf("%s has %d stamps", tag, n)
		}
		if !strings.Contains(proto, squash(s.Name)) {
			t.Errorf("the protocol lacks %s", s.Name)
		}
	}
	for i, p := range protoPages {
		if want := fmt.Sprintf("Стр. %d из %d", i+1, len(protoPages)); !strings.Contains(p, want) {
			t.Errorf("protocol page %d lacks %q", i+1, want)
		}
	}
}

// TestFinalGolden keeps the protocol's text from drifting; refresh with
// go test ./internal/pdf -run FinalGolden -update after a deliberate change.
func TestFinalGolden(t *testing.T) {
	for _, lang := range []string{"ru", "uk", "en"} {
		t.Run(lang, func(t *testing.T) {
			f := MustFinal(t, lang, []byte("PK\x03\x04 docx"), "akt.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
			checkGolden(t, "final-"+lang+".txt", pdfText(t, renderFinal(t, f), true))
		})
	}
}

// FuzzFinalOriginal: whatever bytes come as a PDF original, Render makes
// a final PDF (stamped or the protocol alone) without panicking, and the
// original comes back out of it byte for byte. A render takes tens of
// milliseconds, so keep minimizing short:
//
//	go test ./internal/pdf -run x -fuzz FuzzFinalOriginal -fuzzminimizetime 3s
func FuzzFinalOriginal(f *testing.F) {
	pdf := MustOriginal(f, "A4")
	for _, seed := range [][]byte{
		pdf, pdf[:len(pdf)/2], pdf[:len(pdf)-40], []byte("%PDF-1.4\n%%EOF"),
		[]byte("%PDF-1.7\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n3 0 obj <</Type /Page /MediaBox [0 0 -5 0] /Rotate 45>> endobj\ntrailer <</Root 1 0 R>>"),
		[]byte("not a pdf"),
	} {
		f.Add(seed)
	}
	base := MustFinal(f, "ru", pdf, "in.pdf", "application/pdf")
	f.Fuzz(func(t *testing.T, original []byte) {
		if len(original) == 0 {
			return
		}
		fin := *base
		fin.Original = original
		sum := sha256.Sum256(original)
		fin.SHA256 = hex.EncodeToString(sum[:])
		var buf bytes.Buffer
		if err := fin.Render(&buf); err != nil {
			t.Fatalf("Render: %v", err)
		}
		files, err := Attachments(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("Attachments: %v", err)
		}
		for _, a := range files {
			if a.Name == "in.pdf" {
				if !bytes.Equal(a.Data, original) {
					t.Fatal("the original came back changed")
				}
				return
			}
		}
		t.Fatal("the original is not attached")
	})
}

// TestFinalConcurrent: jobs render final PDFs side by side; run with -race.
func TestFinalConcurrent(t *testing.T) {
	f := MustFinal(t, "ru", MustOriginal(t, "A4", "A4"), "dogovor.pdf", "application/pdf")
	var want bytes.Buffer
	if err := f.Render(&want); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for range cap(errs) {
		go func() {
			var buf bytes.Buffer
			err := f.Render(&buf)
			if err == nil && !bytes.Equal(buf.Bytes(), want.Bytes()) {
				err = fmt.Errorf("a concurrent render differs")
			}
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestFinalLongValues: absurdly long values are wrapped or cut, never
// drawn over one another or off the page.
func TestFinalLongValues(t *testing.T) {
	long := func(n int) string {
		return strings.TrimSpace(strings.Repeat("Очень длинное значение їжака ", n))
	}
	f := MustFinal(t, "ru", []byte("text"), strings.Repeat("имя-файла-", 30)+".txt", "text/plain")
	f.Title = long(60)
	f.Organization = long(20)
	f.Signers[0].Name = long(10)
	f.Signers[0].Position = long(30)
	f.Signers[1].CertIssuer = long(30)
	for i := range 25 {
		f.Signers[2].Fields = append(f.Signers[2].Fields, FilledField{Label: long(3), Value: long(1 + i*4)})
	}
	path := renderFinal(t, f)
	previewFinal(t, path, "final-long")
	for page := 1; page <= pageCount(t, path); page++ {
		words, w, h := pageWords(t, path, page)
		for i, a := range words {
			if a.xMin < 0 || a.yMin < 0 || a.xMax > w || a.yMax > h-margin/mmPerPt {
				t.Errorf("page %d: %q at %+v is off the page", page, a.text, a)
			}
			for _, b := range words[i+1:] {
				const e = 0.5 // pt: glyph boxes of neighbours may touch
				if a.xMin+e < b.xMax && b.xMin+e < a.xMax && a.yMin+e < b.yMax && b.yMin+e < a.yMax {
					t.Errorf("page %d: %q and %q overlap", page, a.text, b.text)
				}
			}
		}
	}
}

// attachmentsOf reads the files attached to the PDF at path.
func attachmentsOf(t *testing.T, path string) []Attachment {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	files, err := Attachments(file)
	if err != nil {
		t.Fatal(err)
	}
	return files
}
