package paraph_test

import (
	"testing"

	"paraph"
)

func TestNormalizePhone(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"8 (912) 345-67-89", "+79123456789"},
		{"+7 912 345 67 89", "+79123456789"},
		{"79123456789", "+79123456789"},
		{"9123456789", "+79123456789"},
		{"8 495 123-45-67", "+74951234567"},
		{"067 123 45 67", "+380671234567"},
		{"+380 (67) 123-45-67", "+380671234567"},
		{"380671234567", "+380671234567"},
		{"8 029 123-45-67", "+375291234567"},
		{"+375 29 123 45 67", "+375291234567"},
		{"375291234567", "+375291234567"},
		{"+49 30 1234567", "+49301234567"},
		{"+1 (415) 555-0100", "+14155550100"},
		{"12345", ""},
		{"+7 912 345 67", ""},        // too short for Russia
		{"+7 012 345 67 89", ""},     // no Russian number starts with 0
		{"+380 67 123 45 6", ""},     // Ukraine needs 9 digits after 380
		{"8 912 345 67 89 0", ""},    // too long
		{"+7 912 345 67 89 ext", ""}, // letters
		{"0012025550100", ""},        // 00 is not how we take international numbers
		{"", ""},
	} {
		got, err := paraph.NormalizePhone(c.in)
		if c.want == "" {
			if err == nil {
				t.Errorf("%q: accepted as %q, want an error", c.in, got)
			} else if paraph.ErrorReason(err) != "invalid_phone" {
				t.Errorf("%q: reason %q", c.in, paraph.ErrorReason(err))
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q: got %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestNormalizeLogin(t *testing.T) {
	for _, c := range []struct {
		in, want string
		kind     paraph.LoginKind
		reason   string
	}{
		{" Anna.Petrova@Example.RU ", "anna.petrova@example.ru", paraph.LoginEmail, ""},
		{"олена@приклад.укр", "олена@приклад.укр", paraph.LoginEmail, ""},
		{"8-916-555-12-34", "+79165551234", paraph.LoginPhone, ""},
		{"anna@", "", "", "invalid_email"},
		{"Anna <anna@example.com>", "", "", "invalid_email"},
		{"anna@localhost", "", "", "invalid_email"},
		{"a b@example.com", "", "", "invalid_email"},
		{"", "", "", "login_required"},
		{"not a phone", "", "", "invalid_phone"},
	} {
		got, kind, err := paraph.NormalizeLogin(c.in)
		if c.reason != "" {
			if paraph.ErrorReason(err) != c.reason {
				t.Errorf("%q: got %q, %v; want reason %s", c.in, got, err, c.reason)
			}
			var e *paraph.Error
			if e = paraph.AsError(err); e.Field != "login" {
				t.Errorf("%q: field %q, want login", c.in, e.Field)
			}
			continue
		}
		if err != nil || got != c.want || kind != c.kind {
			t.Errorf("%q: got %q %s %v; want %q %s", c.in, got, kind, err, c.want, c.kind)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	for _, c := range []struct{ pw, login, reason string }{
		{"correct horse battery", "a@example.com", ""},
		{"Пароль-длинный-2026", "a@example.com", ""},
		{"short", "", "weak_password_short"},
		{"ёжикёжик1", "", "weak_password_short"}, // 9 runes, 17 bytes: counted in characters
		{"1234567890", "", "weak_password_common"},
		{"QWERTYUIOP", "", "weak_password_common"},
		{"йцукенгшщз", "", "weak_password_common"},
		{"aaaaaaaaaaaa", "", "weak_password_common"},
		{"abababababab", "", "weak_password_common"},
		{"anna@example.com", "Anna@example.com", "weak_password_login"},
		{string(make([]byte, 300)) + "x", "", "password_too_long"},
	} {
		err := paraph.CheckPassword(c.pw, c.login)
		if got := paraph.ErrorReason(err); got != c.reason {
			t.Errorf("%.20q: reason %q, want %q", c.pw, got, c.reason)
		}
	}
}
