package cades

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"paraph/gost"
)

// Prepared is the outcome of Prepare: the signed attributes and what the
// signer's key must sign. It holds nothing secret and can be stored between
// the two steps (all fields are exported for that).
//
// What the client signs, per algorithm (SignatureAlgorithm):
//
//   - ECDSA (P-256 with SHA-256, P-384 with SHA-384): the message
//     ToBeSigned, hashed with DigestAlgorithm — WebCrypto
//     sign({name:"ECDSA", hash:"SHA-256"}, key, ToBeSigned), openssl dgst
//     -sha256 -sign; or Digest given to a crypto.Signer with Hash. The
//     signature may be DER (ECDSA-Sig-Value) or raw r‖s as WebCrypto
//     returns it; Assemble converts the latter.
//   - RSA (2048 bits or more, SHA-256): the same, PKCS#1 v1.5
//     (RSASSA-PKCS1-v1_5) or PSS with MGF1-SHA-256 and a 32-byte salt
//     (WebCrypto RSA-PSS saltLength: 32); Assemble tells them apart.
//   - Ed25519: the message ToBeSigned itself, no pre-hash (pure Ed25519,
//     RFC 8419); Digest is nil.
//   - GOST3410-2012-256/512: the message ToBeSigned, hashed with
//     Streebog-256/512 (openssl dgst -engine gost -md_gost12_256 -sign), or
//     Digest given to a GOST crypto.Signer such as *gost.PrivateKey, which
//     reads it as a little-endian integer per GOST R 34.10-2012. The
//     signature is 64 (or 128) bytes: s then r, each big-endian, as
//     gost.PrivateKey.Sign and OpenSSL's GOST engine produce it.
type Prepared struct {
	SignedAttrs        []byte      // the DER SET OF signed attributes
	ToBeSigned         []byte      // the message the key signs: the same bytes as SignedAttrs
	Digest             []byte      // DigestAlgorithm of ToBeSigned, for signers that take a digest; nil for Ed25519
	DigestAlgorithm    string      // "SHA-256", "SHA-384", "SHA-512", "Streebog-256", "Streebog-512"
	Hash               crypto.Hash // Digest's crypto.Hash for crypto.Signer; 0 for Streebog (none exists) and Ed25519
	SignatureAlgorithm string      // AlgECDSA, AlgRSAPKCS1v15 (PSS accepted too), AlgEd25519, AlgGOST256, AlgGOST512
	SigningTime        time.Time   // as encoded: UTC, whole seconds
}

// Prepare is step one of the two-step flow: it builds the CAdES-BES signed
// attributes for a signature with cert over content whose digest (made with
// the algorithm DigestFor returns for cert) is contentDigest: contentType
// id-data, signingTime, messageDigest and signingCertificateV2 (the
// certificate's SHA-256 hash, or Streebog-256 for GOST keys as the Russian
// CAdES profiles require, with issuer and serial number).
func Prepare(cert *x509.Certificate, contentDigest []byte, signingTime time.Time) (*Prepared, error) {
	k, err := keyOf(cert)
	if err != nil {
		return nil, err
	}
	if len(contentDigest) != k.digest.size {
		return nil, fmt.Errorf("cades: content digest of %d bytes, %s needs %d", len(contentDigest), k.digest.name, k.digest.size)
	}
	certHash := digestByName(SHA256)
	if k.alg == AlgGOST256 || k.alg == AlgGOST512 {
		certHash = digestByName(Streebog256)
	}
	attrs, err := buildSignedAttrs(contentDigest, signingTime, cert, certHash)
	if err != nil {
		return nil, err
	}
	p := &Prepared{
		SignedAttrs:        attrs,
		ToBeSigned:         attrs,
		DigestAlgorithm:    k.digest.name,
		Hash:               k.digest.hash,
		SignatureAlgorithm: k.alg,
		SigningTime:        signingTime.UTC().Truncate(time.Second),
	}
	if k.alg != AlgEd25519 {
		h := k.digest.new()
		h.Write(attrs)
		p.Digest = h.Sum(nil)
	} else {
		p.Hash = 0
	}
	return p, nil
}

// Assemble is step two: it checks signature, made by the client over
// p.ToBeSigned, with cert's key now, and returns the detached CMS
// SignedData (DER ContentInfo, no encapsulated content) carrying cert and
// chain. The attributes must name cert (signingCertificateV2), so a
// signature cannot be assembled under a certificate it was not prepared for.
func Assemble(p *Prepared, cert *x509.Certificate, chain []*x509.Certificate, signature []byte) ([]byte, error) {
	return AssembleWith(p, cert, chain, signature, AssembleOptions{})
}

