package cades

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
)

// Indication is the main result of a signature validation (ETSI EN 319
// 102-1 section 5.1.3).
type Indication string

// The three indications of ETSI EN 319 102-1.
const (
	Passed        Indication = "passed"
	Indeterminate Indication = "indeterminate"
	Failed        Indication = "failed"
)

// SubIndication says why a validation failed or is indeterminate. The
// names follow ETSI EN 319 102-1 in lower case where it has one.
type SubIndication string

const (
	// Failed: the content's digest differs from messageDigest.
	HashFailure SubIndication = "hash_failure"
	// Failed: the signature value does not verify with the signer's key.
	SigCryptoFailure SubIndication = "sig_crypto_failure"
	// Failed: signingCertificateV2 (or v1) names another certificate than
	// the one the signer identifier points to. Our name: ETSI folds it into
	// other cases.
	SigningCertificateMismatch SubIndication = "signing_certificate_mismatch"
	// Failed: the SignerInfo is not CAdES-BES (no or malformed signed
	// attributes, a content type other than id-data).
	FormatFailure SubIndication = "format_failure"
	// Indeterminate: an algorithm cades does not implement.
	AlgorithmUnsupported SubIndication = "algorithm_unsupported"
	// Indeterminate: the signer's certificate is neither in the CMS nor
	// among those the caller gave.
	NoSigningCertificateFound SubIndication = "no_signing_certificate_found"
	// Indeterminate: a detached signature and no content (or no digest with
	// the signer's digest algorithm) to check it against.
	SignedDataNotFound SubIndication = "signed_data_not_found"
)

// SignerResult is the outcome for one signer. Passed means the signature is
// cryptographically sound and refers to Certificate: whether that
// certificate is trusted, valid at SigningTime, not revoked and the person
// expected is for the caller to decide.
type SignerResult struct {
	Indication    Indication
	SubIndication SubIndication // empty when Passed
	Err           error         // the reason, nil when Passed
	Signer        *Signer
	Certificate   *x509.Certificate // the signer's certificate, when found
}

// VerifyOptions tune VerifyWith.
type VerifyOptions struct {
	// Certificates are more candidates for signers' certificates, for
	// signatures that do not carry them.
	Certificates []*x509.Certificate
	// Digests are precomputed content digests by algorithm name
	// ("SHA-256", "Streebog-256"…), used instead of reading the content.
	Digests map[string][]byte
	// Signatures, when set, skips checking a signature value it remembers
	// as verified (by AssembleWith or an earlier verification with it) and
	// remembers those that verify now.
	Signatures *SignatureCache
}

// Verify checks every signer of a detached signature over content (read
// once, as a stream). When content is nil, the encapsulated content of an
// attached signature is used, if any. The error is only for a failure to read content; every
// verdict is in the results.
func (sd *SignedData) Verify(content io.Reader) ([]SignerResult, error) {
	return sd.VerifyWith(content, VerifyOptions{})
}

// VerifyDigest checks every signer against a precomputed content digest
// made with digestAlgorithm (a name as DigestFor returns). Signers using
// another digest algorithm come out indeterminate/signed_data_not_found.
func (sd *SignedData) VerifyDigest(digestAlgorithm string, digest []byte) []SignerResult {
	res, _ := sd.VerifyWith(nil, VerifyOptions{Digests: map[string][]byte{digestAlgorithm: digest}})
	return res
}

