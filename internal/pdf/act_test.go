package pdf

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"paraph"

	"paraph/internal/testtool"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// MustAct returns a valid act in lang with real-looking parties.
func MustAct(tb testing.TB, lang string) *Act {
	tb.Helper()
	a := &Act{
		Language: lang,
		Number:   "17",
		Date:     time.Date(2026, time.March, 15, 0, 0, 0, 0, time.UTC),
		Place:    "г. Москва",
		Contractor: Party{
			Name: "ООО «Вектор Софт»", INN: "7736207543", KPP: "770401001", OGRN: "1027700229193",
			Address: "119021, г. Москва, ул. Льва Толстого, д. 16", Bank: "ПАО Сбербанк, БИК 044525225",
			Account: "40702810938000012345", Signer: "Иванов И. И.", SignerPosition: "Генеральный директор",
		},
		Customer: Party{
			Name: "АО «Северный ветер»", INN: "7707083893", KPP: "773601001", OGRN: "1027700132195",
			Address: "117312, г. Москва, ул. Вавилова, д. 19", Signer: "Петрова А. С.", SignerPosition: "Финансовый директор",
		},
		Basis:    "договор № 5 от 01.02.2026",
		Currency: "RUB",
		Lines: []Line{
			{Name: "Разработка модуля электронного документооборота", Unit: "ч", Quantity: "12.5", Price: 350000, VATRate: 22},
			{Name: "Техническая поддержка за март 2026 года", Unit: "мес", Quantity: "1", Price: 4500000, VATRate: 22},
			{Name: "Обучение сотрудников заказчика работе с системой (выездное занятие, группа до 10 человек)", Unit: "усл", Quantity: "2", Price: 1234567, VATRate: 22},
		},
		Comment: "",
	}
	if lang == "uk" {
		a.Place = "м. Київ"
		a.Currency = "UAH"
		a.Basis = "договір № 5 від 01.02.2026"
		a.Contractor = Party{
			Name: "ТОВ «Ґрунт і Їжак»", EDRPOU: "14360570", INN: "143605726559",
			Address: "01001, м. Київ, вул. Хрещатик, 22", Bank: "АТ КБ «ПриватБанк»",
			Account: "UA213052990000026007233566001", Signer: "Єременко Ґ. І.", SignerPosition: "Директор",
		}
		a.Customer = Party{
			Name: "ФОП Їжакевич Євгенія Іванівна", EDRPOU: "3184710691",
			Address: "79000, м. Львів, пл. Ринок, 1", Signer: "Їжакевич Є. І.", SignerPosition: "Фізична особа — підприємець",
		}
		a.Lines = []Line{
			{Name: "Розробка модуля електронного документообігу", Unit: "год", Quantity: "12,5", Price: 150000, VATRate: 20},
			{Name: "Технічна підтримка за березень 2026 року (ґарантійне обслуговування, їхні запити, єдине вікно)", Unit: "міс", Quantity: "1", Price: 2000000, VATRate: 20},
		}
	}
	if err := a.Validate(); err != nil {
		tb.Fatalf("fixture act is invalid: %v", err)
	}
	return a
}

