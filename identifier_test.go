package paraph_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"paraph"
)

// The oracles below compute check digits a second time, written apart from
// identifier.go and straight from the published algorithms, so a slip in one
// shows up as a disagreement with the other.

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func dot(s string, weights ...int) int {
	sum := 0
	for i, w := range weights {
		sum += int(s[i]-'0') * w
	}
	return sum
}

func innOK(s string) bool {
	if !allDigits(s) {
		return false
	}
	switch len(s) {
	case 10:
		return dot(s, 2, 4, 10, 3, 5, 9, 4, 6, 8)%11%10 == int(s[9]-'0')
	case 12:
		return dot(s, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)%11%10 == int(s[10]-'0') &&
			dot(s, 3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)%11%10 == int(s[11]-'0')
	}
	return false
}

func ogrnOK(s string) bool {
	if len(s) != 13 || !allDigits(s) || !strings.ContainsAny(s[:1], "15") {
		return false
	}
	v, _ := strconv.ParseUint(s[:12], 10, 64)
	return strconv.FormatUint(v%11%10, 10) == s[12:]
}

func ogrnipOK(s string) bool {
	if len(s) != 15 || !allDigits(s) || s[0] != '3' {
		return false
	}
	v, _ := strconv.ParseUint(s[:14], 10, 64)
	return strconv.FormatUint(v%13%10, 10) == s[14:]
}

func snilsOK(s string) bool {
	if len(s) != 11 || !allDigits(s) {
		return false
	}
	if v, _ := strconv.Atoi(s[:9]); v <= 1001998 {
		return true
	}
	sum := dot(s, 9, 8, 7, 6, 5, 4, 3, 2, 1)
	var c int
	switch {
	case sum < 100:
		c = sum
	case sum == 100 || sum == 101:
		c = 0
	default:
		c = sum % 101
		if c == 100 {
			c = 0
		}
	}
	return fmt.Sprintf("%02d", c) == s[9:]
}

func edrpouOK(s string) bool {
	if len(s) != 8 || !allDigits(s) {
		return false
	}
	w := []int{1, 2, 3, 4, 5, 6, 7}
	if s >= "30000000" && s <= "60000000" {
		w = []int{7, 1, 2, 3, 4, 5, 6}
	}
	c := dot(s, w...) % 11
	if c == 10 {
		for i := range w {
			w[i] += 2
		}
		c = dot(s, w...) % 11
		if c == 10 {
			c = 0
		}
	}
	return c == int(s[7]-'0')
}

func rnokppOK(s string) bool {
	if len(s) != 10 || !allDigits(s) {
		return false
	}
	c := dot(s, -1, 5, 7, 9, 4, 6, 10, 5, 7) % 11
	if c < 0 {
		c += 11
	}
	return c%10 == int(s[9]-'0')
}

// unpOK takes the canonical (Latin, capital) form.
func unpOK(s string) bool {
	if len(s) != 9 || !allDigits(s[2:]) {
		return false
	}
	var a, b int
	switch {
	case strings.ContainsAny(s[:1], "1234567") && allDigits(s[1:2]):
		a, b = int(s[0]-'0'), int(s[1]-'0')
	case strings.ContainsAny(s[:1], "ABCEHKM") && strings.ContainsAny(s[1:2], "ABCEHKMOPT"):
		v, _ := strconv.ParseInt(s[:1], 36, 64)
		a, b = int(v), strings.Index("ABCEHKMOPT", s[1:2])
	default:
		return false
	}
	sum := a*29 + b*23 + dot(s[2:], 19, 17, 13, 7, 5, 3)
	return sum%11 == int(s[8]-'0')
}

// complete appends the check digits that make body valid, trying each
// candidate against the oracle; ok is false when no ending is valid (a UNP
// whose remainder is 10 is never issued).
func complete(body string, n int, valid func(string) bool) (string, bool) {
	width := n - len(body)
	limit := 1
	for range width {
		limit *= 10
	}
	for c := range limit {
		if s := body + fmt.Sprintf("%0*d", width, c); valid(s) {
			return s, true
		}
	}
	return "", false
}

type identifierKind struct {
	name   string // the Field and the reason infix
	check  func(string) error
	valid  func(string) bool
	length int
	body   func(r *rand.Rand) string // a random body without check digits
}

func randomDigits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

