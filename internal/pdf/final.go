package pdf

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"mime"
	"strings"
	"time"

	"paraph"
)

// Final is what the final PDF of a signed document shows.
type Final struct {
	Lang         string // "ru", "uk" or "en": the labels' language
	DocumentID   string
	Title        string
	Number       string // may be ""
	Date         string // YYYY-MM-DD, may be ""
	Organization string // the sender organization's name
	FileName     string // the original's name
	ContentType  string
	SHA256       string // hex SHA-256 of the original
	Original     []byte
	VerifyURL    string // the public verification link: the QR code's target, also printed
	CompletedAt  time.Time
	Signers      []FinalSigner // in signing order
	Signatures   []Attachment  // the signature files (CMS .sig) to embed; may be empty
}

// FinalSigner is one signature on the document.
type FinalSigner struct {
	Name, Position, Organization string
	Method                       string // "qualified" or "simple"
	SignedAt                     time.Time
	Result                       string // "passed", "indeterminate" or "failed"
	SubIndication                string // may be ""
	// qualified
	CertSerial, CertIssuer      string
	CertNotBefore, CertNotAfter time.Time
	KeyAlgorithm                string
	POANumber                   string // the МЧД number, "" when none
	// simple
	Channel      string // "email", "sms" or "account"
	Contact      string // already masked by the caller
	IP           string
	Image, Stamp []byte        // PNG or JPEG, may be nil
	Fields       []FilledField // what the signer filled in
	Place        *Place        // where the stamp goes; nil: the last page
}

// FilledField is one value a signer filled in.
type FilledField struct{ Label, Value string }

// Place is a position on the original's pages: Page counts from 1; X and Y are
// millimetres from the page's top-left corner to the stamp's top-left corner.
type Place struct {
	Page int
	X, Y float64
}

// Attachment is a file embedded in the final PDF.
type Attachment struct {
	Name        string
	Description string
	Data        []byte
}

// MaxFinalSigners bounds one document's signatures: far above any real
// route, low enough that one request cannot render without end.
const MaxFinalSigners = 500

