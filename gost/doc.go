// Package gost implements the Russian GOST cryptographic algorithms used in
// qualified electronic signatures: the GOST R 34.11-2012 "Streebog" hash
// (RFC 6986) and GOST R 34.10-2012 elliptic-curve signatures with 256- and
// 512-bit keys (RFC 7091), with the key and signature encodings of
// RFC 9215 (X.509 / CMS). It is written from those standards, with only
// the Go standard library.
//
// # Parameter sets
//
// Every set of RFC 7836 and RFC 9215 is supported, and the CryptoPro sets
// of RFC 4357: tc26 256-bit paramSetA..D, tc26 512-bit paramSetA..C,
// CryptoPro A, B, C, XchA (= A) and XchB (= C), plus the two test sets of
// the RFC 7091 examples. The twisted Edwards sets (tc26 256 A, 512 C) are
// used in their Weierstrass form. See Curves and CurveByOID.
//
// # Byte orders
//
//   - Streebog: Sum256, Sum512 and hash.Hash.Sum return the digest as
//     OpenSSL and the CMS/X.509 profiles carry it. RFC 6986 prints its
//     messages and digests as big-endian numbers, i.e. byte-reversed.
//   - Digest to integer: GOST R 34.10-2012 reads the digest as a
//     little-endian integer (byte 0 least significant), e = that mod Q.
//   - Signatures: 2*PointSize bytes, s then r, each big-endian (RFC 9215
//     section 4, RFC 4491 section 2.2.2). This is what OpenSSL's GOST engine
//     writes and what the signatureValue BIT STRING of a GOST certificate
//     holds, unchanged.
//   - Public keys: X then Y, each little-endian in PointSize bytes, inside
//     an OCTET STRING inside the SubjectPublicKeyInfo BIT STRING.
//   - Private keys (PKCS #8): D little-endian in PointSize bytes, directly
//     as the privateKey OCTET STRING (OpenSSL's GOST engine form); a nested
//     OCTET STRING or an INTEGER is accepted on input.
//
// # Constant time
//
// Operations on secrets (key generation, the nonce k and private key d in
// Sign) use a fixed-size field implementation: Montgomery arithmetic on 4
// or 8 64-bit limbs with no data-dependent branches or early exits, and
// final reductions done with masks. Scalar multiplication by a secret uses
// fixed 4-bit windows over the complete Renes-Costello-Batina formulas,
// with every table entry read on each lookup; k*G uses a precomputed
// fixed-base table the same way. Nonces and keys come from rejection
// sampling, with no reduction of secrets by math/big.
//
// Not constant time, on purpose or by limitation:
//   - Verify and the public-key checks: all their inputs are public. They
//     use variable-time Jacobian/wNAF arithmetic and math/big.
//   - Turning the projective point k*G into r: Z is multiplied by a fresh
//     random blinding factor before a variable-time math/big inversion, so
//     that inversion sees only a uniformly random value.
//   - Conversions between *big.Int (PrivateKey.D) and limbs, and r and s
//     (public outputs), go through math/big, which may leak the length of
//     D's representation.
//   - Streebog uses table lookups indexed by data bytes, as do all fast
//     software implementations of it; hashing secret data may leak through
//     the cache.
//   - The Go compiler gives no guarantee that branch-free source stays
//     branch-free; the code has been written for, not verified at, the
//     machine-code level.
package gost
