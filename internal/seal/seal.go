// Package seal puts the instance's PDF signature — the seal — on final PDFs
// and checks PDF signatures.
//
// The seal is a PAdES-Basic signature (ISO 32000-1 adbe.pkcs7.detached: a
// detached CMS SignedData with signingCertificateV2) over the whole file,
// added as an incremental update so the document's bytes stay as they were.
// With a TSA configured the CMS carries an RFC 3161 signature timestamp. The
// key is generated at first start under the data dir, read from PEM files,
// or handed in as a crypto.Signer (a PKCS #11 key opened by the caller).
//
// Check lists the signatures of any PDF and says whether the seal is
// intact: it reads the signature dictionaries straight from the bytes and
// never builds the whole document, so a hostile upload costs one pass over
// the file and cannot crash or hang it.
//
// seal does no storage and no HTTP except the TSA request; what to seal and
// when is decided by its callers.
package seal

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf16"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"
)

// Sealer seals PDFs with one key and certificate chain.
type Sealer struct {
	signer crypto.Signer
	chain  []*x509.Certificate // the seal certificate first
	root   *x509.Certificate
	tsaURL string
	name   string
	now    func() time.Time
}

// Info is what the signature dictionary says besides the signature.
type Info struct {
	Reason, Location, ContactInfo string
}

// Chain returns the seal certificate followed by its issuers.
func (s *Sealer) Chain() []*x509.Certificate { return append([]*x509.Certificate(nil), s.chain...) }

// Root returns the certificate a verifier should trust for the seal: the
// instance root when generated, else the last certificate of the chain.
func (s *Sealer) Root() *x509.Certificate { return s.root }

// ErrTimestamp is wrapped by Seal's error when the TSA could not be used;
// the seal can be retried later.
var ErrTimestamp = errors.New("seal: timestamp authority")

// Seal writes the PDF doc to w with the seal appended as an incremental
// update. The bytes of doc are not changed: w receives them followed by the
// update, and nothing at all when Seal fails.
func (s *Sealer) Seal(ctx context.Context, w io.Writer, doc []byte, info Info) (err error) {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("seal: %w", err)
	}
	if len(doc) == 0 {
		return errors.New("seal: empty PDF")
	}
	data := sign.SignData{
		Signature: sign.SignDataSignature{
			CertType:   sign.CertificationSignature,
			DocMDPPerm: sign.AllowFillingExistingFormFieldsAndSignaturesPerms,
			Info: sign.SignDataSignatureInfo{
				Name:        pdfSafeText(s.name),
				Reason:      pdfSafeText(info.Reason),
				Location:    pdfSafeText(info.Location),
				ContactInfo: pdfSafeText(info.ContactInfo),
				Date:        s.now(),
			},
		},
		Signer:            &signOnce{Signer: s.signer},
		DigestAlgorithm:   crypto.SHA256,
		Certificate:       s.chain[0],
		CertificateChains: [][]*x509.Certificate{s.chain},
		TSA:               sign.TSA{URL: s.tsaURL},
	}
	if s.tsaURL == "" {
		out, err := s.sign(doc, data)
		if err != nil {
			return err
		}
		return write(w, out)
	}
	// The library asks the TSA with a client that has neither a context nor
	// a timeout, so the request runs aside and a cancelled ctx (the job's
	// deadline) returns at once; the abandoned request ends with its
	// connection.
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := s.sign(doc, data)
		done <- result{out, err}
	}()
	select {
	case <-ctx.Done():
		return fmt.Errorf("%w %s: %w", ErrTimestamp, s.tsaURL, ctx.Err())
	case r := <-done:
		if r.err != nil {
			return r.err
		}
		return write(w, r.out)
	}
}

func write(w io.Writer, out []byte) error {
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("seal: write: %w", err)
	}
	return nil
}

// sign runs the library on doc. Its reader panics on some malformed files,
// and its one retry path (a signature larger than the space it reserved)
// writes a broken cross-reference table; both become errors here.
func (s *Sealer) sign(doc []byte, data sign.SignData) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("seal: malformed PDF: %v", r)
		}
	}()
	rdr, err := pdf.NewReader(bytes.NewReader(doc), int64(len(doc)))
	if err != nil {
		return nil, fmt.Errorf("seal: read PDF: %w", err)
	}
	if rdr.Trailer().Key("Encrypt").Kind() != pdf.Null {
		return nil, errors.New("seal: the PDF is encrypted")
	}
	if hasSignatureFields(rdr) {
		// A certification signature must be the document's first.
		data.Signature.CertType = sign.ApprovalSignature
	}
	var buf bytes.Buffer
	buf.Grow(len(doc) + 32<<10)
	if err := sign.Sign(bytes.NewReader(doc), &buf, rdr, int64(len(doc)), data); err != nil {
		if s.tsaURL != "" && strings.Contains(err.Error(), "timestamp") {
			return nil, fmt.Errorf("%w %s: %w", ErrTimestamp, s.tsaURL, err)
		}
		return nil, fmt.Errorf("seal: sign: %w", err)
	}
	return buf.Bytes(), nil
}

func hasSignatureFields(rdr *pdf.Reader) bool {
	fields := rdr.Trailer().Key("Root").Key("AcroForm").Key("Fields")
	for i := 0; i < fields.Len(); i++ {
		if fields.Index(i).Key("FT").Name() == "Sig" {
			return true
		}
	}
	return false
}

// signOnce refuses a second signature: the library signs again only on its
// retry path, whose output is broken.
type signOnce struct {
	crypto.Signer
	used atomic.Bool
}

func (s *signOnce) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if s.used.Swap(true) {
		return nil, errors.New("the signature outgrew the space reserved for it (a very large timestamp token?)")
	}
	return s.Signer.Sign(rand, digest, opts)
}

// pdfSafeText keeps text the library can write. It writes non-ASCII text as
// raw UTF-16BE inside a literal string without escaping, so a code unit
// with a byte '\' or CR, or an unbalanced '(' or ')' byte (Ш, Щ and ќ in
// Cyrillic), would break the string; such characters become '?'. ASCII is
// escaped by the library.
func pdfSafeText(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	runes := []rune(s)
	for changed := true; changed; {
		changed = false
		var open []int // indexes of runes holding an unmatched '(' byte
		bad := map[int]bool{}
		for i, r := range runes {
			for _, u := range utf16.Encode([]rune{r}) {
				for _, b := range [2]byte{byte(u >> 8), byte(u)} {
					switch b {
					case '\\', '\r':
						bad[i] = true
					case '(':
						open = append(open, i)
					case ')':
						if len(open) == 0 {
							bad[i] = true
						} else {
							open = open[:len(open)-1]
						}
					}
				}
			}
		}
		for _, i := range open {
			bad[i] = true
		}
		for i := range bad {
			runes[i], changed = '?', true
		}
	}
	return string(runes)
}
