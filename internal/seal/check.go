package seal

import (
	"bytes"
	"context"
	"crypto"
	_ "crypto/sha256" // the digests of PDF signatures
	_ "crypto/sha512"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"paraph/cades"
)

// Indication is the result of Check, as in ETSI EN 319 102-1.
type Indication string

const (
	Passed        Indication = "passed"
	Indeterminate Indication = "indeterminate"
	Failed        Indication = "failed"
)

// Code says why a check did not pass; stable, for programs and translations.
type Code string

const (
	NotPDF                     Code = "not_pdf"    // failed: no PDF header
	Damaged                    Code = "damaged"    // failed: no end-of-file marker, or unreadable
	Truncated                  Code = "truncated"  // failed: a signature covers bytes past the end of the file
	Encrypted                  Code = "encrypted"  // failed: Paraph does not check encrypted PDFs
	NotSealed                  Code = "not_sealed" // indeterminate: no PDF signature at all
	TooManySignatures          Code = "too_many_signatures"
	FormatFailure              Code = "format_failure"     // failed: a signature dictionary or its CMS is malformed
	HashFailure                Code = "hash_failure"       // failed: the covered bytes changed
	SigCryptoFailure           Code = "sig_crypto_failure" // failed: the signature value does not verify
	SigningCertificateMismatch Code = "signing_certificate_mismatch"
	TimestampFailure           Code = "timestamp_failure"  // failed: the signature's timestamp token does not verify
	ChangedAfterSeal           Code = "changed_after_seal" // failed: bytes were added after the last signature
	NoCertificateChain         Code = "no_certificate_chain_found"
	ChainConstraintsFailure    Code = "chain_constraints_failure"
	Expired                    Code = "expired"
	NotYetValid                Code = "not_yet_valid"
	AlgorithmUnsupported       Code = "algorithm_unsupported"
	SignedDataNotFound         Code = "signed_data_not_found"
)

// Report is what Check finds in a PDF.
type Report struct {
	Indication Indication
	Code       Code   // empty when Passed
	Reason     string // plain English, for people
	Signatures []Signature
}

// Signature is one PDF signature, in file order.
type Signature struct {
	DocumentTimestamp bool     // an RFC 3161 document timestamp rather than a CMS signature
	ByteRange         [4]int64 // the two covered parts: offset, length, offset, length

	// Signer, from the signer's (or, for a document timestamp, the TSA's)
	// certificate.
	Certificate  *x509.Certificate
	Name         string // subject common name
	Organization string
	Serial       string // certificate serial number, hex, two digits a byte
	SigningTime  time.Time

	// Checks.
	Intact          bool // the covered bytes' digest matches the signed one
	CoversWholeFile bool // nothing was added after this signature
	SignatureValid  bool // the signature value verifies with the certificate's key
	Trusted         bool // the certificate chains to the given roots, valid at the signing or timestamp time

	HasTimestamp     bool
	TimestampTime    time.Time
	TimestampValid   bool // the TSA's signature verifies and the token stamps this signature
	TimestampTrusted bool // the TSA's certificate chains to the given roots

	Indication Indication
	Code       Code
	Reason     string
}

// maxSignatures bounds the work one file can ask for: each signature means
// a pass over the file.
const maxSignatures = 50

// Check lists the PDF signatures of the file of size bytes in r and says
// whether they are intact, cover the whole file and chain to roots (which
// also anchor TSA certificates); now is the time certificates are checked
// at when no trusted timestamp gives an earlier one. Whatever the bytes, the
// verdict is in the Report; the error is only for a failure to read r or a
// cancelled ctx.
func Check(ctx context.Context, r io.ReaderAt, size int64, roots *x509.CertPool, now time.Time) (*Report, error) {
	rep, err := check(ctx, r, size, roots, now)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		// r holds fewer bytes than size says: an upload cut short.
		return failed(Truncated, fmt.Sprintf("the file is truncated: it is shorter than its %d bytes", size)), nil
	}
	return rep, err
}

