package verify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"paraph/internal/pdf"
	"paraph/internal/seal"
	"paraph/pki"
)

// Kinds of checked files.
const (
	KindFinalPDF = "final_pdf" // a PDF with a seal: a final PDF of Paraph, or another signed PDF
	KindDetached = "detached"  // a file with its detached signature
	KindFile     = "file"      // a file alone, without signatures of its own
)

// Seal is the outcome for a PDF signature over the whole PDF (the seal of a
// final PDF).
type Seal struct {
	Indication string    `json:"indication"`
	Reason     string    `json:"reason,omitempty"` // a stable code when not passed
	Message    string    `json:"message"`
	Signer     string    `json:"signer,omitempty"`
	SignedAt   time.Time `json:"signed_at,omitzero"`
	Timestamp  time.Time `json:"timestamp,omitzero"` // the RFC 3161 time, when the seal carries one
	Trusted    bool      `json:"trusted"`
}

// Original is the original file found inside a final PDF.
type Original struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// Document is a completed document of this Paraph that a checked file
// belongs to, with the signatures as they were verified when made.
type Document struct {
	Title        string           `json:"title"`
	Number       string           `json:"number,omitempty"`
	Date         string           `json:"date,omitempty"`
	Organization string           `json:"organization"`
	CompletedAt  time.Time        `json:"completed_at"`
	Result       string           `json:"result"`
	VerifyURL    string           `json:"verify_url"`
	FinalSHA256  string           `json:"final_sha256,omitempty"`
	Signers      []DocumentSigner `json:"signers"`
}

// DocumentSigner is one signature of a Document.
type DocumentSigner struct {
	Name         string    `json:"name"`
	Organization string    `json:"organization,omitempty"`
	Method       string    `json:"method"` // "qualified" or "simple"
	SignedAt     time.Time `json:"signed_at"`
	Result       string    `json:"result"`
}

// Options for the seal: roots it may chain to besides the trust store's.
type FinalOptions struct {
	Options
	SealRoots []*x509.Certificate
}

// FinalPDF checks a PDF that carries a seal: the seal over the whole file,
// then each CMS signature embedded in it against the original embedded next
// to it. A PDF without a seal gives a report of kind KindFile, with no Seal;
// one that is not a PDF, or damaged, or encrypted, a failed report saying so.
func FinalPDF(ctx context.Context, r io.ReaderAt, size int64, trust *pki.TrustStore, opts FinalOptions) (*Report, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now().UTC()
	}
	rep := &Report{Kind: KindFinalPDF, Result: Passed, CheckedAt: opts.Now, Size: size}
	sr, err := seal.Check(ctx, r, size, sealPool(trust, opts.SealRoots), opts.Now)
	if err != nil {
		return nil, fmt.Errorf("verify: read the PDF: %w", err)
	}
	if len(sr.Signatures) == 0 {
		rep.Kind = KindFile
		if sr.Indication == seal.Failed { // not a PDF, damaged, truncated, encrypted
			rep.Result, rep.Reason, rep.Message = Failed, string(sr.Code), sentence(sr.Reason)
		}
		return rep, nil
	}
	rep.Seal = sealOutcome(sr)
	rep.Result = Worst(rep.Result, rep.Seal.Indication)
	files, err := pdf.Attachments(io.NewSectionReader(r, 0, size))
	if err != nil {
		rep.Result = Worst(rep.Result, Failed)
		rep.Reason, rep.Message = "attachments_unreadable", "The files embedded in the PDF cannot be read: "+err.Error()
		return rep, nil
	}
	var original *pdf.Attachment
	var sigs []pdf.Attachment
	for i, f := range files {
		if strings.HasSuffix(strings.ToLower(f.Name), ".sig") {
			sigs = append(sigs, f)
		} else if original == nil {
			original = &files[i]
		}
	}
	if original == nil {
		return rep, nil // a sealed PDF of another kind: the seal is all there is to check
	}
	sum := sha256.Sum256(original.Data)
	rep.Original = &Original{Name: original.Name, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(original.Data))}
	for _, f := range sigs {
		sub, err := Detached(ctx, bytes.NewReader(original.Data), f.Data, trust, opts.Options)
		if err != nil {
			rep.Signatures = append(rep.Signatures, Signature{Indication: Failed, SubIndication: "format_failure",
				Message: f.Name + ": " + err.Error()})
			rep.Result = Failed
			continue
		}
		for _, s := range sub.Signatures {
			rep.Signatures = append(rep.Signatures, s)
			rep.Result = Worst(rep.Result, s.Indication)
		}
	}
	return rep, nil
}

// sealOutcome sums up the PDF signatures: the verdict over all of them, and
// the last one's signer (the seal of a final PDF is its last signature).
func sealOutcome(sr *seal.Report) *Seal {
	out := &Seal{Indication: string(sr.Indication), Reason: string(sr.Code), Message: sentence(sr.Reason)}
	last := sr.Signatures[len(sr.Signatures)-1]
	out.Signer, out.SignedAt, out.Trusted = last.Name, last.SigningTime, last.Trusted
	if last.Organization != "" && last.Organization != last.Name {
		out.Signer += ", " + last.Organization
	}
	if last.HasTimestamp && last.TimestampValid {
		out.Timestamp = last.TimestampTime
	}
	return out
}

// sentence makes a checker's lower-case clause a sentence.
func sentence(s string) string {
	if s == "" {
		return ""
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

func sealPool(trust *pki.TrustStore, extra []*x509.Certificate) *x509.CertPool {
	pool := x509.NewCertPool()
	for _, c := range extra {
		pool.AddCert(c)
	}
	if trust != nil {
		for _, c := range trust.Roots() {
			if c.X509 != nil {
				pool.AddCert(c.X509)
			}
		}
	}
	return pool
}