// VerifyWith is Verify with options.
func (sd *SignedData) VerifyWith(content io.Reader, opts VerifyOptions) ([]SignerResult, error) {
	digests := map[string][]byte{}
	for k, v := range opts.Digests {
		digests[k] = v
	}
	// The encapsulated content stands in only when the caller gave nothing
	// to check against: a given digest must not be bypassed by it.
	if content == nil && len(opts.Digests) == 0 && sd.Content != nil {
		content = bytes.NewReader(sd.Content)
	}
	if content != nil {
		// One pass over the content for every digest algorithm in use and
		// not given; none when all are.
		var ws []io.Writer
		hashes := map[string]interface{ Sum([]byte) []byte }{}
		for _, sg := range sd.Signers {
			d := digestByOID(sg.DigestAlgorithmOID)
			if d == nil || hashes[d.name] != nil || digests[d.name] != nil {
				continue
			}
			h := d.new()
			hashes[d.name] = h
			ws = append(ws, h)
		}
		if len(ws) > 0 {
			if _, err := io.Copy(io.MultiWriter(ws...), content); err != nil {
				return nil, fmt.Errorf("cades: read content: %w", err)
			}
		}
		for name, h := range hashes {
			digests[name] = h.Sum(nil)
		}
	}
	results := make([]SignerResult, len(sd.Signers))
	for i, sg := range sd.Signers {
		results[i] = sd.verifySigner(sg, digests, opts.Certificates, opts.Signatures)
	}
	return results, nil
}

func (sd *SignedData) verifySigner(sg *Signer, digests map[string][]byte, extra []*x509.Certificate, sc *SignatureCache) SignerResult {
	r := SignerResult{Signer: sg, Certificate: sg.Certificate}
	if r.Certificate == nil {
		for _, c := range extra {
			if sg.identifies(c) {
				r.Certificate = c
				break
			}
		}
	}
	fail := func(ind Indication, sub SubIndication, err error) SignerResult {
		r.Indication, r.SubIndication, r.Err = ind, sub, err
		return r
	}
	switch {
	case sg.SignedAttrs == nil:
		return fail(Failed, FormatFailure, errors.New("cades: no signed attributes: not CAdES-BES"))
	case sg.attrErr != nil:
		return fail(Failed, FormatFailure, sg.attrErr)
	case !sd.ContentType.Equal(oidData):
		return fail(Failed, FormatFailure, fmt.Errorf("cades: content type %s, want id-data", sd.ContentType))
	case sg.ContentType == nil:
		return fail(Failed, FormatFailure, errors.New("cades: no contentType attribute"))
	case !sg.ContentType.Equal(sd.ContentType):
		return fail(Failed, FormatFailure, fmt.Errorf("cades: contentType attribute %s differs from eContentType %s", sg.ContentType, sd.ContentType))
	case sg.MessageDigest == nil:
		return fail(Failed, FormatFailure, errors.New("cades: no messageDigest attribute"))
	}
	d := digestByOID(sg.DigestAlgorithmOID)
	if d == nil {
		return fail(Indeterminate, AlgorithmUnsupported, fmt.Errorf("%w: digest %s", errUnsupportedAlg, sg.DigestAlgorithmOID))
	}
	if r.Certificate == nil {
		return fail(Indeterminate, NoSigningCertificateFound, errors.New("cades: the signer's certificate is not in the signature"))
	}
	k, err := keyOf(r.Certificate)
	if err != nil {
		return fail(Indeterminate, AlgorithmUnsupported, err)
	}
	if err := verifySignature(k, sg.SignatureAlgorithmOID, sg.sigParams, d, sg.SignedAttrs, sg.Signature, sc); err != nil {
		if errors.Is(err, errUnsupportedAlg) {
			return fail(Indeterminate, AlgorithmUnsupported, err)
		}
		return fail(Failed, SigCryptoFailure, err)
	}
	if sg.SigningCertificate != nil {
		if err := sg.SigningCertificate.matches(r.Certificate); err != nil {
			if errors.Is(err, errUnsupportedAlg) {
				return fail(Indeterminate, AlgorithmUnsupported, err)
			}
			return fail(Failed, SigningCertificateMismatch, err)
		}
	}
	digest, ok := digests[d.name]
	if !ok {
		return fail(Indeterminate, SignedDataNotFound, fmt.Errorf("cades: no content or %s digest to check the signature against", d.name))
	}
	if !bytes.Equal(digest, sg.MessageDigest) {
		return fail(Failed, HashFailure, errors.New("cades: the content's digest differs from the signed messageDigest"))
	}
	r.Indication = Passed
	return r
}