func check(ctx context.Context, r io.ReaderAt, size int64, roots *x509.CertPool, now time.Time) (*Report, error) {
	if size <= 0 {
		return failed(NotPDF, "the file is empty"), nil
	}
	sc, err := scanFile(ctx, r, size)
	if err != nil {
		return nil, err
	}
	switch {
	case !sc.header:
		return failed(NotPDF, "the file is not a PDF"), nil
	case sc.encrypted:
		return failed(Encrypted, "the PDF is encrypted; Paraph checks only unencrypted PDFs"), nil
	case len(sc.sigs) > maxSignatures:
		return failed(TooManySignatures, fmt.Sprintf("the PDF has more than %d signatures", maxSignatures)), nil
	}
	rep := &Report{}
	for _, off := range sc.sigs {
		d, ok, err := readSigDict(r, size, off)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		sig, err := checkSignature(ctx, r, size, d, roots, now)
		if err != nil {
			return nil, err
		}
		rep.Signatures = append(rep.Signatures, sig)
	}
	if len(rep.Signatures) == 0 {
		if !sc.eof {
			return failed(Damaged, "the file is damaged or truncated: it does not end as a PDF does"), nil
		}
		rep.Indication, rep.Code, rep.Reason = Indeterminate, NotSealed, "the PDF is not sealed: it has no PDF signature"
		return rep, nil
	}
	rep.decide(size)
	return rep, nil
}

func failed(code Code, reason string) *Report {
	return &Report{Indication: Failed, Code: code, Reason: reason}
}

// decide sets the overall result: every signature must pass and the last
// one must cover the whole file.
func (rep *Report) decide(size int64) {
	sigs := rep.Signatures
	for i := range sigs {
		if sigs[i].Code == Truncated {
			rep.set(Failed, Truncated, "the file is truncated: "+sigs[i].Reason)
			return
		}
	}
	for i := range sigs {
		if sigs[i].Indication == Failed {
			rep.set(Failed, sigs[i].Code, rep.which(i)+sigs[i].Reason)
			return
		}
	}
	last := 0
	for i := range sigs {
		if end(sigs[i].ByteRange) > end(sigs[last].ByteRange) {
			last = i
		}
	}
	if !sigs[last].CoversWholeFile {
		rep.set(Failed, ChangedAfterSeal, fmt.Sprintf("the PDF was changed after it was sealed: %d bytes were added after the last signature",
			size-end(sigs[last].ByteRange)))
		return
	}
	for i := range sigs {
		if sigs[i].Indication == Indeterminate {
			rep.set(Indeterminate, sigs[i].Code, rep.which(i)+sigs[i].Reason)
			return
		}
	}
	rep.set(Passed, "", "the PDF seal is intact")
	if len(sigs) > 1 {
		rep.Reason = fmt.Sprintf("the PDF's %d signatures are intact", len(sigs))
	}
}

func (rep *Report) set(ind Indication, code Code, reason string) {
	rep.Indication, rep.Code, rep.Reason = ind, code, reason
}

func (rep *Report) which(i int) string {
	if len(rep.Signatures) == 1 {
		return ""
	}
	return fmt.Sprintf("signature %d of %d: ", i+1, len(rep.Signatures))
}

func end(br [4]int64) int64 { return br[2] + br[3] }