var identifierKinds = []identifierKind{
	{"inn", paraph.CheckINNLegal, innOK, 10, func(r *rand.Rand) string { return randomDigits(r, 9) }},
	{"inn", paraph.CheckINNPerson, innOK, 12, func(r *rand.Rand) string { return randomDigits(r, 10) }},
	{"inn", paraph.CheckINN, innOK, 10, func(r *rand.Rand) string { return randomDigits(r, 9) }},
	{"inn", paraph.CheckINN, innOK, 12, func(r *rand.Rand) string { return randomDigits(r, 10) }},
	{"ogrn", paraph.CheckOGRN, ogrnOK, 13, func(r *rand.Rand) string { return string("15"[r.IntN(2)]) + randomDigits(r, 11) }},
	{"ogrnip", paraph.CheckOGRNIP, ogrnipOK, 15, func(r *rand.Rand) string { return "3" + randomDigits(r, 13) }},
	{"snils", paraph.CheckSNILS, snilsOK, 11, func(r *rand.Rand) string { return strconv.Itoa(1001999 + r.IntN(998998000)) }},
	{"edrpou", paraph.CheckEDRPOU, edrpouOK, 8, func(r *rand.Rand) string { return randomDigits(r, 7) }},
	{"rnokpp", paraph.CheckRNOKPP, rnokppOK, 10, func(r *rand.Rand) string { return randomDigits(r, 9) }},
	{"unp", paraph.CheckUNP, unpOK, 9, func(r *rand.Rand) string { return string("1234567"[r.IntN(7)]) + randomDigits(r, 7) }},
	{"unp", paraph.CheckUNP, unpOK, 9, func(r *rand.Rand) string {
		return string("ABCEHKM"[r.IntN(7)]) + string("ABCEHKMOPT"[r.IntN(10)]) + randomDigits(r, 6)
	}},
}

// TestIdentifiersGenerated makes valid numbers from random bodies, checks
// they pass, and checks every single-character change against the oracle.
// Not every change can be caught: "mod 11, mod 10" folds a remainder of 10
// onto 0 (and SNILS folds 100 onto 00), so a change that moves the remainder
// between them keeps the same check digit. What must hold is that Check and
// the oracle agree on every change, that a changed check digit is always
// caught, and that nearly all changes are.
func TestIdentifiersGenerated(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 2026))
	for _, k := range identifierKinds {
		caught, changes := 0, 0
		for made := 0; made < 300; {
			body := k.body(r)
			if len(body) < k.length-2 { // SNILS bodies may need zero padding
				body = strings.Repeat("0", 9-len(body)) + body
			}
			s, ok := complete(body, k.length, k.valid)
			if !ok {
				continue
			}
			made++
			if err := k.check(s); err != nil {
				t.Fatalf("%s %s: %v", k.name, s, err)
			}
			if err := k.check(" " + s + "\t"); err != nil {
				t.Fatalf("%s %q: surrounding spaces not trimmed: %v", k.name, " "+s+"\t", err)
			}
			for i := range len(s) {
				for _, c := range "0123456789ABCEHKMOPT" {
					if byte(c) == s[i] {
						continue
					}
					m := s[:i] + string(c) + s[i+1:]
					err := k.check(m)
					if (err == nil) != k.valid(m) {
						t.Fatalf("%s %s → %s: check says %v, oracle says valid=%v", k.name, s, m, err, k.valid(m))
					}
					if c > '9' && !(k.name == "unp" && i < 2) {
						continue // letters where only digits go: a format error, not a detection
					}
					changes++
					if err == nil {
						continue
					}
					caught++
					if want := "invalid_" + k.name + "_"; !strings.HasPrefix(paraph.ErrorReason(err), want) {
						t.Fatalf("%s %s: reason %q", k.name, m, paraph.ErrorReason(err))
					}
					if i >= k.length-checkDigits(k.name) && paraph.ErrorReason(err) != "invalid_"+k.name+"_checksum" {
						t.Fatalf("%s %s: changed check digit gives %q", k.name, m, paraph.ErrorReason(err))
					}
				}
			}
		}
		if rate := float64(caught) / float64(changes); rate < 0.85 {
			t.Errorf("%s/%d: only %.1f%% of single changes caught", k.name, k.length, 100*rate)
		}
	}
}

func checkDigits(name string) int {
	if name == "snils" {
		return 2
	}
	return 1
}

// Single check digits are always determined by the body, so changing one is
// always caught; this pins that for a few thousand numbers of each kind.
func TestIdentifiersCheckDigitChange(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for _, k := range identifierKinds {
		for range 2000 {
			body := k.body(r)
			if len(body) < k.length-2 {
				body = strings.Repeat("0", 9-len(body)) + body
			}
			s, ok := complete(body, k.length, k.valid)
			if !ok {
				continue
			}
			last := s[len(s)-1]
			for c := byte('0'); c <= '9'; c++ {
				if c != last && k.check(s[:len(s)-1]+string(c)) == nil {
					t.Fatalf("%s %s: last digit changed to %c still passes", k.name, s, c)
				}
			}
		}
	}
}

