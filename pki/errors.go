package pki

import "errors"

// Errors returned by Parse, tested with errors.Is. Their text is for logs;
// Message gives the sentence to show to people.
var (
	ErrNotCertificate = errors.New("pki: not a certificate")
	ErrPrivateKey     = errors.New("pki: a private key, not a certificate")
	ErrTruncated      = errors.New("pki: truncated DER")
	ErrTooLarge       = errors.New("pki: file too large")
	ErrMalformed      = errors.New("pki: malformed certificate")
)

// Message returns a sentence about err that is safe to show to the person
// who uploaded the file: it never contains the file's bytes. It returns ""
// when err is nil and a generic sentence for errors it does not know.
func Message(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrPrivateKey):
		return "This is a private key, not a certificate. It was not stored; keep it secret and upload the certificate (.cer, .crt, .pem) instead."
	case errors.Is(err, ErrTooLarge):
		return "The file is larger than 1 MiB; a certificate or a .p7b chain is much smaller."
	case errors.Is(err, ErrTruncated):
		return "The certificate file is cut short (truncated DER). Upload the whole file again."
	case errors.Is(err, ErrMalformed):
		return "The certificate is damaged or uses a structure that cannot be read."
	case errors.Is(err, ErrNotCertificate):
		return "This file is not a certificate (PEM, DER or .p7b)."
	}
	return "The certificate could not be read."
}

// Errors of signature checks (Certificate.CheckSignatureFrom and CRLs).
var (
	ErrBadSignature         = errors.New("pki: signature does not verify")
	ErrUnsupportedAlgorithm = errors.New("pki: signature or key algorithm not supported")
)
