package pdf

import (
	"fmt"
	"strings"
	"time"
)

// finalWords are the final PDF's fixed texts in one language.
type finalWords struct {
	protocol, protocolSub                          string
	document, number, no, numberDate, from, sender string // numberDate: "№ %s от %s"
	documentID, file, bytes, sha256, completed     string
	attachments                                    string // "…: «%s» and %d signature files"
	attachedOriginal                               string // "…: «%s»", when there are no signature files
	verify, verifyHint                             string
	signatures                                     string
	position, organization, method, signedAt       string
	result, cert, issuer, validity, validFrom      string // validFrom: "с %s по %s"
	keyAlgorithm, poa, channel, ip, fields         string
	signatureImage, stampImage                     string
	methods, results, channels, subIndications     map[string]string
	stampTitle                                     string            // first line of a stamp
	stampKinds                                     map[string]string // second line, by method
	stampSigner, stampOwner, stampSigned           string
	stampCode                                      string
	extraStamps                                    string // heading of a page that holds the stamps the last page had no room for
	page                                           string // "Стр. %d из %s"
	dateLayout                                     string
}

var finalTexts = map[string]*finalWords{
	"ru": {
		protocol: "Протокол подписания", protocolSub: "электронного документа",
		document: "Документ", number: "Номер и дата", no: "№", numberDate: "№ %s от %s", from: "от", sender: "Отправитель",
		documentID: "Идентификатор", file: "Исходный файл", bytes: "байт", sha256: "SHA-256",
		completed:        "Подписание завершено",
		attachments:      "К этому PDF приложены исходный файл «%s» и файлы подписей (%d): их можно извлечь и проверить независимо от сервиса.",
		attachedOriginal: "К этому PDF приложен исходный файл «%s»: его можно извлечь и проверить независимо от сервиса.",
		verify:           "Проверка подлинности", verifyHint: "Отсканируйте код или откройте ссылку:",
		signatures: "Подписи",
		position:   "Должность", organization: "Организация", method: "Вид подписи", signedAt: "Время подписания",
		result: "Результат проверки", cert: "Сертификат", issuer: "Издатель", validity: "Срок действия", validFrom: "с %s по %s",
		keyAlgorithm: "Алгоритм ключа", poa: "МЧД", channel: "Код подтверждения", ip: "IP-адрес", fields: "Заполненные поля",
		signatureImage: "Подпись", stampImage: "Печать",
		methods:  map[string]string{"qualified": "Квалифицированная электронная подпись", "simple": "Простая электронная подпись"},
		results:  map[string]string{"passed": "Подпись действительна", "indeterminate": "Проверка не завершена", "failed": "Подпись недействительна"},
		channels: map[string]string{"email": "по электронной почте", "sms": "по SMS", "account": "вход в учётную запись"},
		subIndications: map[string]string{
			"hash_failure": "документ изменён после подписания", "sig_crypto_failure": "значение подписи неверно",
			"revoked": "сертификат отозван", "expired": "срок действия сертификата истёк",
			"not_yet_valid": "сертификат ещё не действовал", "no_certificate_chain_found": "нет цепочки до доверенного корня",
			"signer_mismatch": "подписал не тот, кто указан в маршруте", "poa_missing": "нет действующей МЧД",
		},
		stampTitle:  "ДОКУМЕНТ ПОДПИСАН",
		stampKinds:  map[string]string{"qualified": "КВАЛИФИЦИРОВАННОЙ ЭЛЕКТРОННОЙ ПОДПИСЬЮ", "simple": "ПРОСТОЙ ЭЛЕКТРОННОЙ ПОДПИСЬЮ"},
		stampSigner: "Подписант", stampOwner: "Владелец", stampSigned: "Подписан", stampCode: "Код",
		extraStamps: "Электронные подписи документа «%s»",
		page:        "Стр. %d из %s",
		dateLayout:  "02.01.2006",
	},
	"uk": {
		protocol: "Протокол підписання", protocolSub: "електронного документа",
		document: "Документ", number: "Номер і дата", no: "№", numberDate: "№ %s від %s", from: "від", sender: "Відправник",
		documentID: "Ідентифікатор", file: "Вихідний файл", bytes: "байт", sha256: "SHA-256",
		completed:        "Підписання завершено",
		attachments:      "До цього PDF додано вихідний файл «%s» і файли підписів (%d): їх можна видобути й перевірити незалежно від сервісу.",
		attachedOriginal: "До цього PDF додано вихідний файл «%s»: його можна видобути й перевірити незалежно від сервісу.",
		verify:           "Перевірка справжності", verifyHint: "Відскануйте код або відкрийте посилання:",
		signatures: "Підписи",
		position:   "Посада", organization: "Організація", method: "Вид підпису", signedAt: "Час підписання",
		result: "Результат перевірки", cert: "Сертифікат", issuer: "Видавець", validity: "Строк дії", validFrom: "з %s по %s",
		keyAlgorithm: "Алгоритм ключа", poa: "МЧД", channel: "Код підтвердження", ip: "IP-адреса", fields: "Заповнені поля",
		signatureImage: "Підпис", stampImage: "Печатка",
		methods:  map[string]string{"qualified": "Кваліфікований електронний підпис", "simple": "Простий електронний підпис"},
		results:  map[string]string{"passed": "Підпис дійсний", "indeterminate": "Перевірку не завершено", "failed": "Підпис недійсний"},
		channels: map[string]string{"email": "електронною поштою", "sms": "через SMS", "account": "вхід до облікового запису"},
		subIndications: map[string]string{
			"hash_failure": "документ змінено після підписання", "sig_crypto_failure": "значення підпису невірне",
			"revoked": "сертифікат відкликано", "expired": "строк дії сертифіката минув",
			"not_yet_valid": "сертифікат ще не діяв", "no_certificate_chain_found": "немає ланцюжка до довіреного кореня",
			"signer_mismatch": "підписав не той, хто вказаний у маршруті", "poa_missing": "немає чинної МЧД",
		},
		stampTitle:  "ДОКУМЕНТ ПІДПИСАНО",
		stampKinds:  map[string]string{"qualified": "КВАЛІФІКОВАНИМ ЕЛЕКТРОННИМ ПІДПИСОМ", "simple": "ПРОСТИМ ЕЛЕКТРОННИМ ПІДПИСОМ"},
		stampSigner: "Підписувач", stampOwner: "Власник", stampSigned: "Підписано", stampCode: "Код",
		extraStamps: "Електронні підписи документа «%s»",
		page:        "Стор. %d з %s",
		dateLayout:  "02.01.2006",
	},
	"en": {
		protocol: "Signing protocol", protocolSub: "of an electronic document",
		document: "Document", number: "Number and date", no: "No.", numberDate: "No. %s of %s", from: "of", sender: "Sender",
		documentID: "Document ID", file: "Original file", bytes: "bytes", sha256: "SHA-256",
		completed:        "Signing completed",
		attachments:      "This PDF carries the original file “%s” and the signature files (%d) as attachments: they can be extracted and verified without the service.",
		attachedOriginal: "This PDF carries the original file “%s” as an attachment: it can be extracted and verified without the service.",
		verify:           "Verification", verifyHint: "Scan the code or open the link:",
		signatures: "Signatures",
		position:   "Position", organization: "Organization", method: "Signature type", signedAt: "Signed at",
		result: "Verification result", cert: "Certificate", issuer: "Issuer", validity: "Valid", validFrom: "from %s to %s",
		keyAlgorithm: "Key algorithm", poa: "Power of attorney", channel: "Confirmation code", ip: "IP address", fields: "Filled-in fields",
		signatureImage: "Signature", stampImage: "Stamp",
		methods:  map[string]string{"qualified": "Qualified electronic signature", "simple": "Simple electronic signature"},
		results:  map[string]string{"passed": "Signature valid", "indeterminate": "Verification indeterminate", "failed": "Signature invalid"},
		channels: map[string]string{"email": "by email", "sms": "by SMS", "account": "account sign-in"},
		subIndications: map[string]string{
			"hash_failure": "the document changed after signing", "sig_crypto_failure": "the signature value is wrong",
			"revoked": "the certificate is revoked", "expired": "the certificate has expired",
			"not_yet_valid": "the certificate was not yet valid", "no_certificate_chain_found": "no chain to a trusted root",
			"signer_mismatch": "not the signer the route expects", "poa_missing": "no valid power of attorney",
		},
		stampTitle:  "DOCUMENT SIGNED",
		stampKinds:  map[string]string{"qualified": "WITH A QUALIFIED ELECTRONIC SIGNATURE", "simple": "WITH A SIMPLE ELECTRONIC SIGNATURE"},
		stampSigner: "Signer", stampOwner: "Owner", stampSigned: "Signed", stampCode: "Code",
		extraStamps: "Electronic signatures of “%s”",
		page:        "Page %d of %s",
		dateLayout:  "2006-01-02",
	},
}

