package web

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"paraph"
)

func TestCatalogsMatch(t *testing.T) {
	cat, err := loadCatalogs(files)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range paraph.Languages {
		for key, s := range cat[lang] {
			if strings.TrimSpace(s) == "" {
				t.Errorf("%s: %s is empty", lang, key)
			}
			if _, ok := cat["en"][key]; !ok {
				t.Errorf("%s has %s, English does not", lang, key)
			}
		}
		for key := range cat["en"] {
			if _, ok := cat[lang][key]; !ok {
				t.Errorf("%s lacks %s", lang, key)
			}
		}
	}
	// Placeholders must survive translation.
	ph := regexp.MustCompile(`\{[a-z_]+\}`)
	for key, en := range cat["en"] {
		want := ph.FindAllString(en, -1)
		sort.Strings(want)
		for _, lang := range paraph.Languages {
			got := ph.FindAllString(cat[lang][key], -1)
			sort.Strings(got)
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("%s %s: placeholders %v, English has %v", lang, key, got, want)
			}
		}
	}
}

// TestEveryReasonTranslated reads the Go source of the layers whose errors
// reach the pages and fails when a reason has no translation, so a new
// reason cannot ship in English only — including reasons built at run time
// (see reasonScanner).
func TestEveryReasonTranslated(t *testing.T) {
	cat, err := loadCatalogs(files)
	if err != nil {
		t.Fatal(err)
	}
	scan := newReasonScanner(t, "../..", "../core", "../store")
	for _, u := range scan.unresolved {
		t.Errorf("cannot tell which reasons this builds: %s (teach reason_scan_test.go, or build the reason from literals)", u)
	}
	seen := scan.reasons
	if len(seen) < 20 {
		t.Fatalf("found only %d reasons; has the source moved?", len(seen))
	}
	for reason := range seen {
		for _, lang := range paraph.Languages {
			if _, ok := cat[lang]["reason."+reason]; !ok {
				t.Errorf("reason %q has no %s translation (add reason.%s to i18n/%s.json)", reason, lang, reason, lang)
			}
		}
	}
}

func TestErrorText(t *testing.T) {
	cat, err := loadCatalogs(files)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		err  error
		lang string
		want string
	}{
		{"by reason", paraph.Invalid("password", "weak_password_short", "x"), "uk", "Пароль має містити щонайменше 10 символів."},
		{"unknown reason falls back to the message", &paraph.Error{Code: paraph.EINVALID, Reason: "brand_new", Message: "Brand new rule."}, "ru", "Brand new rule."},
		{"no message: by code", &paraph.Error{Code: paraph.EFORBIDDEN}, "en", "You are not allowed to do this."},
		{"internal never leaks", paraph.Internal(os.ErrPermission), "en", "Something went wrong on our side. Try again later."},
	}
	for _, tt := range tests {
		if got := cat.errorText(tt.lang, tt.err); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestLocalPath(t *testing.T) {
	tests := map[string]string{
		"/profile": "/profile", "/profile?x=1#a": "/profile?x=1#a", "": "", "profile": "",
		"//evil.example": "", "/\\evil.example": "", "https://evil.example/": "", "http://app.example/x": "/x",
		"/a\r\nb": "", "javascript:alert(1)": "", "/%2F%2Fevil": "/%2F%2Fevil",
	}
	for in, want := range tests {
		if got := localPath(in, "http://app.example"); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}
