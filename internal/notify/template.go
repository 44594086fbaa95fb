package notify

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"text/template"
)

// Kind names a message template.
type Kind string

// Template kinds; more are added by later features.
const (
	KindConfirmCode     Kind = "confirm_code"      // data: name, code, minutes
	KindResetCode       Kind = "reset_code"        // data: name, code, minutes
	KindLoginChangeCode Kind = "login_change_code" // data: name, code, minutes
	KindPasswordChanged Kind = "password_changed"  // data: name, when
	KindMemberInvited   Kind = "member_invited"    // data: name, org, inviter, link, days
	KindMemberAdded     Kind = "member_added"      // data: name, org, inviter, link
	// data: name, holder, org, subject, serial, days, date, link
	KindCertificateExpiring Kind = "certificate_expiring"
	KindDocumentToSign      Kind = "document_to_sign"   // data: name, org, title, link
	KindDocumentDeclined    Kind = "document_declined"  // data: name, title, who, comment, link
	KindSigningLink         Kind = "signing_link"       // data: name, org, title, link, days
	KindDocumentCompleted   Kind = "document_completed" // data: name, org, title, link, attached ("yes" or "")
)

// Kinds lists every template kind; a test checks each exists in every
// language and channel. Add new kinds here.
func Kinds() []Kind {
	return []Kind{KindConfirmCode, KindResetCode, KindLoginChangeCode, KindPasswordChanged, KindMemberInvited, KindMemberAdded, KindCertificateExpiring, KindDocumentToSign, KindDocumentDeclined, KindSigningLink, KindDocumentCompleted}
}

// Data holds the values a template fills in. Values are preformatted text
// (a date arrives formatted for the reader's language and time zone).
type Data map[string]string

//go:embed templates
var templateFS embed.FS

// languages are the ones templates exist for; the first is the fallback.
func languages() []string { return []string{"ru", "uk", "en"} }

// language maps a requested language ("uk", "uk-UA", "EN_us") to one with
// templates, falling back to Russian, the language most users read.
func language(lang string) string {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(lang)), "-")
	base, _, _ = strings.Cut(base, "_")
	if base == "ua" { // a common mistake for the Ukrainian language code
		base = "uk"
	}
	for _, l := range languages() {
		if base == l {
			return l
		}
	}
	return languages()[0]
}

// Render returns the message text in the language ("ru", "uk", "en"; anything
// else falls back to "ru"). For SMS the subject is empty and the body fits one
// SMS segment where possible. A key the template uses but data lacks is an
// error.
func Render(kind Kind, ch Channel, lang string, data Data) (subject, body string, err error) {
	if ch != Email && ch != SMS {
		return "", "", fmt.Errorf("notify: render %s: unknown channel %q", kind, ch)
	}
	lang = language(lang)
	name := fmt.Sprintf("templates/%s/%s.%s.tmpl", lang, kind, ch)
	src, err := fs.ReadFile(templateFS, name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", "", fmt.Errorf("notify: render: no template for kind %q (%s, %s)", kind, lang, ch)
		}
		return "", "", fmt.Errorf("notify: render %s: %w", name, err)
	}
	tmpl, err := template.New(name).
		Option("missingkey=error").
		Funcs(template.FuncMap{"plural": pluralFunc(lang)}).
		Parse(string(src))
	if err != nil {
		return "", "", fmt.Errorf("notify: render: parse %s: %w", name, err)
	}
	if data == nil {
		data = Data{} // a nil map would let missing keys pass as "<no value>"
	}
	var out bytes.Buffer
	if err := tmpl.Execute(&out, map[string]string(data)); err != nil {
		return "", "", fmt.Errorf("notify: render %s: %w", name, err)
	}
	text := out.String()
	if ch == SMS {
		return "", strings.TrimSpace(text), nil
	}
	return splitEmail(name, text)
}

// splitEmail separates the "Subject: …" line from the body of a rendered
// email template.
func splitEmail(name, text string) (subject, body string, err error) {
	first, rest, ok := strings.Cut(text, "\n")
	subject, hasPrefix := strings.CutPrefix(first, "Subject: ")
	if !ok || !hasPrefix {
		return "", "", fmt.Errorf("notify: render %s: first line must be \"Subject: …\"", name)
	}
	rest, ok = strings.CutPrefix(rest, "\n")
	if !ok {
		return "", "", fmt.Errorf("notify: render %s: an empty line must follow the subject", name)
	}
	subject = strings.TrimSpace(subject)
	if subject == "" {
		return "", "", fmt.Errorf("notify: render %s: empty subject", name)
	}
	body = strings.TrimSpace(rest)
	if body == "" {
		return "", "", fmt.Errorf("notify: render %s: empty body", name)
	}
	return subject, body + "\n", nil
}

// pluralFunc returns the template function "plural": the number followed by
// the word form the language's rules pick for it. Russian and Ukrainian take
// three forms (1 минуту, 2 минуты, 5 минут), English two.
func pluralFunc(lang string) func(n string, forms ...string) (string, error) {
	return func(n string, forms ...string) (string, error) {
		n = strings.TrimSpace(n)
		v, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			return "", fmt.Errorf("plural: %q is not a whole number", n)
		}
		if v < 0 {
			v = -v
		}
		var i int
		switch lang {
		case "en":
			if len(forms) != 2 {
				return "", fmt.Errorf("plural: English needs 2 forms, got %d", len(forms))
			}
			if v != 1 {
				i = 1
			}
		default: // ru, uk
			if len(forms) != 3 {
				return "", fmt.Errorf("plural: %s needs 3 forms, got %d", lang, len(forms))
			}
			switch d, dd := v%10, v%100; {
			case d == 1 && dd != 11:
				i = 0
			case d >= 2 && d <= 4 && (dd < 12 || dd > 14):
				i = 1
			default:
				i = 2
			}
		}
		return n + " " + forms[i], nil
	}
}
