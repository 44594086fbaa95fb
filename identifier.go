package paraph

import "strings"

// Registration identifiers of organizations and people in Russia, Ukraine and
// Belarus, checked by their official check-digit algorithms. A typo in one of
// them is the most common reason two parties fail to find each other, so each
// check points at the field with a reason the UI can translate:
// invalid_<name>_format (length or characters) or invalid_<name>_checksum.
//
// The checks only prove that a number is well formed; whether it was ever
// issued is a question for the registries, which this package does not ask.

// CheckINN checks a Russian INN: 10 digits for an organization, 12 for a
// person (an individual entrepreneur included).
func CheckINN(s string) error {
	s = strings.TrimSpace(s)
	switch {
	case len(s) == 10 && isDigits(s):
		return checkINN10(s)
	case len(s) == 12 && isDigits(s):
		return checkINN12(s)
	}
	return Invalid("inn", "invalid_inn_format", "The INN must have 10 digits (an organization) or 12 digits (a person).")
}

// CheckINNLegal checks the 10-digit INN of an organization.
func CheckINNLegal(s string) error {
	s = strings.TrimSpace(s)
	if len(s) != 10 || !isDigits(s) {
		return Invalid("inn", "invalid_inn_format", "An organization's INN must have 10 digits.")
	}
	return checkINN10(s)
}

// CheckINNPerson checks the 12-digit INN of a person or an individual entrepreneur.
func CheckINNPerson(s string) error {
	s = strings.TrimSpace(s)
	if len(s) != 12 || !isDigits(s) {
		return Invalid("inn", "invalid_inn_format", "A person's INN must have 12 digits.")
	}
	return checkINN12(s)
}

// The weights of the FNS algorithm: each control digit is the weighted sum of
// the digits before it, mod 11, mod 10. The 12-digit INN has two.
var (
	innWeights10 = []int{2, 4, 10, 3, 5, 9, 4, 6, 8}
	innWeights11 = []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	innWeights12 = []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
)

func checkINN10(s string) error {
	if weightedSum(s, innWeights10)%11%10 != digit(s, 9) {
		return checksumError("inn", "INN")
	}
	return nil
}

func checkINN12(s string) error {
	if weightedSum(s, innWeights11)%11%10 != digit(s, 10) ||
		weightedSum(s, innWeights12)%11%10 != digit(s, 11) {
		return checksumError("inn", "INN")
	}
	return nil
}

// CheckKPP checks a Russian KPP: the tax office (4 digits), the reason for
// registration (2 digits or capital Latin letters, letters being allowed since
// 2013) and a serial number (3 digits). It has no check digit.
func CheckKPP(s string) error {
	s = strings.TrimSpace(s)
	ok := len(s) == 9 && isDigits(s[:4]) && isDigits(s[6:])
	for i := 4; ok && i < 6; i++ {
		c := s[i]
		ok = c >= '0' && c <= '9' || c >= 'A' && c <= 'Z'
	}
	if !ok {
		return Invalid("kpp", "invalid_kpp_format", "The KPP must have 9 characters: 4 digits, 2 digits or capital Latin letters, 3 digits.")
	}
	return nil
}

// CheckOGRN checks the 13-digit OGRN of an organization: the first digit is
// 1 or 5 (the register's mark for an OGRN), the last is the first twelve as
// a number, mod 11, mod 10. Other first digits belong to record numbers (ГРН)
// or to an OGRNIP, so refusing them catches a number typed into the wrong field.
func CheckOGRN(s string) error {
	s = strings.TrimSpace(s)
	if len(s) != 13 || !isDigits(s) || s[0] != '1' && s[0] != '5' {
		return Invalid("ogrn", "invalid_ogrn_format", "The OGRN must have 13 digits and start with 1 or 5.")
	}
	if int(number(s[:12])%11%10) != digit(s, 12) {
		return checksumError("ogrn", "OGRN")
	}
	return nil
}

