// Package cades makes and checks detached electronic signatures in the
// CAdES-BES form: CMS SignedData (RFC 5652) whose signed attributes carry
// contentType, messageDigest, signingTime and signingCertificateV2 (RFC
// 5035, ETSI EN 319 122-1). It is written on encoding/asn1 and cryptobyte
// rather than a PKCS #7 library because those cannot do GOST and give no
// byte-exact control of the signed attributes, which the two-step flow and
// signingCertificateV2 need.
//
// # Algorithms
//
//   - ECDSA P-256 / P-384 / P-521 with SHA-256 / SHA-384 / SHA-512
//     (RFC 5753, RFC 5758);
//   - RSA (2048 bits and up) with SHA-256, PKCS #1 v1.5 and PSS
//     (RFC 3370, RFC 4056);
//   - Ed25519, pure, with SHA-512 for messageDigest (RFC 8419);
//   - GOST R 34.10-2012 256 and 512 with Streebog-256 and -512 (RFC 4490
//     and RFC 9337, via package paraph/gost).
//
// Anything else is reported as indeterminate/algorithm_unsupported, never as
// a pass. SHA-1 is not accepted as a digest algorithm.
//
// # Two steps
//
// A person's key never reaches the server. Prepare builds the signed
// attributes for a certificate and a content digest (DigestFor says which
// digest); the client signs Prepared.ToBeSigned (see Prepared for exactly
// what each algorithm signs); Assemble checks the value at once and returns
// the detached SignedData. Sign does both steps with a crypto.Signer.
//
// # GOST conventions
//
// Established against OpenSSL's GOST engine (tests in openssl_test.go):
// the SignerInfo carries digestAlgorithm id-tc26-gost3411-12-256/512 and
// signatureAlgorithm id-tc26-gost3410-12-256/512 (the key OID, as the
// engine and CryptoPro write it; the signwithdigest OIDs are accepted too),
// both with NULL parameters. The signature value is the Streebog hash of the
// DER signed attributes signed per GOST R 34.10-2012 (digest read as a
// little-endian integer), encoded as s then r, each big-endian in 32 or 64
// bytes — the same bytes gost.PrivateKey.Sign returns and a certificate's
// BIT STRING holds, with no reversal. signingCertificateV2 uses
// Streebog-256 for the certificate hash, as the Russian CAdES profiles do.
//
// # What is decided here, and what is not
//
// Verify decides whether each signature is well formed CAdES-BES, whether
// its value verifies with the signer's certificate key over the signed
// attributes, whether messageDigest matches the content and whether
// signingCertificateV2 names the certificate used. Its results follow ETSI
// EN 319 102-1: passed, indeterminate or failed with a sub-indication.
//
// It does not decide whether the certificate is trusted (chain building to
// a root), valid at the signing time, revoked, fit for signing (key usage),
// or whether the signer is the person expected: the caller combines the
// SignerResult with its PKI (the signer's certificate and every certificate
// found in the CMS are exposed for that). signingTime is the signer's claim,
// not a proof of time; unsigned attributes such as timestamps (CAdES-T) are
// skipped.
//
// # Input
//
// Parse takes DER, BER (indefinite lengths and chunked strings, as
// `openssl cms -stream` and some CryptoPro versions write, converted to DER),
// PEM or bare base64, up to MaxSize bytes, and never panics on any input.
package cades
