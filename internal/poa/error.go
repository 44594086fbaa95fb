package poa

import "errors"

// The classes of failure, for errors.Is. Every error Parse returns is an
// *Error that wraps exactly one of them, so the API can answer "not a power of
// attorney" differently from "a power of attorney with a wrong INN".
var (
	// ErrTooLarge: the file is over MaxSize; nothing was parsed.
	ErrTooLarge = errors.New("poa: file too large")
	// ErrUnsafeXML: a DOCTYPE (DTD, entity declarations) or a document nested
	// or repeated past the parser's limits — the shapes of XML bombs.
	ErrUnsafeXML = errors.New("poa: unsafe XML")
	// ErrMalformed: not well-formed XML (truncated, bad characters, unknown
	// entity references) or in an encoding other than UTF-8 and windows-1251.
	ErrMalformed = errors.New("poa: malformed XML")
	// ErrNotPOA: well-formed XML of another kind (an invoice, another format
	// version).
	ErrNotPOA = errors.New("poa: not a machine-readable power of attorney (EMCHD_1)")
	// ErrInvalid: an EMCHD_1 document whose structure or values break the
	// schema where this package checks it (a missing element, a bad date, a
	// wrong check digit).
	ErrInvalid = errors.New("poa: invalid power of attorney")
)

// Error says what is wrong and where. Path names the element or attribute
// relative to the root element Доверенность, in the schema's own names, XPath
// style: "Документ/Довер/СвДоверит/Доверит/РосОргДовер/СвРосОрг/@ИННЮЛ";
// repeated elements carry a 1-based index ("СвУпПред[2]"). It is empty when
// the error is about the file as a whole. Reason is a stable key the UI
// translates ("missing", "invalid_inn_checksum", …); Message is English and
// safe to show.
type Error struct {
	Path    string
	Reason  string
	Message string
	Err     error // one of the Err* classes above
}

func (e *Error) Error() string {
	if e.Path == "" {
		return "poa: " + e.Message
	}
	return "poa: " + e.Path + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Reasons that are not an identifier check's own (those come from the paraph
// package: invalid_inn_checksum, invalid_snils_format, …).
const (
	ReasonTooLarge  = "too_large"
	ReasonUnsafeXML = "unsafe_xml"
	ReasonMalformed = "malformed_xml"
	ReasonEncoding  = "unsupported_encoding"
	ReasonNotPOA    = "not_poa"
	ReasonVersion   = "unsupported_version"
	ReasonMissing   = "missing"
	ReasonDuplicate = "duplicate"
	ReasonEmpty     = "empty"
	ReasonTooLong   = "too_long"
	ReasonBadValue  = "invalid_value"
	ReasonBadDate   = "invalid_date"
	ReasonBadNumber = "invalid_number"
	ReasonMismatch  = "type_mismatch"
	ReasonNoPowers  = "no_powers"
	ReasonDateOrder = "ends_before_issue"
)