// checkSignature checks one signature dictionary.
func checkSignature(ctx context.Context, r io.ReaderAt, size int64, d sigDict, roots *x509.CertPool, now time.Time) (Signature, error) {
	sig := Signature{ByteRange: d.byteRange}
	fail := func(code Code, reason string) (Signature, error) {
		sig.Indication, sig.Code, sig.Reason = Failed, code, reason
		return sig, nil
	}
	if d.problem != "" {
		if d.byteRange[2] > size || end(d.byteRange) > size {
			return fail(Truncated, "a signature covers bytes past the end of the file")
		}
		return fail(FormatFailure, "the signature is malformed: "+d.problem)
	}
	if end(d.byteRange) > size {
		return fail(Truncated, "a signature covers bytes past the end of the file")
	}
	sig.CoversWholeFile = end(d.byteRange) == size
	der, err := trimCMS(d.contents)
	if err != nil {
		return fail(FormatFailure, "the signature's CMS is malformed: "+err.Error())
	}
	sd, err := cades.Parse(der)
	if err != nil || len(sd.Signers) != 1 {
		return fail(FormatFailure, "the signature's CMS is malformed or has more than one signer")
	}
	if sd.ContentType.Equal(oidTSTInfo) {
		return checkDocumentTimestamp(ctx, r, d, der, roots, sig)
	}
	if len(sd.Certificates) != len(sd.RawCertificates) {
		return fail(FormatFailure, "a certificate in the signature is damaged")
	}
	sg := sd.Signers[0]
	sig.SigningTime = sg.SigningTime
	setSigner(&sig, sg.Certificate)

	var results []cades.SignerResult
	if h, ok := digestByName[sg.DigestAlgorithm]; ok {
		digest, err := digestRanges(ctx, r, d.byteRange, h)
		if err != nil {
			return sig, err
		}
		sig.Intact = bytes.Equal(digest, sg.MessageDigest)
		results, _ = sd.VerifyWith(nil, cades.VerifyOptions{Digests: map[string][]byte{sg.DigestAlgorithm: digest}})
	} else {
		results, err = sd.Verify(covered(r, d.byteRange))
		if err != nil {
			return sig, err
		}
	}
	res := results[0]
	sig.SignatureValid = res.Indication == cades.Passed || res.SubIndication == cades.HashFailure
	if res.Indication == cades.Passed {
		sig.Intact = true
	}
	setSigner(&sig, res.Certificate)
	if res.Indication != cades.Passed {
		code := Code(res.SubIndication)
		reason := map[cades.SubIndication]string{
			cades.HashFailure:                "the PDF was changed after it was signed: its content does not match the signature",
			cades.SigCryptoFailure:           "the signature value does not verify with the signer's certificate",
			cades.SigningCertificateMismatch: "the signature names another certificate than the one it carries",
			cades.FormatFailure:              "the signature's CMS is malformed",
			cades.AlgorithmUnsupported:       "the signature uses an algorithm Paraph does not check",
			cades.NoSigningCertificateFound:  "the signature does not carry the signer's certificate",
			cades.SignedDataNotFound:         "the signature's digest algorithm is not supported",
		}[res.SubIndication]
		if reason == "" {
			reason = "the signature does not verify"
		}
		sig.Indication, sig.Code, sig.Reason = Indication(res.Indication), code, reason
		return sig, nil
	}

	validAt := now
	token, err := signatureTimestamp(sd.Raw)
	if err != nil {
		return fail(FormatFailure, "the signature's unsigned attributes are malformed: "+err.Error())
	}
	if token != nil {
		sig.HasTimestamp = true
		tc := checkToken(token, func(h crypto.Hash) []byte {
			hh := h.New()
			hh.Write(sg.Signature)
			return hh.Sum(nil)
		}, roots)
		sig.TimestampTime, sig.TimestampValid, sig.TimestampTrusted = tc.time, tc.valid, tc.trusted
		if !tc.valid {
			return fail(TimestampFailure, tc.problem)
		}
		if tc.trusted {
			validAt = tc.time // the signature provably existed then
		}
	}
	code, reason := checkChain(res.Certificate, sd.Certificates, roots, validAt, nil)
	sig.Trusted = code == ""
	if code != "" {
		sig.Indication, sig.Code, sig.Reason = Indeterminate, code, reason
		return sig, nil
	}
	sig.Indication = Passed
	return sig, nil
}

// checkDocumentTimestamp checks an ETSI.RFC3161 document timestamp: a token
// whose imprint is the digest of the covered bytes.
func checkDocumentTimestamp(ctx context.Context, r io.ReaderAt, d sigDict, der []byte, roots *x509.CertPool, sig Signature) (Signature, error) {
	sig.DocumentTimestamp, sig.HasTimestamp = true, true
	var readErr error
	tc := checkToken(der, func(h crypto.Hash) []byte {
		digest, err := digestRanges(ctx, r, d.byteRange, h)
		if err != nil {
			readErr = err
		}
		return digest
	}, roots)
	if readErr != nil {
		return sig, readErr
	}
	setSigner(&sig, tc.tsa)
	sig.SigningTime, sig.TimestampTime = tc.time, tc.time
	sig.Intact, sig.SignatureValid, sig.TimestampValid = tc.valid, tc.valid, tc.valid
	sig.Trusted, sig.TimestampTrusted = tc.trusted, tc.trusted
	switch {
	case !tc.valid:
		sig.Indication, sig.Code, sig.Reason = Failed, HashFailure, "document timestamp: "+tc.problem
	case !tc.trusted:
		sig.Indication, sig.Code, sig.Reason = Indeterminate, NoCertificateChain, "document timestamp: "+tc.problem
	default:
		sig.Indication = Passed
	}
	return sig, nil
}

