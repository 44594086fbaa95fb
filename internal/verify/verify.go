// Package verify checks detached CMS/CAdES signatures the way Paraph reports
// them everywhere — the server's verification page and API, and the
// offline `paraph verify` command: cryptography by cades, certificate chain
// and validity at signing time by pki, the result in ETSI EN 319 102-1
// terms (passed, indeterminate, failed, with a sub-indication). It needs no
// database and no network (unless revocation checking is asked for).
package verify

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"paraph/cades"
	"paraph/pki"
)

// Indications (ETSI EN 319 102-1).
const (
	Passed        = "passed"
	Indeterminate = "indeterminate"
	Failed        = "failed"
)

// Report is the outcome for a file and its signature.
type Report struct {
	Result     string      `json:"result"`            // the worst of everything checked
	Reason     string      `json:"reason,omitempty"`  // a stable code for a result that is not passed as a whole
	Message    string      `json:"message,omitempty"` // that reason in a sentence
	Kind       string      `json:"kind,omitempty"`    // final_pdf, detached or file
	FileName   string      `json:"file_name,omitempty"`
	Size       int64       `json:"size,omitempty"`
	SHA256     string      `json:"sha256,omitempty"`
	Seal       *Seal       `json:"seal,omitempty"`      // the PDF's seal, for a sealed PDF
	Original   *Original   `json:"original,omitempty"`  // the original embedded in a final PDF
	Documents  []Document  `json:"documents,omitempty"` // this Paraph's documents the file belongs to (server only)
	Signatures []Signature `json:"signatures"`
	CheckedAt  time.Time   `json:"checked_at"`
}

// Signature is one signer's outcome.
type Signature struct {
	Indication    string           `json:"indication"`
	SubIndication string           `json:"sub_indication,omitempty"`
	Message       string           `json:"message"`
	Signer        string           `json:"signer,omitempty"`
	Organization  string           `json:"organization,omitempty"`
	Identifiers   any              `json:"identifiers,omitempty"`
	Serial        string           `json:"serial,omitempty"`
	Issuer        string           `json:"issuer,omitempty"`
	NotBefore     time.Time        `json:"not_before,omitzero"`
	NotAfter      time.Time        `json:"not_after,omitzero"`
	KeyAlgorithm  string           `json:"key_algorithm,omitempty"`
	SigningTime   time.Time        `json:"signing_time,omitzero"`
	Trusted       bool             `json:"trusted"`
	Certificate   *pki.Certificate `json:"-"`
}

// Options tune a check.
type Options struct {
	Now             time.Time // when the check runs; zero: time.Now()
	CheckRevocation bool
	// Certificates, when set, parses the certificates the signature
	// carries, so that a signer seen before is not parsed again; the
	// report's Signature.Certificate is then shared and read-only.
	Certificates *pki.Cache
	// Signatures, when set, skips checking a signature value it remembers
	// as verified — by cades.AssembleWith with the same cache, just before —
	// and remembers those that verify now.
	Signatures *cades.SignatureCache
	// Digests are the content's digests already known, by algorithm name
	// (cades.SHA256…): a signature with one of them is checked against it
	// and the content is read only for the others. The server knows each
	// document's SHA-256: its files are stored under it.
	Digests map[string][]byte
}

// Detached checks a detached signature over content against the roots of
// trust. A signature that is not CMS gives an error; everything about the
// signature itself is in the report.
func Detached(ctx context.Context, content io.Reader, sig []byte, trust *pki.TrustStore, opts Options) (*Report, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now().UTC()
	}
	sd, err := cades.Parse(sig)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	results, err := sd.VerifyWith(content, cades.VerifyOptions{Signatures: opts.Signatures, Digests: opts.Digests})
	if err != nil {
		return nil, fmt.Errorf("verify: read the file: %w", err)
	}
	rep := &Report{Kind: KindDetached, CheckedAt: opts.Now, Result: Passed}
	if len(results) == 0 {
		rep.Result = Indeterminate
	}
	for _, r := range results {
		s := judge(ctx, r, sd, trust, opts)
		rep.Signatures = append(rep.Signatures, s)
		rep.Result = Worst(rep.Result, s.Indication)
	}
	return rep, nil
}