func TestIdentifiersKnown(t *testing.T) {
	for _, c := range []struct {
		name   string
		check  func(string) error
		in     string
		reason string // "" for valid
	}{
		// Public identifiers of real organizations, and documentation examples.
		{"inn", paraph.CheckINN, "7707083893", ""}, // Sberbank
		{"inn", paraph.CheckINNLegal, " 7707083893 ", ""},
		{"inn", paraph.CheckINNPerson, "7707083893", "invalid_inn_format"},
		{"inn", paraph.CheckINN, "7707083894", "invalid_inn_checksum"},
		{"inn", paraph.CheckINN, "500100732259", ""}, // the FNS sample of a person's INN
		{"inn", paraph.CheckINNPerson, "500100732259", ""},
		{"inn", paraph.CheckINNLegal, "500100732259", "invalid_inn_format"},
		{"inn", paraph.CheckINN, "500100732269", "invalid_inn_checksum"}, // 11th wrong
		{"inn", paraph.CheckINN, "500100732258", "invalid_inn_checksum"}, // 12th wrong
		{"inn", paraph.CheckINN, "77070838931", "invalid_inn_format"},
		{"inn", paraph.CheckINN, "77070838 93", "invalid_inn_format"},
		{"inn", paraph.CheckINN, "７７０７０８３８９３", "invalid_inn_format"}, // full-width digits
		{"inn", paraph.CheckINN, "", "invalid_inn_format"},
		{"kpp", paraph.CheckKPP, "773601001", ""}, // Sberbank
		{"kpp", paraph.CheckKPP, "7736AB001", ""},
		{"kpp", paraph.CheckKPP, "7736ab001", "invalid_kpp_format"},
		{"kpp", paraph.CheckKPP, "77360100", "invalid_kpp_format"},
		{"kpp", paraph.CheckKPP, "77A601001", "invalid_kpp_format"},
		{"kpp", paraph.CheckKPP, "7736010O1", "invalid_kpp_format"},
		{"ogrn", paraph.CheckOGRN, "1027700132195", ""}, // Sberbank
		{"ogrn", paraph.CheckOGRN, "1027700132196", "invalid_ogrn_checksum"},
		{"ogrn", paraph.CheckOGRN, "2027700132195", "invalid_ogrn_format"}, // a record number, not an OGRN
		{"ogrn", paraph.CheckOGRN, "304500116000157", "invalid_ogrn_format"},
		{"ogrnip", paraph.CheckOGRNIP, "304500116000157", ""}, // the FNS sample of an OGRNIP
		{"ogrnip", paraph.CheckOGRNIP, "304500116000158", "invalid_ogrnip_checksum"},
		{"ogrnip", paraph.CheckOGRNIP, "1027700132195", "invalid_ogrnip_format"},
		{"snils", paraph.CheckSNILS, "112-233-445 95", ""}, // the documentation example
		{"snils", paraph.CheckSNILS, "11223344595", ""},
		{"snils", paraph.CheckSNILS, "112 233 445 95", ""},
		{"snils", paraph.CheckSNILS, "112-233-445 96", "invalid_snils_checksum"},
		{"snils", paraph.CheckSNILS, "112-233-44595", "invalid_snils_format"},
		{"snils", paraph.CheckSNILS, "001-001-998 00", ""}, // before the rule: any control number
		{"snils", paraph.CheckSNILS, "001-001-999 00", "invalid_snils_checksum"},
		{"snils", paraph.CheckSNILS, "001-001-999 12", "invalid_snils_checksum"},
		{"edrpou", paraph.CheckEDRPOU, "00032129", ""}, // Oschadbank
		{"edrpou", paraph.CheckEDRPOU, "00032128", "invalid_edrpou_checksum"},
		{"edrpou", paraph.CheckEDRPOU, "0003212", "invalid_edrpou_format"},
		{"edrpou", paraph.CheckEDRPOU, "14360570", ""}, // PrivatBank
		{"edrpou", paraph.CheckEDRPOU, "32855961", ""}, // in 30000000…60000000: weights 7,1…6
		{"edrpou", paraph.CheckEDRPOU, "30000005", ""}, // the range starts at 30000000 itself
		{"edrpou", paraph.CheckEDRPOU, "30000003", "invalid_edrpou_checksum"},
		{"edrpou", paraph.CheckEDRPOU, "60000006", ""}, // above 60000000: weights 1…7 again
		{"rnokpp", paraph.CheckRNOKPP, "1010101015", ""},
		{"rnokpp", paraph.CheckRNOKPP, "1000000000", ""}, // negative sum, mathematical modulus
		{"rnokpp", paraph.CheckRNOKPP, "1010101016", "invalid_rnokpp_checksum"},
		{"rnokpp", paraph.CheckRNOKPP, "101010101", "invalid_rnokpp_format"},
		{"unp", paraph.CheckUNP, "200988541", ""},
		{"unp", paraph.CheckUNP, "200988542", "invalid_unp_checksum"},
		{"unp", paraph.CheckUNP, "MA1953684", ""},
		{"unp", paraph.CheckUNP, "ma1953684", ""},
		{"unp", paraph.CheckUNP, "МА1953684", ""}, // Cyrillic М and А
		{"unp", paraph.CheckUNP, "MA1953685", "invalid_unp_checksum"},
		{"unp", paraph.CheckUNP, "MZ1953684", "invalid_unp_format"},
		{"unp", paraph.CheckUNP, "800988541", "invalid_unp_format"}, // no region 8
		{"unp", paraph.CheckUNP, "2A0988541", "invalid_unp_format"},
		{"unp", paraph.CheckUNP, "20098854", "invalid_unp_format"},
		{"unp", paraph.CheckUNP, "ЖА1953684", "invalid_unp_format"},
	} {
		err := c.check(c.in)
		if c.reason == "" {
			if err != nil {
				t.Errorf("%s %q: %v", c.name, c.in, err)
			}
			continue
		}
		var e *paraph.Error
		if !errors.As(err, &e) {
			t.Errorf("%s %q: got %v, want %s", c.name, c.in, err, c.reason)
			continue
		}
		if e.Reason != c.reason || e.Field != c.name || e.Code != paraph.EINVALID || e.Message == "" {
			t.Errorf("%s %q: got %+v, want reason %s", c.name, c.in, e, c.reason)
		}
	}
}