func setSigner(sig *Signature, c *x509.Certificate) {
	if c == nil || sig.Certificate != nil {
		return
	}
	sig.Certificate = c
	sig.Name = c.Subject.CommonName
	if len(c.Subject.Organization) > 0 {
		sig.Organization = c.Subject.Organization[0]
	}
	sig.Serial = hex.EncodeToString(c.SerialNumber.Bytes())
}

// checkChain verifies the certificate up to roots at the time t.
func checkChain(c *x509.Certificate, pool []*x509.Certificate, roots *x509.CertPool, t time.Time, usages []x509.ExtKeyUsage) (Code, string) {
	if roots == nil {
		return NoCertificateChain, "no trusted roots were given to check the signer's certificate against"
	}
	inter := x509.NewCertPool()
	for _, p := range pool {
		inter.AddCert(p)
	}
	if usages == nil {
		usages = []x509.ExtKeyUsage{x509.ExtKeyUsageAny}
	}
	_, err := c.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: t, KeyUsages: usages})
	if err == nil {
		return "", ""
	}
	var invalid x509.CertificateInvalidError
	var unknown x509.UnknownAuthorityError
	switch {
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired && t.After(c.NotAfter):
		return Expired, fmt.Sprintf("the signer's certificate expired on %s", c.NotAfter.Format(time.DateOnly))
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired && t.Before(c.NotBefore):
		return NotYetValid, fmt.Sprintf("the signer's certificate is valid only from %s", c.NotBefore.Format(time.DateOnly))
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return Expired, "a certificate of the signer's chain has expired"
	case errors.As(err, &unknown):
		return NoCertificateChain, "the signer's certificate is not issued by a trusted root"
	}
	return ChainConstraintsFailure, "the signer's certificate chain is not valid: " + err.Error()
}

var digestByName = map[string]crypto.Hash{cades.SHA256: crypto.SHA256, cades.SHA384: crypto.SHA384, cades.SHA512: crypto.SHA512}

// covered reads the two parts a ByteRange covers.
func covered(r io.ReaderAt, br [4]int64) io.Reader {
	return io.MultiReader(io.NewSectionReader(r, br[0], br[1]), io.NewSectionReader(r, br[2], br[3]))
}

func digestRanges(ctx context.Context, r io.ReaderAt, br [4]int64, h crypto.Hash) ([]byte, error) {
	hh := h.New()
	buf := make([]byte, 256<<10)
	src := covered(r, br)
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n, err := src.Read(buf)
		hh.Write(buf[:n])
		total += int64(n)
		if err == io.EOF {
			if total != br[1]+br[3] {
				return nil, fmt.Errorf("seal: read: %w", io.ErrUnexpectedEOF)
			}
			return hh.Sum(nil), nil
		}
		if err != nil {
			return nil, fmt.Errorf("seal: read: %w", err)
		}
	}
}

// trimCMS cuts the zero padding after the CMS in /Contents.
func trimCMS(b []byte) ([]byte, error) {
	s := cryptobyte.String(b)
	var el cryptobyte.String
	if s.ReadASN1Element(&el, cbasn1.SEQUENCE) {
		if len(bytes.Trim(s, "\x00")) != 0 {
			return nil, errors.New("data after the CMS")
		}
		return el, nil
	}
	if len(b) > 1 && b[0] == 0x30 && b[1] == 0x80 {
		// BER, indefinite length: it ends with end-of-contents octets, which
		// are zeros too; cades.Parse finds the end itself.
		t := bytes.TrimRight(b, "\x00")
		for extra := 0; extra <= 16; extra += 2 {
			cand := append(t[:len(t):len(t)], make([]byte, extra)...)
			if _, err := cades.Parse(cand); err == nil {
				return cand, nil
			}
		}
	}
	return nil, errors.New("not a DER SEQUENCE")
}