// AssembleOptions tune AssembleWith.
type AssembleOptions struct {
	// Signatures, when set, records the signature value once it verified,
	// so that verifying the returned CMS with the same cache
	// (VerifyOptions.Signatures) does not check it a second time.
	Signatures *SignatureCache
}

// AssembleWith is Assemble with options.
func AssembleWith(p *Prepared, cert *x509.Certificate, chain []*x509.Certificate, signature []byte, opts AssembleOptions) ([]byte, error) {
	if p == nil {
		return nil, errors.New("cades: nothing prepared")
	}
	k, err := keyOf(cert)
	if err != nil {
		return nil, err
	}
	d := digestByName(p.DigestAlgorithm)
	if d != k.digest {
		return nil, fmt.Errorf("cades: prepared with %s, the certificate's key needs %s", p.DigestAlgorithm, k.digest.name)
	}
	sg := &Signer{SignedAttrs: p.SignedAttrs}
	if err := sg.decodeAttributes(); err != nil {
		return nil, err
	}
	if !sg.ContentType.Equal(oidData) || len(sg.MessageDigest) != d.size || sg.SigningCertificate == nil {
		return nil, errors.New("cades: the prepared attributes are not CAdES-BES for a document")
	}
	if err := sg.SigningCertificate.matches(cert); err != nil {
		return nil, err
	}
	alg, err := checkSignatureValue(k, d, p.SignedAttrs, &signature, opts.Signatures)
	if err != nil {
		return nil, fmt.Errorf("cades: the signature value does not verify with the certificate's key: %w", err)
	}
	var sigAlg cryptobyte.Builder
	signatureAlgorithm(&sigAlg, alg, d)
	sigAlgDER, err := sigAlg.Bytes()
	if err != nil {
		return nil, fmt.Errorf("cades: encode signature algorithm: %w", err)
	}
	return encodeSignedData(cert, chain, d, p.SignedAttrs, sigAlgDER, signature)
}

// SignOptions tune Sign and SignDigest.
type SignOptions struct {
	SigningTime time.Time           // zero: now
	Chain       []*x509.Certificate // intermediate certificates to carry
	PSS         bool                // RSA keys: RSASSA-PSS instead of PKCS#1 v1.5
	Rand        io.Reader           // nil: crypto/rand
}

// Sign is the one-step flow for tools and tests: it digests content,
// prepares, signs with key (any crypto.Signer: ECDSA, RSA, Ed25519,
// *gost.PrivateKey, a token) and assembles.
func Sign(content io.Reader, cert *x509.Certificate, key crypto.Signer, opts SignOptions) ([]byte, error) {
	h, _, err := DigestFor(cert)
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(h, content); err != nil {
		return nil, fmt.Errorf("cades: read content: %w", err)
	}
	return SignDigest(h.Sum(nil), cert, key, opts)
}

// SignDigest is Sign for a content digest made with DigestFor's algorithm.
func SignDigest(contentDigest []byte, cert *x509.Certificate, key crypto.Signer, opts SignOptions) ([]byte, error) {
	t := opts.SigningTime
	if t.IsZero() {
		t = time.Now()
	}
	p, err := Prepare(cert, contentDigest, t)
	if err != nil {
		return nil, err
	}
	sig, err := SignPrepared(p, key, opts)
	if err != nil {
		return nil, err
	}
	return Assemble(p, cert, opts.Chain, sig)
}

// SignPrepared makes the signature value for p with key, as a client of the
// two-step flow does.
func SignPrepared(p *Prepared, key crypto.Signer, opts SignOptions) ([]byte, error) {
	rnd := opts.Rand
	if rnd == nil {
		rnd = rand.Reader // some signers (RSA-PSS) read randomness and do not default it
	}
	var sig []byte
	var err error
	switch {
	case p.SignatureAlgorithm == AlgEd25519:
		sig, err = key.Sign(rnd, p.ToBeSigned, crypto.Hash(0))
	case p.SignatureAlgorithm == AlgRSAPKCS1v15 && opts.PSS:
		sig, err = key.Sign(rnd, p.Digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: p.Hash})
	default:
		sig, err = key.Sign(rnd, p.Digest, p.Hash)
	}
	if err != nil {
		return nil, fmt.Errorf("cades: sign: %w", err)
	}
	return sig, nil
}