// Worst is the worse of two indications: failed, then indeterminate, then passed.
func Worst(a, b string) string {
	rank := map[string]int{Passed: 0, Indeterminate: 1, Failed: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// judge adds the certificate's side to cades' cryptographic verdict.
func judge(ctx context.Context, r cades.SignerResult, sd *cades.SignedData, trust *pki.TrustStore, opts Options) Signature {
	s := Signature{Indication: string(r.Indication), SubIndication: string(r.SubIndication)}
	if r.Signer != nil {
		s.SigningTime = r.Signer.SigningTime
	}
	parse := pki.Parse
	if opts.Certificates != nil {
		parse = opts.Certificates.Parse
	}
	var leaf *pki.Certificate
	if r.Certificate != nil {
		if certs, err := parse(r.Certificate.Raw); err == nil && len(certs) == 1 {
			leaf = certs[0]
			s.Certificate = leaf
			s.Signer = leaf.CommonNameOrSubject()
			s.Organization = leaf.Organization
			s.Identifiers = leaf.Identifiers()
			s.Serial, s.Issuer = leaf.SerialHex, leaf.Issuer
			s.NotBefore, s.NotAfter, s.KeyAlgorithm = leaf.NotBefore, leaf.NotAfter, leaf.KeyAlgorithm
		}
	}
	if r.Indication != cades.Passed {
		s.Message = message(s.SubIndication, r.Err)
		return s
	}
	if leaf == nil {
		s.Indication, s.SubIndication = Indeterminate, "no_signing_certificate_found"
		s.Message = message(s.SubIndication, nil)
		return s
	}
	// The certificate must have been valid when it signed; without a
	// signing time, now.
	at := s.SigningTime
	if at.IsZero() || at.After(opts.Now) {
		at = opts.Now
	}
	var others []*pki.Certificate
	for _, raw := range sd.RawCertificates {
		if bytes.Equal(raw, leaf.Raw) {
			continue // the leaf itself, usually first: no need to parse it again
		}
		if c, err := parse(raw); err == nil && len(c) == 1 && c[0].FingerprintSHA256 != leaf.FingerprintSHA256 {
			others = append(others, c[0])
		}
	}
	if trust == nil {
		trust = pki.NewTrustStore()
	}
	v, err := trust.Verify(ctx, leaf, others, at, pki.VerifyOptions{CheckRevocation: opts.CheckRevocation})
	if err != nil {
		s.Indication, s.SubIndication, s.Message = Indeterminate, "try_later", err.Error()
		return s
	}
	s.Trusted = v.Trusted
	switch v.Reason {
	case "":
		s.Message = "The signature is valid: the file is exactly what was signed, by this certificate, valid and trusted at signing time."
	case pki.ReasonUntrusted:
		s.Indication, s.SubIndication = Indeterminate, "no_certificate_chain_found"
	case pki.ReasonRevoked:
		s.Indication, s.SubIndication = Failed, "revoked"
	case pki.ReasonExpired:
		s.Indication, s.SubIndication = Failed, "expired"
	case pki.ReasonNotYetValid:
		s.Indication, s.SubIndication = Failed, "not_yet_valid"
	case pki.ReasonBadSignature:
		s.Indication, s.SubIndication = Failed, "sig_crypto_failure"
	case pki.ReasonAlgorithmUnsupported:
		s.Indication, s.SubIndication = Indeterminate, "algorithm_unsupported"
	default:
		s.Indication, s.SubIndication = Indeterminate, string(v.Reason)
	}
	if s.Message == "" {
		s.Message = message(s.SubIndication, nil)
		if v.Detail != "" {
			s.Message += " (" + v.Detail + ")"
		}
	}
	return s
}

func message(sub string, err error) string {
	m := map[string]string{
		"hash_failure":                 "The file was changed after signing, or the signature is for another file.",
		"sig_crypto_failure":           "The signature value does not verify with the signer's key.",
		"signing_certificate_mismatch": "The signature names another certificate than the one that made it.",
		"format_failure":               "The signature is malformed.",
		"algorithm_unsupported":        "The signature's algorithm cannot be checked here.",
		"no_signing_certificate_found": "The signature does not carry the signer's certificate.",
		"no_certificate_chain_found":   "The signer's certificate does not chain to a trusted root.",
		"revoked":                      "The signer's certificate was revoked.",
		"expired":                      "The signer's certificate had expired when it signed.",
		"not_yet_valid":                "The signer's certificate was not yet valid when it signed.",
		"revocation_unknown":           "Whether the certificate was revoked could not be checked.",
	}[sub]
	if m == "" && err != nil {
		m = err.Error()
	}
	if m == "" {
		m = sub
	}
	return m
}
