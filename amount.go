package paraph

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxAmount is the largest amount, in kopecks (cents), that AmountInWords
// writes: 999 999 999 999.99. Acts and invoices never reach it; the cap keeps
// the word tables to thousands, millions and billions.
const MaxAmount int64 = 99_999_999_999_999

// AmountInWords writes a money amount the way Russian and Ukrainian acts and
// invoices write the total ("сумма прописью"): the whole units in words, the
// fraction as two digits, each followed by its noun in the right plural form,
// the first letter capitalised:
//
//	AmountInWords(123456789, "RUB", "ru") = "Один миллион двести тридцать четыре тысячи пятьсот шестьдесят семь рублей 89 копеек"
//
// amount is in minor units (kopecks, cents); currency is one of RUB, UAH, BYN,
// USD, EUR; lang is "ru" or "uk". The fraction stays in digits ("00 копеек")
// because that is how accountants and 1C print it and how banks read it.
// Ukrainian apostrophes are the ASCII one ("п'ять"): the character set of
// payment purposes and of most accounting software.
func AmountInWords(amount int64, currency, lang string) (string, error) {
	words, ok := amountWords[lang]
	if !ok {
		return "", Invalid("lang", "unsupported_language", fmt.Sprintf("Language %q is not supported for amounts in words (ru, uk).", lang))
	}
	cur, ok := words.currencies[currency]
	if !ok {
		return "", Invalid("currency", "unsupported_currency", fmt.Sprintf("Currency %q is not supported for amounts in words (RUB, UAH, BYN, USD, EUR).", currency))
	}
	switch {
	case amount < 0:
		return "", Invalid("amount", "negative_amount", "The amount must not be negative.")
	case amount > MaxAmount:
		return "", Invalid("amount", "amount_too_large", "The amount must not exceed 999 999 999 999.99.")
	}
	whole, minor := amount/100, amount%100

	var parts []string
	if whole == 0 {
		parts = append(parts, words.zero)
	}
	// Groups of three digits from the billions down; each scale word takes
	// the plural form of its own group, and the last group agrees in gender
	// with the currency's noun.
	scales := []struct {
		div  int64
		noun noun
	}{
		{1_000_000_000, words.billion},
		{1_000_000, words.million},
		{1_000, words.thousand},
		{1, cur.major},
	}
	for _, s := range scales {
		g := whole / s.div % 1000
		if g == 0 {
			continue
		}
		parts = append(parts, words.triple(int(g), s.noun.feminine)...)
		if s.div > 1 {
			parts = append(parts, s.noun.form(g))
		}
	}
	parts = append(parts, cur.major.form(whole))
	parts = append(parts, fmt.Sprintf("%02d", minor), cur.minor.form(minor))
	return capitalize(strings.Join(parts, " ")), nil
}

// noun is a word with its three plural forms: for 1 (and 21, 31…), for 2–4
// (22–24…) and for 5–20 and 0 (25…, 11–14, 111–114).
type noun struct {
	one, few, many string
	feminine       bool
}

func (n noun) form(v int64) string {
	v %= 100
	switch {
	case v >= 11 && v <= 14:
		return n.many
	case v%10 == 1:
		return n.one
	case v%10 >= 2 && v%10 <= 4:
		return n.few
	default:
		return n.many
	}
}

type currencyWords struct{ major, minor noun }

type languageWords struct {
	zero                       string
	onesMasc, onesFem          [10]string // index 0 unused
	teens                      [10]string // 10..19
	tens                       [10]string // index 0, 1 unused
	hundreds                   [10]string // index 0 unused
	thousand, million, billion noun
	currencies                 map[string]currencyWords
}