// CheckOGRNIP checks the 15-digit OGRNIP of an individual entrepreneur: the
// first digit is 3, the last is the first fourteen as a number, mod 13, mod 10.
func CheckOGRNIP(s string) error {
	s = strings.TrimSpace(s)
	if len(s) != 15 || !isDigits(s) || s[0] != '3' {
		return Invalid("ogrnip", "invalid_ogrnip_format", "The OGRNIP must have 15 digits and start with 3.")
	}
	if int(number(s[:14])%13%10) != digit(s, 14) {
		return checksumError("ogrnip", "OGRNIP")
	}
	return nil
}

// NormalizeSNILS accepts a SNILS as 11 digits or in its written form
// "112-233-445 95" (spaces or hyphens between the groups) and returns the 11
// digits, the form to store and compare.
func NormalizeSNILS(s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) == 14 && isSep(s[3]) && isSep(s[7]) && isSep(s[11]) {
		s = s[:3] + s[4:7] + s[8:11] + s[12:]
	}
	if len(s) != 11 || !isDigits(s) {
		return "", Invalid("snils", "invalid_snils_format", "The SNILS must have 11 digits, as in 112-233-445 95.")
	}
	if err := checkSNILSDigits(s); err != nil {
		return "", err
	}
	return s, nil
}

func isSep(c byte) bool { return c == '-' || c == ' ' }

// CheckSNILS checks a SNILS written either way NormalizeSNILS accepts.
func CheckSNILS(s string) error {
	_, err := NormalizeSNILS(s)
	return err
}

// checkSNILSDigits checks the control number of a SNILS given as 11 digits.
// The Pension Fund's rule: the sum of the first nine digits weighted 9…1 is
// the control number when below 100; 100 and 101 give 00; above 101 it is
// taken mod 101 (a result of 100 again giving 00). Numbers up to 001-001-998
// were issued before the rule and carry no checkable control number.
//
// The rule that no digit repeats three times in a row governs issuing new
// numbers; it is not checked, so that no issued number is ever refused.
func checkSNILSDigits(s string) error {
	if len(s) != 11 || !isDigits(s) {
		return Invalid("snils", "invalid_snils_format", "The SNILS must have 11 digits, as in 112-233-445 95.")
	}
	if number(s[:9]) <= 1001998 {
		return nil
	}
	sum := 0
	for i := range 9 {
		sum += digit(s, i) * (9 - i)
	}
	control := sum % 101 % 100 // 100 → 0, 101 → 0, above 101 mod 101 with 100 → 0
	if control != int(number(s[9:])) {
		return checksumError("snils", "SNILS")
	}
	return nil
}

// CheckEDRPOU checks a Ukrainian EDRPOU code (8 digits). The control digit is
// the weighted sum of the first seven, mod 11, with weights 1…7 — or 7,1…6
// for codes from 30000000 to 60000000. A remainder of 10 means a second pass
// with every weight raised by 2; a remainder of 10 again gives 0.
func CheckEDRPOU(s string) error {
	s = strings.TrimSpace(s)
	if len(s) != 8 || !isDigits(s) {
		return Invalid("edrpou", "invalid_edrpou_format", "The EDRPOU code must have 8 digits.")
	}
	weights := []int{1, 2, 3, 4, 5, 6, 7}
	if v := number(s); v >= 30000000 && v <= 60000000 {
		weights = []int{7, 1, 2, 3, 4, 5, 6}
	}
	control := weightedSum(s, weights) % 11
	if control == 10 {
		for i := range weights {
			weights[i] += 2
		}
		control = weightedSum(s, weights) % 11 % 10
	}
	if control != digit(s, 7) {
		return checksumError("edrpou", "EDRPOU")
	}
	return nil
}