// encodeSignedData writes the ContentInfo of a detached SignedData with one
// SignerInfo identified by issuer and serial number (version 1).
func encodeSignedData(cert *x509.Certificate, chain []*x509.Certificate, d *digestAlg, attrs, sigAlg, signature []byte) ([]byte, error) {
	attrsIn := cryptobyte.String(attrs)
	var attrsBody cryptobyte.String
	if !attrsIn.ReadASN1(&attrsBody, cbasn1.SET) {
		return nil, errors.New("cades: signed attributes are not a SET")
	}
	certs := [][]byte{cert.Raw}
	for _, c := range chain {
		dup := false
		for _, have := range certs {
			dup = dup || bytes.Equal(have, c.Raw)
		}
		if !dup {
			certs = append(certs, c.Raw)
		}
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ContentInfo
		b.AddASN1ObjectIdentifier(oidSignedData)
		b.AddASN1(tagContext0, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignedData
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { addAlgorithm(b, d.oid, d.nullParams) })
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidData) })
				b.AddASN1(tagContext0, func(b *cryptobyte.Builder) {
					for _, c := range certs {
						b.AddBytes(c)
					}
				})
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignerInfo
						b.AddASN1Int64(1)
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddBytes(cert.RawIssuer)
							b.AddASN1BigInt(cert.SerialNumber)
						})
						addAlgorithm(b, d.oid, d.nullParams)
						b.AddASN1(tagContext0, func(b *cryptobyte.Builder) { b.AddBytes(attrsBody) })
						b.AddBytes(sigAlg)
						b.AddASN1OctetString(signature)
					})
				})
			})
		})
	})
	return b.Bytes()
}

// checkSignatureValue verifies a client's signature value over attrs and
// returns the signature algorithm it turned out to be. It converts a raw
// r‖s ECDSA signature to DER in place, and tells RSA PKCS#1 v1.5 from PSS
// (salt as long as the hash, the WebCrypto and Go default). A value that
// verifies is added to sc, which may be nil.
func checkSignatureValue(k *signerKey, d *digestAlg, attrs []byte, sig *[]byte, sc *SignatureCache) (string, error) {
	verified := func(alg string, salt int) (string, error) {
		if sc != nil {
			sc.add(signatureKey(k, alg, salt, d, attrs, *sig))
		}
		return alg, nil
	}
	switch k.alg {
	case AlgECDSA:
		pub := k.pub.(*ecdsa.PublicKey)
		digest := digestOf(d, attrs)
		if ecdsa.VerifyASN1(pub, digest, *sig) {
			return verified(AlgECDSA, 0)
		}
		if der := ecdsaToDER(pub, *sig); der != nil && ecdsa.VerifyASN1(pub, digest, der) {
			*sig = der
			return verified(AlgECDSA, 0)
		}
		return "", errors.New("cades: ECDSA signature does not verify")
	case AlgRSAPKCS1v15:
		pub := k.pub.(*rsa.PublicKey)
		digest := digestOf(d, attrs)
		if rsa.VerifyPKCS1v15(pub, d.hash, digest, *sig) == nil {
			return verified(AlgRSAPKCS1v15, 0)
		}
		if rsa.VerifyPSS(pub, d.hash, digest, *sig, &rsa.PSSOptions{SaltLength: d.size, Hash: d.hash}) == nil {
			return verified(AlgRSAPSS, d.size)
		}
		return "", errors.New("cades: RSA signature does not verify as PKCS#1 v1.5 nor as PSS")
	}
	oid := gost.OIDPublicKey256
	switch k.alg {
	case AlgEd25519:
		oid = oidEd25519
	case AlgGOST512:
		oid = gost.OIDPublicKey512
	}
	return k.alg, verifySignature(k, oid, nil, d, attrs, *sig, sc)
}

// ecdsaToDER turns a raw r‖s signature (WebCrypto, PKCS#11) into the
// ECDSA-Sig-Value CMS carries; nil when sig has not the raw length.
func ecdsaToDER(pub *ecdsa.PublicKey, sig []byte) []byte {
	size := (pub.Curve.Params().BitSize + 7) / 8
	if len(sig) != 2*size {
		return nil
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1BigInt(new(big.Int).SetBytes(sig[:size]))
		b.AddASN1BigInt(new(big.Int).SetBytes(sig[size:]))
	})
	return b.BytesOrPanic()
}

func digestOf(d *digestAlg, data []byte) []byte {
	h := d.new()
	h.Write(data)
	return h.Sum(nil)
}