// triple writes 1..999; feminine picks одна/две (одна/дві) for a feminine noun.
func (w *languageWords) triple(n int, feminine bool) []string {
	var out []string
	if h := n / 100; h > 0 {
		out = append(out, w.hundreds[h])
	}
	t, u := n/10%10, n%10
	switch {
	case t == 1:
		return append(out, w.teens[u])
	case t > 1:
		out = append(out, w.tens[t])
	}
	if u > 0 {
		if feminine {
			out = append(out, w.onesFem[u])
		} else {
			out = append(out, w.onesMasc[u])
		}
	}
	return out
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

var amountWords = map[string]*languageWords{
	"ru": {
		zero:     "ноль",
		onesMasc: [10]string{"", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"},
		onesFem:  [10]string{"", "одна", "две", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"},
		teens:    [10]string{"десять", "одиннадцать", "двенадцать", "тринадцать", "четырнадцать", "пятнадцать", "шестнадцать", "семнадцать", "восемнадцать", "девятнадцать"},
		tens:     [10]string{"", "", "двадцать", "тридцать", "сорок", "пятьдесят", "шестьдесят", "семьдесят", "восемьдесят", "девяносто"},
		hundreds: [10]string{"", "сто", "двести", "триста", "четыреста", "пятьсот", "шестьсот", "семьсот", "восемьсот", "девятьсот"},
		thousand: noun{"тысяча", "тысячи", "тысяч", true},
		million:  noun{"миллион", "миллиона", "миллионов", false},
		billion:  noun{"миллиард", "миллиарда", "миллиардов", false},
		currencies: map[string]currencyWords{
			"RUB": {noun{"рубль", "рубля", "рублей", false}, noun{"копейка", "копейки", "копеек", true}},
			"UAH": {noun{"гривна", "гривны", "гривен", true}, noun{"копейка", "копейки", "копеек", true}},
			// "два белорусских рубля": with 2–4 a masculine adjective takes
			// the genitive plural.
			"BYN": {noun{"белорусский рубль", "белорусских рубля", "белорусских рублей", false}, noun{"копейка", "копейки", "копеек", true}},
			"USD": {noun{"доллар США", "доллара США", "долларов США", false}, noun{"цент", "цента", "центов", false}},
			// евро is indeclinable and masculine: "один евро", "два евро".
			"EUR": {noun{"евро", "евро", "евро", false}, noun{"евроцент", "евроцента", "евроцентов", false}},
		},
	},
	"uk": {
		zero:     "нуль",
		onesMasc: [10]string{"", "один", "два", "три", "чотири", "п'ять", "шість", "сім", "вісім", "дев'ять"},
		onesFem:  [10]string{"", "одна", "дві", "три", "чотири", "п'ять", "шість", "сім", "вісім", "дев'ять"},
		teens:    [10]string{"десять", "одинадцять", "дванадцять", "тринадцять", "чотирнадцять", "п'ятнадцять", "шістнадцять", "сімнадцять", "вісімнадцять", "дев'ятнадцять"},
		tens:     [10]string{"", "", "двадцять", "тридцять", "сорок", "п'ятдесят", "шістдесят", "сімдесят", "вісімдесят", "дев'яносто"},
		hundreds: [10]string{"", "сто", "двісті", "триста", "чотириста", "п'ятсот", "шістсот", "сімсот", "вісімсот", "дев'ятсот"},
		thousand: noun{"тисяча", "тисячі", "тисяч", true},
		million:  noun{"мільйон", "мільйони", "мільйонів", false},
		billion:  noun{"мільярд", "мільярди", "мільярдів", false},
		currencies: map[string]currencyWords{
			"UAH": {noun{"гривня", "гривні", "гривень", true}, noun{"копійка", "копійки", "копійок", true}},
			"RUB": {noun{"рубль", "рублі", "рублів", false}, noun{"копійка", "копійки", "копійок", true}},
			// "два білоруські рублі": in Ukrainian the adjective after 2–4
			// takes the nominative plural.
			"BYN": {noun{"білоруський рубль", "білоруські рублі", "білоруських рублів", false}, noun{"копійка", "копійки", "копійок", true}},
			"USD": {noun{"долар США", "долари США", "доларів США", false}, noun{"цент", "центи", "центів", false}},
			"EUR": {noun{"євро", "євро", "євро", false}, noun{"євроцент", "євроценти", "євроцентів", false}},
		},
	},
}