// Times in the final PDF are shown in UTC, with the zone written out: the
// signers may be in Moscow, Kyiv and Minsk, and one zone for all of them
// keeps the order of signatures readable at a glance.

func (t *finalWords) date(d time.Time) string { return d.UTC().Format(t.dateLayout) }

func (t *finalWords) time(d time.Time) string {
	return d.UTC().Format(t.dateLayout+" 15:04:05") + " UTC"
}

// docDate writes a YYYY-MM-DD document date as the language writes dates.
func (t *finalWords) docDate(s string) string {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return t.date(d)
}

func (t *finalWords) numberAndDate(number, date string) string {
	switch {
	case number != "" && date != "":
		return fmt.Sprintf(t.numberDate, number, t.docDate(date))
	case number != "":
		return t.no + " " + number
	case date != "":
		return t.from + " " + t.docDate(date)
	}
	return ""
}

func (t *finalWords) period(from, to time.Time) string {
	switch {
	case from.IsZero() && to.IsZero():
		return ""
	case from.IsZero():
		return "— " + t.date(to)
	case to.IsZero():
		return t.date(from) + " —"
	}
	return fmt.Sprintf(t.validFrom, t.date(from), t.date(to))
}

// outcome is the verification result in words, with the sub-indication.
func (t *finalWords) outcome(s *FinalSigner) string {
	r := t.results[s.Result]
	if s.SubIndication == "" {
		return r
	}
	if why, ok := t.subIndications[s.SubIndication]; ok {
		return r + ": " + why
	}
	return r + " (" + s.SubIndication + ")"
}

// code is how a simple signature's code travelled: "по SMS, +7 *** ** 12".
func (t *finalWords) code(s *FinalSigner) string {
	parts := []string{}
	if c := t.channels[s.Channel]; c != "" {
		parts = append(parts, c)
	}
	if s.Contact != "" {
		parts = append(parts, s.Contact)
	}
	return strings.Join(parts, ", ")
}
