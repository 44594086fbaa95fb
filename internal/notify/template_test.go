package notify

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current templates")

// sampleData is fixed input for golden files: every key any kind uses.
func sampleData() Data {
	return Data{"name": "Анна Петрова", "code": "123456", "minutes": "10", "when": "12.03.2026 14:05 (UTC+3)",
		"org": "ООО «Ромашка»", "inviter": "Иван Смирнов", "link": "https://paraph.example.com/invite/ppi_abc", "days": "7",
		"holder": "Олена Коваленко", "title": "Акт № 17 от 23.11.2026", "who": "Иван Смирнов", "comment": "Неверная сумма", "subject": "Коваленко Олена Іванівна", "serial": "01AB23CD", "date": "30.12.2026", "attached": "yes"}
}

func TestEveryKindInEveryLanguageAndChannel(t *testing.T) {
	for _, lang := range languages() {
		for _, kind := range Kinds() {
			for _, ch := range []Channel{Email, SMS} {
				name := fmt.Sprintf("templates/%s/%s.%s.tmpl", lang, kind, ch)
				if _, err := fs.Stat(templateFS, name); err != nil {
					t.Errorf("missing template %s", name)
					continue
				}
				subject, body, err := Render(kind, ch, lang, sampleData())
				if err != nil {
					t.Errorf("Render(%s, %s, %s): %v", kind, ch, lang, err)
					continue
				}
				if ch == Email && subject == "" {
					t.Errorf("%s: empty subject", name)
				}
				if ch == SMS && subject != "" {
					t.Errorf("%s: SMS has a subject %q", name, subject)
				}
				if !strings.Contains(body, "Paraph") {
					t.Errorf("%s: body does not say it is from Paraph:\n%s", name, body)
				}
			}
		}
	}
}