func TestTotals(t *testing.T) {
	tests := []struct {
		name  string
		lines []Line
		want  Totals
	}{
		{"one line 20%", []Line{{Name: "a", Quantity: "1", Price: 12000, VATRate: 20}},
			Totals{Lines: []LineTotal{{"1", 12000, 2000}}, Total: 12000, VAT: 2000, ByRate: []RateVAT{{20, 2000}}}},
		// 1.5 × 33.33 = 49.995 → 50.00 (half up); VAT 50.00×20/120 = 8.333… → 8.33.
		{"half up amount", []Line{{Name: "a", Quantity: "1.5", Price: 3333, VATRate: 20}},
			Totals{Lines: []LineTotal{{"1,5", 5000, 833}}, Total: 5000, VAT: 833, ByRate: []RateVAT{{20, 833}}}},
		// 0.125 × 1.00 = 0.125 → 0.13; the comma is accepted.
		{"comma, three decimals", []Line{{Name: "a", Quantity: "0,125", Price: 100, VATRate: NoVAT}},
			Totals{Lines: []LineTotal{{"0,125", 13, 0}}, Total: 13}},
		// 0.5 × 0.01 = 0.005 → 0.01: a half kopeck rounds up.
		{"half kopeck", []Line{{Name: "a", Quantity: "0.5", Price: 1, VATRate: NoVAT}},
			Totals{Lines: []LineTotal{{"0,5", 1, 0}}, Total: 1}},
		// VAT 10%: 110.00 → 10.00; VAT 22%: 3 × 1 000.00 = 3 000.00 → 540.98 (3000×22/122 = 540.983…).
		{"mixed rates and no VAT", []Line{
			{Name: "a", Quantity: "1", Price: 11000, VATRate: 10},
			{Name: "b", Quantity: "3", Price: 100000, VATRate: 22},
			{Name: "c", Quantity: "2.000", Price: 50000, VATRate: NoVAT},
			{Name: "d", Quantity: "1", Price: 7777, VATRate: 0},
		}, Totals{
			Lines:  []LineTotal{{"1", 11000, 1000}, {"3", 300000, 54098}, {"2", 100000, 0}, {"1", 7777, 0}},
			Total:  418777,
			VAT:    55098,
			ByRate: []RateVAT{{22, 54098}, {10, 1000}, {0, 0}},
		}},
		// VAT per line, then summed: 3 lines of 0.10 at 20% have 0.02 each
		// (0.0166… → 0.02) = 0.06, not 0.30×20/120 = 0.05.
		{"per-line rounding", []Line{
			{Name: "a", Quantity: "1", Price: 10, VATRate: 20},
			{Name: "b", Quantity: "1", Price: 10, VATRate: 20},
			{Name: "c", Quantity: "1", Price: 10, VATRate: 20},
		}, Totals{Lines: []LineTotal{{"1", 10, 2}, {"1", 10, 2}, {"1", 10, 2}}, Total: 30, VAT: 6, ByRate: []RateVAT{{20, 6}}}},
		// 7% (Ukraine, Russian simplified system): 107.00 → 7.00.
		{"7 percent", []Line{{Name: "a", Quantity: "1", Price: 10700, VATRate: 7}},
			Totals{Lines: []LineTotal{{"1", 10700, 700}}, Total: 10700, VAT: 700, ByRate: []RateVAT{{7, 700}}}},
		{"large", []Line{{Name: "a", Quantity: "1000000", Price: 99999999, VATRate: 20}},
			Totals{Lines: []LineTotal{{"1000000", 99999999000000, 16666666500000}}, Total: 99999999000000, VAT: 16666666500000, ByRate: []RateVAT{{20, 16666666500000}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := MustAct(t, "ru")
			a.Lines = tt.lines
			if err := a.Validate(); err != nil {
				t.Fatal(err)
			}
			if got := a.Totals(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Totals\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	many := make([]Line, MaxLines+1)
	for i := range many {
		many[i] = Line{Name: "x", Quantity: "1", Price: 1, VATRate: NoVAT}
	}
	tests := []struct {
		name   string
		change func(a *Act)
		field  string
	}{
		{"language", func(a *Act) { a.Language = "en" }, "language"},
		{"no number", func(a *Act) { a.Number = " " }, "number"},
		{"no date", func(a *Act) { a.Date = time.Time{} }, "date"},
		{"currency", func(a *Act) { a.Currency = "GBP" }, "currency"},
		{"no contractor", func(a *Act) { a.Contractor.Name = "" }, "contractor.name"},
		{"bad customer INN", func(a *Act) { a.Customer.INN = "7707083894" }, "customer.inn"},
		{"bad KPP", func(a *Act) { a.Contractor.KPP = "12345" }, "contractor.kpp"},
		{"bad OGRN", func(a *Act) { a.Customer.OGRN = "1027700132196" }, "customer.ogrn"},
		{"bad EDRPOU", func(a *Act) { a.Customer.EDRPOU = "14360571" }, "customer.edrpou"},
		{"no lines", func(a *Act) { a.Lines = nil }, "lines"},
		{"too many lines", func(a *Act) { a.Lines = many }, "lines"},
		{"empty line name", func(a *Act) { a.Lines[2].Name = "  " }, "lines[2].name"},
		{"negative quantity", func(a *Act) { a.Lines[2].Quantity = "-1" }, "lines[2].quantity"},
		{"zero quantity", func(a *Act) { a.Lines[1].Quantity = "0.000" }, "lines[1].quantity"},
		{"text quantity", func(a *Act) { a.Lines[2].Quantity = "два" }, "lines[2].quantity"},
		{"empty quantity", func(a *Act) { a.Lines[0].Quantity = "" }, "lines[0].quantity"},
		{"exponent", func(a *Act) { a.Lines[0].Quantity = "1e3" }, "lines[0].quantity"},
		{"fraction", func(a *Act) { a.Lines[0].Quantity = "1/3" }, "lines[0].quantity"},
		{"trailing dot", func(a *Act) { a.Lines[0].Quantity = "1." }, "lines[0].quantity"},
		{"two separators", func(a *Act) { a.Lines[0].Quantity = "1.5.1" }, "lines[0].quantity"},
		{"seven decimals", func(a *Act) { a.Lines[0].Quantity = "0.0000001" }, "lines[0].quantity"},
		{"negative price", func(a *Act) { a.Lines[1].Price = -100 }, "lines[1].price"},
		{"VAT rate", func(a *Act) { a.Lines[1].VATRate = 18 }, "lines[1].vat_rate"},
		{"line too large", func(a *Act) { a.Lines[0].Quantity = "999999999999"; a.Lines[0].Price = 1 << 40 }, "lines[0].price"},
		{"total too large", func(a *Act) {
			a.Lines[0].Quantity, a.Lines[0].Price = "1", paraph.MaxAmount
			a.Lines[1].Quantity, a.Lines[1].Price = "1", 1
		}, "lines[1].price"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := MustAct(t, "ru")
			tt.change(a)
			err := a.Validate()
			e := paraph.AsError(err)
			if err == nil || e.Code != paraph.EINVALID || e.Field != tt.field {
				t.Fatalf("Validate = %v (field %q), want invalid %s", err, e.Field, tt.field)
			}
			if err := a.Render(&bytes.Buffer{}); err == nil {
				t.Fatal("Render accepted an invalid act")
			}
		})
	}
}

// render writes the act to a temp file and returns its path.
func render(tb testing.TB, a *Act) string {
	tb.Helper()
	var buf bytes.Buffer
	if err := a.Render(&buf); err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "act.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

func pdfText(tb testing.TB, path string, layout bool) string {
	tb.Helper()
	args := []string{"-enc", "UTF-8"}
	if layout {
		args = append(args, "-layout")
	}
	out, err := exec.Command(testtool.Need(tb, "pdftotext", "poppler-utils"), append(args, path, "-")...).Output()
	if err != nil {
		tb.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func pageCount(tb testing.TB, path string) int {
	tb.Helper()
	out, err := exec.Command(testtool.Need(tb, "pdfinfo", "poppler-utils"), path).Output()
	if err != nil {
		tb.Fatalf("pdfinfo: %v", err)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(out)
	if m == nil {
		tb.Fatalf("pdfinfo: no page count in %s", out)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// preview renders PNGs of the pages into $PARAPH_PDF_PREVIEW (e.g. /tmp) for
// a person to look at; without it, nothing is written.
func preview(tb testing.TB, path, name string) {
	tb.Helper()
	dir := os.Getenv("PARAPH_PDF_PREVIEW")
	if dir == "" {
		return
	}
	if out, err := exec.Command(testtool.Need(tb, "pdftoppm", "poppler-utils"), "-png", "-r", "60", path, filepath.Join(dir, name)).CombinedOutput(); err != nil {
		tb.Fatalf("pdftoppm: %v: %s", err, out)
	}
}

// squash joins pdftotext's lines so a wrapped phrase still matches.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestRenderText(t *testing.T) {
	for _, lang := range []string{"ru", "uk"} {
		t.Run(lang, func(t *testing.T) {
			a := MustAct(t, lang)
			path := render(t, a)
			preview(t, path, "act-"+lang)
			text := squash(pdfText(t, path, false))
			words, err := paraph.AmountInWords(a.Totals().Total, a.Currency, lang)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"Акт № 17", a.Contractor.Name, a.Customer.Name, words, a.Basis}
			for _, l := range a.Lines {
				want = append(want, l.Name)
			}
			if lang == "ru" {
				want = append(want, "от 15 марта 2026 г.", "ИНН 7736207543", "КПП 770401001", "ОГРН 1027700229193",
					"В т.ч. НДС 22%:", "Вышеперечисленные услуги выполнены полностью и в срок. Заказчик претензий по объёму, качеству и срокам оказания услуг не имеет.",
					"Генеральный директор", "/ Иванов И. И. /", "М.П.", "Стр. 1 из 1")
			} else {
				want = append(want, "від 15 березня 2026 р.", "ЄДРПОУ 14360570", "РНОКПП 3184710691", "У т.ч. ПДВ 20%:",
					"Вищезазначені послуги виконані повністю", "/ Єременко Ґ. І. /", "Стор. 1 з 1", "і", "ї", "є", "ґ", "Ґ", "Ї", "Є", "І")
			}
			for _, w := range want {
				if !strings.Contains(text, squash(w)) {
					t.Errorf("PDF text lacks %q\n%s", w, text)
				}
			}
		})
	}
}

func TestRenderNoVAT(t *testing.T) {
	a := MustAct(t, "ru")
	for i := range a.Lines {
		a.Lines[i].VATRate = NoVAT
	}
	a.Comment = "Оплата в течение 5 банковских дней с даты подписания акта."
	text := squash(pdfText(t, render(t, a), false))
	if !strings.Contains(text, "Без НДС") || strings.Contains(text, "В т.ч. НДС") {
		t.Errorf("an act without VAT must say Без НДС and nothing else:\n%s", text)
	}
	if !strings.Contains(text, "Примечание: "+a.Comment) {
		t.Errorf("the comment is missing:\n%s", text)
	}
}

// FuzzParseQuantity: whatever a user types, parsing does not panic, and an
// accepted quantity prints as a number that parses back to the same value.
func FuzzParseQuantity(f *testing.F) {
	for _, s := range []string{"1", "1.5", "0,125", "-1", "1e3", "1/3", "", " 2 ", "000.000100", "999999999999.999999", "1..2", "٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := parseQuantity(s)
		if err != nil {
			return
		}
		if q.units.Sign() <= 0 {
			t.Fatalf("parseQuantity(%q) accepted %s", s, q)
		}
		back, err := parseQuantity(q.String())
		if err != nil {
			t.Fatalf("parseQuantity(%q) = %s, which does not parse: %v", s, q, err)
		}
		if _, ok := lineAmount(q, 1); !ok {
			return
		}
		a, _ := lineAmount(q, 1000000)
		b, _ := lineAmount(back, 1000000)
		if a != b {
			t.Fatalf("%q and its printed form %q differ: %d vs %d", s, q, a, b)
		}
	})
}

func TestRenderLongPaginates(t *testing.T) {
	a := MustAct(t, "ru")
	a.Lines = nil
	for i := range 120 {
		name := fmt.Sprintf("Услуга номер %d", i+1)
		if i%7 == 0 { // some rows wrap to several lines
			name += ": консультация по настройке маршрутов подписания, сертификатов и машиночитаемых доверенностей"
		}
		a.Lines = append(a.Lines, Line{Name: name, Unit: "усл", Quantity: "1", Price: int64(1000 + i), VATRate: 22})
	}
	path := render(t, a)
	preview(t, path, "act-long")
	pages := pageCount(t, path)
	if pages < 3 {
		t.Fatalf("a 120-line act has %d pages, want at least 3", pages)
	}
	text := pdfText(t, path, false)
	byPage := strings.Split(strings.TrimRight(text, "\f"), "\f")
	if len(byPage) != pages {
		t.Fatalf("pdftotext gave %d pages, pdfinfo %d", len(byPage), pages)
	}
	// Every page that holds table rows starts them under the header.
	rows := 0
	for i, p := range byPage {
		n := len(regexp.MustCompile(`Услуга номер \d+`).FindAllString(p, -1))
		rows += n
		if n > 0 && !strings.Contains(p, "Наименование работ, услуг") {
			t.Errorf("page %d has %d rows but no table header", i+1, n)
		}
		if !strings.Contains(p, fmt.Sprintf("Стр. %d из %d", i+1, pages)) {
			t.Errorf("page %d lacks its number", i+1)
		}
	}
	if rows != 120 {
		t.Errorf("%d rows in the text, want 120", rows)
	}
	last := squash(byPage[len(byPage)-1])
	for _, w := range []string{"Итого:", "М.П.", "/ Петрова А. С. /"} {
		if !strings.Contains(last, w) {
			t.Errorf("last page lacks %q", w)
		}
	}
}

// TestRenderGolden keeps the text of a fixed act from drifting; refresh with
// go test ./internal/pdf -run Golden -update after a deliberate change.
func TestRenderGolden(t *testing.T) {
	for _, lang := range []string{"ru", "uk"} {
		t.Run(lang, func(t *testing.T) {
			a := MustAct(t, lang)
			checkGolden(t, "act-"+lang+".txt", pdfText(t, render(t, a), true))
		})
	}
}

// checkGolden compares a PDF's text with testdata/name; -update rewrites it.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("the text of %s changed (go test -update if deliberate)\n got:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestRenderDeterministic(t *testing.T) {
	a := MustAct(t, "uk")
	var b1, b2 bytes.Buffer
	if err := a.Render(&b1); err != nil {
		t.Fatal(err)
	}
	if err := a.Render(&b2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b1.Bytes(), b2.Bytes()) {
		t.Error("the same act rendered to different bytes")
	}
	if !bytes.HasPrefix(b1.Bytes(), []byte("%PDF-")) {
		t.Error("not a PDF")
	}
}