// Validate returns a *paraph.Error for the first missing or malformed
// field. The final PDF is built from stored data, so an error here is a
// caller's bug, but it names the field so that the bug is found quickly.
func (f *Final) Validate() error {
	switch {
	case f.Lang != "ru" && f.Lang != "uk" && f.Lang != "en":
		return paraph.Invalid("lang", "unsupported_language", "The final PDF's language must be ru, uk or en.")
	case strings.TrimSpace(f.DocumentID) == "":
		return paraph.Invalid("document_id", "required", "The final PDF needs the document's id.")
	case strings.TrimSpace(f.Title) == "":
		return paraph.Invalid("title", "required", "The final PDF needs the document's title.")
	case strings.TrimSpace(f.FileName) == "":
		return paraph.Invalid("file_name", "required", "The final PDF needs the original's file name.")
	case len(f.Original) == 0:
		return paraph.Invalid("original", "required", "The final PDF needs the original's bytes.")
	case f.CompletedAt.IsZero():
		return paraph.Invalid("completed_at", "required", "The final PDF needs the completion time.")
	case strings.TrimSpace(f.VerifyURL) == "":
		return paraph.Invalid("verify_url", "required", "The final PDF needs the verification link.")
	case len(f.Signers) == 0:
		return paraph.Invalid("signers", "required", "A signed document has at least one signature.")
	case len(f.Signers) > MaxFinalSigners:
		return paraph.Invalid("signers", "too_many", fmt.Sprintf("At most %d signatures.", MaxFinalSigners))
	}
	if f.Date != "" {
		if _, err := time.Parse(time.DateOnly, f.Date); err != nil {
			return paraph.Invalid("date", "invalid_date", "The document date must be YYYY-MM-DD.")
		}
	}
	// The protocol states the hash as the truth about the original, so it
	// must be the hash of these very bytes.
	sum := sha256.Sum256(f.Original)
	if !strings.EqualFold(strings.TrimSpace(f.SHA256), hex.EncodeToString(sum[:])) {
		return paraph.Invalid("sha256", "hash_mismatch", "SHA256 is not the SHA-256 of Original.")
	}
	if _, err := qrCode(f.VerifyURL); err != nil {
		return paraph.Invalid("verify_url", "too_long", "The verification link does not fit a QR code.")
	}
	for i, s := range f.Signers {
		field := fmt.Sprintf("signers[%d]", i)
		switch {
		case strings.TrimSpace(s.Name) == "":
			return paraph.Invalid(field+".name", "required", "Each signer needs a name.")
		case s.Method != "qualified" && s.Method != "simple":
			return paraph.Invalid(field+".method", "unsupported_method", "The method must be qualified or simple.")
		case s.SignedAt.IsZero():
			return paraph.Invalid(field+".signed_at", "required", "Each signature needs its time.")
		case s.Result != "passed" && s.Result != "indeterminate" && s.Result != "failed":
			return paraph.Invalid(field+".result", "unsupported_result", "The result must be passed, indeterminate or failed.")
		case s.Method == "qualified" && strings.TrimSpace(s.CertSerial) == "":
			return paraph.Invalid(field+".cert_serial", "required", "A qualified signature needs its certificate's serial number.")
		case s.Method == "simple" && s.Channel != "" && s.Channel != "email" && s.Channel != "sms" && s.Channel != "account":
			return paraph.Invalid(field+".channel", "unsupported_channel", "The code channel must be email, sms or account.")
		}
		if p := s.Place; p != nil && (math.IsNaN(p.X) || math.IsNaN(p.Y) || math.IsInf(p.X, 0) || math.IsInf(p.Y, 0)) {
			return paraph.Invalid(field+".place", "invalid_place", "The stamp's position must be a number of millimetres.")
		}
		for _, img := range []struct {
			name string
			data []byte
		}{{"image", s.Image}, {"stamp", s.Stamp}} {
			if img.data != nil && (imageType(img.data) == "" || checkImage(img.data) != nil) {
				return paraph.Invalid(field+"."+img.name, "unsupported_image", "Signature images must be PNG or JPEG.")
			}
		}
	}
	names := map[string]bool{f.FileName: true}
	for i, a := range f.Signatures {
		field := fmt.Sprintf("signatures[%d]", i)
		switch {
		case strings.TrimSpace(a.Name) == "":
			return paraph.Invalid(field+".name", "required", "Each signature file needs a name.")
		case len(a.Data) == 0:
			return paraph.Invalid(field+".data", "required", "A signature file must not be empty.")
		case names[a.Name]:
			// Attachments are found by name: two with one name would hide one.
			return paraph.Invalid(field+".name", "duplicate", "Attached files must have different names.")
		}
		names[a.Name] = true
	}
	return nil
}

// imageType is fpdf's name for the image format of b: "png", "jpg" or "".
func imageType(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(b, []byte{0xff, 0xd8, 0xff}):
		return "jpg"
	}
	return ""
}

// isPDF tells whether the original claims to be a PDF.
func (f *Final) isPDF() bool {
	mt, _, err := mime.ParseMediaType(f.ContentType)
	return err == nil && mt == "application/pdf"
}

// Render writes the final PDF. For a PDF original that can be read, it is
// the original's pages with a visible stamp for each signature, then the
// signing protocol; for any other original (another format, a damaged or
// encrypted PDF) the protocol alone. Either way the original and the
// signature files are embedded as attachments (see Attachments), so that
// the exact signed bytes travel with the document. The same Final renders
// to the same bytes.
func (f *Final) Render(w io.Writer) error {
	if err := f.Validate(); err != nil {
		return err
	}
	out, err := f.render()
	if err != nil {
		return fmt.Errorf("pdf: final PDF of document %s: %w", f.DocumentID, err)
	}
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("pdf: write final PDF of document %s: %w", f.DocumentID, err)
	}
	return nil
}