// CheckRNOKPP checks a Ukrainian RNOKPP (the taxpayer number of a person, the
// former "ІПН"): 10 digits, the last being the weighted sum of the first nine
// (weights -1,5,7,9,4,6,10,5,7) mod 11, mod 10. The modulus is the
// mathematical one: a negative sum still gives a digit 0…9.
func CheckRNOKPP(s string) error {
	s = strings.TrimSpace(s)
	if len(s) != 10 || !isDigits(s) {
		return Invalid("rnokpp", "invalid_rnokpp_format", "The RNOKPP must have 10 digits.")
	}
	sum := weightedSum(s, []int{-1, 5, 7, 9, 4, 6, 10, 5, 7})
	if (sum%11+11)%11%10 != digit(s, 9) {
		return checksumError("rnokpp", "RNOKPP")
	}
	return nil
}

// CheckUNP checks a Belarusian UNP in either form normalizeUNP accepts.
func CheckUNP(s string) error {
	_, err := normalizeUNP(s)
	return err
}

// normalizeUNP checks a Belarusian UNP and returns its canonical form. Two
// forms exist (Ministry of Taxes and Duties rules on payer numbers):
//
//   - numeric, for organizations and most entrepreneurs: a region digit 1…7,
//     seven digits, a check digit;
//   - with letters, issued to some individuals: a letter of ABCEHKM, a letter
//     of ABCEHKMOPT, six digits, a check digit.
//
// The check digit is the sum of the first eight characters weighted
// 29,23,19,17,13,7,5,3, mod 11; a remainder of 10 is never issued. In the
// letter form the first letter counts as its value in base 36 (A=10, M=22) and
// the second as its place in ABCEHKMOPT (A=0 … T=9). These letters all have
// Cyrillic twins of the same shape, which people type just as often, so those
// and lower case are accepted and returned as capital Latin letters.
func normalizeUNP(s string) (string, error) {
	bad := Invalid("unp", "invalid_unp_format", "The UNP must have 9 characters: 9 digits, or 2 letters and 7 digits.")
	var b []byte
	for _, r := range strings.TrimSpace(s) {
		if r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		if l, ok := unpCyrillic[r]; ok {
			r = l
		}
		if r > 0x7f || len(b) == 9 {
			return "", bad
		}
		b = append(b, byte(r))
	}
	if len(b) != 9 || !isDigits(string(b[2:])) {
		return "", bad
	}
	first, second := 0, 0
	switch {
	case b[0] >= '1' && b[0] <= '7' && isDigits(string(b[1:2])):
		first, second = int(b[0]-'0'), int(b[1]-'0')
	case strings.IndexByte("ABCEHKM", b[0]) >= 0 && strings.IndexByte("ABCEHKMOPT", b[1]) >= 0:
		first, second = int(b[0]-'A')+10, strings.IndexByte("ABCEHKMOPT", b[1])
	default:
		return "", bad
	}
	sum := first*29 + second*23
	for i, w := range []int{19, 17, 13, 7, 5, 3} {
		sum += int(b[i+2]-'0') * w
	}
	if sum%11 != int(b[8]-'0') {
		return "", checksumError("unp", "UNP")
	}
	return string(b), nil
}

var unpCyrillic = map[rune]rune{
	'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P', 'С': 'C', 'Т': 'T',
	'а': 'A', 'в': 'B', 'е': 'E', 'к': 'K', 'м': 'M', 'н': 'H', 'о': 'O', 'р': 'P', 'с': 'C', 'т': 'T',
}

func checksumError(field, label string) *Error {
	return Invalid(field, "invalid_"+field+"_checksum", "The "+label+" check digit is wrong: check the number.")
}

// isDigits reports whether s is made only of ASCII digits (and is not empty).
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func digit(s string, i int) int { return int(s[i] - '0') }

// weightedSum multiplies the leading digits of s by weights, one each.
func weightedSum(s string, weights []int) int {
	sum := 0
	for i, w := range weights {
		sum += digit(s, i) * w
	}
	return sum
}

// number reads up to 18 ASCII digits as an integer; callers check the digits.
func number(s string) uint64 {
	var n uint64
	for i := 0; i < len(s); i++ {
		n = n*10 + uint64(s[i]-'0')
	}
	return n
}
