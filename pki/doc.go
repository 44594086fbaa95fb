// Package pki reads X.509 certificates the way Russian, Ukrainian and
// Belarusian qualified certificates are written, and decides whether one can
// be trusted: parsing (PEM, DER, .cer/.crt and .p7b chains), the subject's
// national identifiers (INN, INNLE, OGRN, OGRNIP, SNILS; EDRPOU, RNOKPP),
// key algorithm and usage, chains to the roots of a TrustStore with every
// signature checked — GOST R 34.10-2012 ones included, through package gost —
// CRL revocation checking, and the status shown to people (active, expiring
// or invalid with a reason).
//
// It is a public package with a permissive licence, written in pure Go with
// only the standard library and paraph/gost, so that it is useful outside
// Paraph as well.
//
// What it does not do:
//   - No network access, unless a caller asks for revocation checking
//     (VerifyOptions.CheckRevocation); then only CRLs are fetched, over http
//     and https, with timeouts and size caps.
//   - No storage: nothing is written to disk; a Status is derived from a
//     clock when it is asked for, never kept.
//   - No private keys: a private key handed to Parse is refused with
//     ErrPrivateKey and its bytes are never echoed in an error.
//   - No OCSP and no delta CRLs (yet); DSTU 4145 keys are recognised but
//     cannot be verified (Reason algorithm_unsupported).
//
// Errors are wrapped with context and carry one of the sentinel errors
// (ErrNotCertificate, ErrPrivateKey, ErrTruncated, ErrTooLarge,
// ErrMalformed); Message turns any of them into a sentence safe to show to
// the person who uploaded the file.
package pki