// Every template file must belong to a known kind, so a renamed kind does not
// leave a dead template behind.
func TestNoOrphanTemplates(t *testing.T) {
	known := map[string]bool{}
	for _, lang := range languages() {
		for _, kind := range Kinds() {
			for _, ch := range []Channel{Email, SMS} {
				known[fmt.Sprintf("templates/%s/%s.%s.tmpl", lang, kind, ch)] = true
			}
		}
	}
	err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && !known[path] {
			t.Errorf("template %s matches no kind, language and channel", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCodeMessagesSayWhatMatters(t *testing.T) {
	codeKinds := []Kind{KindConfirmCode, KindResetCode, KindLoginChangeCode}
	for _, lang := range languages() {
		for _, kind := range codeKinds {
			_, body, err := Render(kind, Email, lang, sampleData())
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"Анна Петрова", "123456", "10 ", "— Paraph"} {
				if !strings.Contains(body, want) {
					t.Errorf("%s/%s email lacks %q:\n%s", lang, kind, want, body)
				}
			}
			_, sms, err := Render(kind, SMS, lang, sampleData())
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(sms, "123456") || !strings.Contains(sms, "10") {
				t.Errorf("%s/%s SMS lacks the code or its lifetime: %q", lang, kind, sms)
			}
		}
	}
}

// One SMS segment holds 160 GSM-7 characters, or 70 when any character
// needs UCS-2 (all Cyrillic does). Messages with a code fit one; those with
// a link may not, and are checked against two (67 per part when joined).
func TestSMSFitsOneSegment(t *testing.T) {
	data := sampleData()
	data["code"] = "12345678" // longer than any code we send
	for _, lang := range languages() {
		for _, kind := range Kinds() {
			segments := 1
			if kind == KindMemberInvited || kind == KindMemberAdded || kind == KindCertificateExpiring || kind == KindDocumentToSign || kind == KindDocumentDeclined || kind == KindSigningLink || kind == KindDocumentCompleted {
				segments = 2
			}
			_, body, err := Render(kind, SMS, lang, data)
			if err != nil {
				t.Fatal(err)
			}
			limit := map[int]int{1: 160, 2: 306}[segments]
			for _, r := range body {
				if r >= 0x80 {
					limit = map[int]int{1: 70, 2: 134}[segments]
					break
				}
			}
			if n := utf8.RuneCountInString(body); n > limit {
				t.Errorf("%s/%s SMS is %d characters, over %d: %q", lang, kind, n, limit, body)
			}
		}
	}
}

func TestRenderMissingKeyIsError(t *testing.T) {
	for _, ch := range []Channel{Email, SMS} {
		_, _, err := Render(KindConfirmCode, ch, "en", Data{"name": "Ann", "minutes": "10"})
		if err == nil || !strings.Contains(err.Error(), "code") {
			t.Errorf("%s: want an error naming the missing key, got %v", ch, err)
		}
		if _, _, err := Render(KindConfirmCode, ch, "en", nil); err == nil {
			t.Errorf("%s: nil data: want an error", ch)
		}
	}
}

func TestRenderErrors(t *testing.T) {
	if _, _, err := Render("no_such_kind", Email, "ru", sampleData()); err == nil {
		t.Error("unknown kind: want an error")
	}
	if _, _, err := Render(KindConfirmCode, "pigeon", "ru", sampleData()); err == nil {
		t.Error("unknown channel: want an error")
	}
	data := sampleData()
	data["minutes"] = "ten"
	if _, _, err := Render(KindConfirmCode, Email, "ru", data); err == nil {
		t.Error("minutes not a number: want an error")
	}
}

func TestRenderEmptyNameDropsTheComma(t *testing.T) {
	data := sampleData()
	data["name"] = ""
	_, body, err := Render(KindConfirmCode, Email, "ru", data)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(body, "Здравствуйте!\n") {
		t.Errorf("greeting without a name: got %q", strings.SplitN(body, "\n", 2)[0])
	}
}

func TestLanguageFallback(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ru", "ru"}, {"uk", "uk"}, {"en", "en"},
		{"uk-UA", "uk"}, {"EN_us", "en"}, {"ua", "uk"},
		{"", "ru"}, {"be", "ru"}, {"de", "ru"}, {"  en ", "en"},
	}
	for _, tt := range tests {
		if got := language(tt.in); got != tt.want {
			t.Errorf("language(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	_, ruBody, _ := Render(KindConfirmCode, SMS, "ru", sampleData())
	_, deBody, _ := Render(KindConfirmCode, SMS, "de", sampleData())
	if ruBody != deBody {
		t.Errorf("unknown language should render Russian: %q vs %q", deBody, ruBody)
	}
}

func TestPlural(t *testing.T) {
	ru := pluralFunc("ru")
	en := pluralFunc("en")
	tests := []struct {
		n, ru, en string
	}{
		{"1", "1 минуту", "1 minute"},
		{"2", "2 минуты", "2 minutes"},
		{"5", "5 минут", "5 minutes"},
		{"10", "10 минут", "10 minutes"},
		{"11", "11 минут", "11 minutes"},
		{"12", "12 минут", "12 minutes"},
		{"21", "21 минуту", "21 minutes"},
		{"22", "22 минуты", "22 minutes"},
		{"111", "111 минут", "111 minutes"},
		{"0", "0 минут", "0 minutes"},
	}
	for _, tt := range tests {
		if got, err := ru(tt.n, "минуту", "минуты", "минут"); err != nil || got != tt.ru {
			t.Errorf("ru plural(%s) = %q, %v; want %q", tt.n, got, err, tt.ru)
		}
		if got, err := en(tt.n, "minute", "minutes"); err != nil || got != tt.en {
			t.Errorf("en plural(%s) = %q, %v; want %q", tt.n, got, err, tt.en)
		}
	}
	if _, err := ru("1", "a", "b"); err == nil {
		t.Error("ru with 2 forms: want an error")
	}
}

// Golden files pin the exact text users receive; refresh them with
// go test ./internal/notify -update and review the diff.
func TestGolden(t *testing.T) {
	dir := filepath.Join("testdata", "golden")
	want := map[string]bool{}
	for _, lang := range languages() {
		for _, kind := range Kinds() {
			for _, ch := range []Channel{Email, SMS} {
				subject, body, err := Render(kind, ch, lang, sampleData())
				if err != nil {
					t.Fatal(err)
				}
				got := body
				if ch == Email {
					got = "Subject: " + subject + "\n\n" + body
				} else {
					got += "\n"
				}
				file := fmt.Sprintf("%s_%s_%s.txt", lang, kind, ch)
				want[file] = true
				path := filepath.Join(dir, file)
				if *update {
					if err := os.MkdirAll(dir, 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				golden, err := os.ReadFile(path)
				if err != nil {
					t.Errorf("%v (run go test ./internal/notify -update)", err)
					continue
				}
				if string(golden) != got {
					t.Errorf("%s differs from the rendered text (run with -update if the change is intended)\n--- golden\n%s\n--- got\n%s", path, golden, got)
				}
			}
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var stale []string
	for _, e := range entries {
		if !want[e.Name()] {
			stale = append(stale, e.Name())
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Errorf("stale golden files in %s: %v", dir, stale)
	}
}
