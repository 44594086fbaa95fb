package paraph

import (
	_ "embed"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Account is a person who can log in. A login is an email or a phone number
// (E.164); an account may have both. A pending account has not confirmed its
// login yet and cannot log in.
type Account struct {
	ID       string
	FullName string
	Email    string // lower-cased; "" when none
	Phone    string // E.164; "" when none
	Language string // "ru", "uk" or "en"
	Status   string // AccountPending or AccountActive
	INN      string // the person's INN (12 digits), "" when unknown
	SNILS    string // 11 digits, "" when unknown
	// InstanceAdmin manages instance-wide settings (trusted roots); it is
	// granted from the command line, never through the web or the API.
	InstanceAdmin bool
	CreatedAt     time.Time
	ConfirmedAt   time.Time
}

const (
	AccountPending = "pending"
	AccountActive  = "active"
)

// Login returns the address the account signs in with: its email, else its phone.
func (a *Account) Login() string {
	if a.Email != "" {
		return a.Email
	}
	return a.Phone
}

// Languages the UI and the messages speak; the first is the default.
var Languages = []string{"ru", "uk", "en"}

// NormalizeLanguage returns lang when Paraph speaks it, else "".
func NormalizeLanguage(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	for _, l := range Languages {
		if lang == l {
			return l
		}
	}
	return ""
}

// LoginKind tells whether a normalized login is an email or a phone.
type LoginKind string

const (
	LoginEmail LoginKind = "email"
	LoginPhone LoginKind = "phone"
)

// NormalizeLogin turns what a person typed as a login into its canonical form:
// a lower-cased email address, or a phone number in E.164.
func NormalizeLogin(s string) (string, LoginKind, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "", Invalid("login", "login_required", "Enter an email or a phone number.")
	}
	if strings.Contains(s, "@") {
		e, err := NormalizeEmail(s)
		if err != nil {
			return "", "", withField(err, "login")
		}
		return e, LoginEmail, nil
	}
	p, err := NormalizePhone(s)
	if err != nil {
		return "", "", withField(err, "login")
	}
	return p, LoginPhone, nil
}

// NormalizeEmail checks a bare email address and lower-cases it.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	bad := Invalid("email", "invalid_email", "This is not a valid email address.")
	if len(s) > 254 || strings.ContainsAny(s, " <>\"") {
		return "", bad
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Name != "" || addr.Address != s {
		return "", bad
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	if at < 1 || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", bad
	}
	return strings.ToLower(s), nil
}

// NormalizePhone accepts Russian, Ukrainian and Belarusian numbers in their
// usual written forms ("8 (912) 345-67-89", "067 123 45 67", "8 029 123-45-67")
// and any number written internationally with a leading "+", and returns E.164.
func NormalizePhone(s string) (string, error) {
	bad := Invalid("phone", "invalid_phone", "This is not a valid phone number.")
	plus := false
	var digits []byte
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case r == '+' && i == 0:
			plus = true
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.' || r == '\u00a0':
		default:
			return "", bad
		}
	}
	d := string(digits)
	n := len(d)
	switch {
	case plus:
		if strings.HasPrefix(d, "00") {
			return "", bad
		}
	case n == 11 && strings.HasPrefix(d, "80"): // Belarus, domestic: 8 0XX XXX-XX-XX
		d = "375" + d[2:]
	case n == 11 && (d[0] == '8' || d[0] == '7'): // Russia: 8 or 7, then ten digits
		d = "7" + d[1:]
	case n == 10 && d[0] == '0': // Ukraine, domestic: 0XX XXX XX XX
		d = "38" + d
	case n == 10 && d[0] == '9': // Russian mobile written without the trunk prefix
		d = "7" + d
	case n == 12 && (strings.HasPrefix(d, "380") || strings.HasPrefix(d, "375")):
	default:
		return "", bad
	}
	// Country-specific lengths for the three countries we know well; E.164
	// bounds for everyone else.
	switch {
	case strings.HasPrefix(d, "7"):
		if len(d) != 11 || d[1] == '0' {
			return "", bad
		}
	case strings.HasPrefix(d, "380"), strings.HasPrefix(d, "375"):
		if len(d) != 12 {
			return "", bad
		}
	case d == "" || d[0] == '0' || len(d) < 8 || len(d) > 15:
		return "", bad
	}
	return "+" + d, nil
}

// NormalizeFullName trims a person's name and checks its length and characters.
func NormalizeFullName(s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "", Invalid("full_name", "name_required", "Enter your full name.")
	}
	if utf8.RuneCountInString(s) > 200 {
		return "", Invalid("full_name", "name_too_long", "The name is too long (200 characters at most).")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", Invalid("full_name", "name_invalid", "The name has characters that are not allowed.")
		}
	}
	return s, nil
}

// Password rules.
const (
	PasswordMinLength = 10
	PasswordMaxLength = 256 // bounds the hashing work an attacker can ask for
)

//go:embed common_passwords.txt
var commonPasswordList string

var commonPasswords = func() map[string]bool {
	m := make(map[string]bool)
	for _, line := range strings.Split(commonPasswordList, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
}()

// CheckPassword refuses passwords that are too short, too long, common, or the
// same as the login.
func CheckPassword(password, login string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < PasswordMinLength:
		return Invalid("password", "weak_password_short", "The password must be at least 10 characters long.")
	case len(password) > PasswordMaxLength:
		return Invalid("password", "password_too_long", "The password is too long (256 bytes at most).")
	case commonPasswords[strings.ToLower(password)] || isRepetitive(password):
		return Invalid("password", "weak_password_common", "This password is too common; choose another.")
	case login != "" && strings.EqualFold(password, login):
		return Invalid("password", "weak_password_login", "The password must not be the same as the login.")
	}
	return nil
}

// isRepetitive catches "aaaaaaaaaa" and "abababab…": fewer than 4 distinct characters.
func isRepetitive(s string) bool {
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	return len(seen) < 4
}