func TestCheckMessages(t *testing.T) {
	err := paraph.CheckINN("7707083894")
	if got := paraph.AsError(err).Message; got != "The INN check digit is wrong: check the number." {
		t.Errorf("message %q", got)
	}
}

func TestNormalizeSNILS(t *testing.T) {
	for in, want := range map[string]string{
		"112-233-445 95":   "11223344595",
		" 112-233-445-95 ": "11223344595",
		"11223344595":      "11223344595",
		"112-233-445 96":   "",
		"112-233 445 95 ":  "11223344595",
		"1122-33-445 95":   "",
		"112_233_445_95":   "",
	} {
		got, err := paraph.NormalizeSNILS(in)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("%q: got %q, %v; want %q", in, got, err, want)
		}
	}
}

// The validators return a plain nil error, never a typed nil *Error, which
// would compare unequal to nil.
func TestIdentifiersNilIsNil(t *testing.T) {
	for i, check := range []func(string) error{paraph.CheckINN, paraph.CheckKPP, paraph.CheckOGRN,
		paraph.CheckSNILS, paraph.CheckEDRPOU, paraph.CheckRNOKPP, paraph.CheckUNP} {
		s := []string{"7707083893", "773601001", "1027700132195", "11223344595", "00032129", "1010101015", "200988541"}[i]
		if err := check(s); err != nil {
			t.Errorf("%s: %#v", s, err)
		}
	}
}

func FuzzCheckINN(f *testing.F) {
	for _, s := range []string{"7707083893", "500100732259", " 7707083893", "7707083894", "", "０", "77070838931"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := paraph.CheckINN(s)
		if want := innOK(strings.TrimSpace(s)); (err == nil) != want {
			t.Fatalf("%q: CheckINN says %v, oracle says valid=%v", s, err, want)
		}
		if err != nil && paraph.AsError(err).Field != "inn" {
			t.Fatalf("%q: %v", s, err)
		}
	})
}

func FuzzCheckEDRPOU(f *testing.F) {
	for _, s := range []string{"00032129", "14360570", "32855961", "60000000", "30000000", "0003212", "", "\t00032129\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := paraph.CheckEDRPOU(s)
		if want := edrpouOK(strings.TrimSpace(s)); (err == nil) != want {
			t.Fatalf("%q: CheckEDRPOU says %v, oracle says valid=%v", s, err, want)
		}
		if err != nil && paraph.AsError(err).Field != "edrpou" {
			t.Fatalf("%q: %v", s, err)
		}
	})
}
