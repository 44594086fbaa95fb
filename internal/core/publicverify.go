package core

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"paraph"
	"paraph/internal/store"
	"paraph/internal/verify"
)

// MaxVerifySignature caps a signature file uploaded for verification.
const MaxVerifySignature = 1 << 20

// verifyReportTTL is how long a public verification's report can be
// downloaded as a PDF.
const verifyReportTTL = 7 * 24 * time.Hour

// VerifyUpload is a file someone wants checked, maybe with its signature.
type VerifyUpload struct {
	File      io.ReaderAt // the upload as the HTTP layer keeps it (in memory, or a temporary file)
	Size      int64
	FileName  string
	Signature io.Reader // the detached signature's file; nil when none was given
}

// Verify checks an uploaded file for anyone, without login: a final PDF
// (its seal and the signatures embedded in it), a file with its detached
// signature, or an original of a document signed here, found by its hash.
// It returns the report and the id under which it can be downloaded as a
// PDF for a while.
func (s *Service) Verify(ctx context.Context, in VerifyUpload) (*verify.Report, string, error) {
	if err := s.allowPublicCheck(ctx); err != nil {
		return nil, "", err
	}
	var sig []byte
	if in.Signature != nil {
		var err error
		if sig, err = io.ReadAll(io.LimitReader(in.Signature, MaxVerifySignature+1)); err != nil {
			return nil, "", paraph.Invalid("signature", "upload_incomplete", "The signature file did not arrive whole; send it again.")
		}
		switch {
		case len(sig) == 0:
			return nil, "", paraph.Invalid("signature", "file_empty", "The signature file is empty.")
		case len(sig) > MaxVerifySignature:
			return nil, "", paraph.Invalid("signature", "signature_too_large", "A signature file is 1 MiB at most.")
		}
	}
	switch {
	case in.Size <= 0:
		return nil, "", paraph.Invalid("file", "file_empty", "The file is empty.")
	case in.Size > s.cfg.MaxDocumentSize:
		return nil, "", paraph.Invalid("file", "file_too_large", fmt.Sprintf("The file is larger than %d MiB.", s.cfg.MaxDocumentSize>>20))
	}
	s.verifySlots <- struct{}{} // a few checks at once: each reads a whole file
	defer func() { <-s.verifySlots }()
	rep, sum, err := s.check(ctx, in.File, in.Size, sig)
	if err != nil {
		return nil, "", err
	}
	rep.FileName, rep.Size, rep.SHA256 = truncate(in.FileName, 255), in.Size, sum
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		return s.findDocuments(ctx, tx, rep, sum)
	})
	if err != nil {
		return nil, "", err
	}
	judgeUpload(rep)
	id := newVerifyID()
	data, _ := json.Marshal(rep) // plain data: cannot fail
	now := s.clock.Now()
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteVerifyReports(ctx, now.Add(-verifyReportTTL)); err != nil {
			return err
		}
		return tx.CreateVerifyReport(ctx, id, string(data), now)
	})
	return rep, id, err
}

// check verifies the file's own signatures — the detached one given, or
// the seal and embedded signatures of a PDF — and hashes it, in one pass
// over the file where it can.
func (s *Service) check(ctx context.Context, f io.ReaderAt, size int64, sig []byte) (*verify.Report, string, error) {
	trust, err := s.trustStore(ctx)
	if err != nil {
		return nil, "", err
	}
	opts := verify.Options{Now: s.clock.Now(), CheckRevocation: s.cfg.CheckRevocation, Certificates: s.certs, Signatures: s.sigs}
	h := sha256.New()
	hashed := &countingWriter{w: h}
	sum := func() (string, error) {
		if hashed.n < size { // what the check did not read
			if _, err := io.Copy(hashed, io.NewSectionReader(f, hashed.n, size-hashed.n)); err != nil {
				return "", paraph.Internal(err)
			}
		}
		return hex.EncodeToString(h.Sum(nil)), nil
	}
	var rep *verify.Report
	switch {
	case sig != nil:
		rep, err = verify.Detached(ctx, io.TeeReader(io.NewSectionReader(f, 0, size), hashed), sig, trust, opts)
		if err != nil {
			return nil, "", paraph.Invalid("signature", "signature_unreadable", "The signature file is not a CMS signature (.sig, .p7s).")
		}
	case !looksLikePDF(f):
		rep = &verify.Report{Kind: verify.KindFile, Result: verify.Passed, CheckedAt: opts.Now}
	default:
		if rep, err = verify.FinalPDF(ctx, f, size, trust, verify.FinalOptions{Options: opts, SealRoots: s.sealRoots()}); err != nil {
			return nil, "", err
		}
	}
	digest, err := sum()
	return rep, digest, err
}

// looksLikePDF tells a PDF by its header, which may follow a little junk.
func looksLikePDF(f io.ReaderAt) bool {
	head := make([]byte, 1024)
	n, _ := f.ReadAt(head, 0)
	return bytes.Contains(head[:n], []byte("%PDF-"))
}

// countingWriter counts what passes through.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// allowPublicCheck rate-limits what anyone may ask without login and costs
// a check or a sealed PDF: uploads, QR pages, report PDFs.
func (s *Service) allowPublicCheck(ctx context.Context) error {
	if ok, wait := s.verifyByIP.allow(ClientFrom(ctx).IP); !ok {
		return tooMany("too_many_verifications", "Too many checks from your address; try again later.", wait)
	}
	return nil
}

// sealRoots are the roots the instance's seal chains to.
func (s *Service) sealRoots() []*x509.Certificate {
	if s.cfg.Seal == nil {
		return nil
	}
	return []*x509.Certificate{s.cfg.Seal.Root()}
}

// findDocuments adds the completed documents the file is the final PDF or
// the original of.
func (s *Service) findDocuments(ctx context.Context, tx *store.Tx, rep *verify.Report, sum string) error {
	var finals []*store.Final
	fin, err := tx.FindFinalBySHA256(ctx, sum)
	switch {
	case err == nil:
		finals = append(finals, fin)
	case paraph.ErrorCode(err) != paraph.ENOTFOUND:
		return err
	default:
		if finals, err = tx.FindFinalsByOriginal(ctx, sum, 10); err != nil {
			return err
		}
	}
	for _, fin := range finals {
		d, err := tx.FindDocument(ctx, fin.DocumentID)
		if err != nil {
			return err
		}
		doc, err := s.publicDocument(ctx, tx, fin, d)
		if err != nil {
			return err
		}
		rep.Documents = append(rep.Documents, *doc)
	}
	return nil
}

// publicDocument is what anyone holding the file may learn of its document.
func (s *Service) publicDocument(ctx context.Context, tx *store.Tx, fin *store.Final, d *paraph.Document) (*verify.Document, error) {
	org, err := tx.FindOrganizationByID(ctx, d.OrgID)
	if err != nil {
		return nil, err
	}
	sigs, err := tx.FindSignatures(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	out := &verify.Document{Title: d.Title, Number: d.Number, Date: d.Date, Organization: org.Name, CompletedAt: d.FinishedAt,
		Result: verify.Passed, VerifyURL: s.cfg.BaseURL + "/v/" + fin.VerifyID, FinalSHA256: fin.SHA256}
	for _, sig := range sigs {
		ds := verify.DocumentSigner{Method: sig.Kind, SignedAt: sig.SigningTime, Result: sig.Indication}
		if sg := findSigner(d, sig.SignerID); sg != nil {
			ds.Name, ds.Organization, _ = s.signerParty(ctx, tx, d, org, sg, sig.AccountID)
		}
		out.Signers = append(out.Signers, ds)
		out.Result = verify.Worst(out.Result, sig.Indication)
	}
	return out, nil
}

// judgeUpload settles the report's result once the file's own signatures
// and the documents it belongs to are known.
func judgeUpload(rep *verify.Report) {
	if rep.Kind != verify.KindFile {
		return
	}
	if len(rep.Documents) > 0 {
		rep.Result, rep.Reason, rep.Message = verify.Passed, "", "The file is the original of a document signed in this Paraph."
		if rep.Documents[0].FinalSHA256 == rep.SHA256 {
			rep.Message = "The file is the signed PDF of a document signed in this Paraph."
		}
		for _, d := range rep.Documents {
			rep.Result = verify.Worst(rep.Result, d.Result)
		}
		return
	}
	if rep.Reason == "" || rep.Reason == "not_sealed" {
		rep.Result, rep.Reason = verify.Failed, "not_signed"
		rep.Message = "The file carries no signature and is not a document signed in this Paraph. If it has a signature file (.sig, .p7s), check them together."
	}
}

// VerifyReport returns a public verification's report kept by Verify.
func (s *Service) VerifyReport(ctx context.Context, id string) (*verify.Report, error) {
	var rep verify.Report
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		data, err := tx.FindVerifyReport(ctx, id, s.clock.Now().Add(-verifyReportTTL))
		if err != nil {
			return err
		}
		return json.Unmarshal([]byte(data), &rep)
	})
	if err != nil {
		return nil, err
	}
	return &rep, nil
}

// PublicDocumentReport is the report behind a final PDF's QR code
// (/v/{id}): the document, its signatures and, once built, the check of the
// final PDF's seal. Whoever holds the link may see it.
func (s *Service) PublicDocumentReport(ctx context.Context, verifyID string) (*verify.Report, *FinalPDF, error) {
	if err := s.allowPublicCheck(ctx); err != nil {
		return nil, nil, err
	}
	var out *FinalPDF
	rep := &verify.Report{Kind: verify.KindFinalPDF, Result: verify.Passed, CheckedAt: s.clock.Now()}
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		fin, d, err := findPublicFinal(ctx, tx, verifyID)
		if err != nil {
			return err
		}
		doc, err := s.publicDocument(ctx, tx, fin, d)
		if err != nil {
			return err
		}
		out, rep.Documents = finalOf(fin, d), []verify.Document{*doc}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	rep.FileName, rep.SHA256, rep.Size = out.Name, out.SHA256, out.Size
	rep.Result = rep.Documents[0].Result
	if !out.Ready {
		rep.Reason, rep.Message = "final_not_ready", "The signed PDF is being prepared; the signatures below were checked when they were made."
		return rep, out, nil
	}
	data, err := s.readBlob(ctx, out.SHA256)
	if err != nil {
		return nil, nil, paraph.Internal(err)
	}
	trust, err := s.trustStore(ctx)
	if err != nil {
		return nil, nil, err
	}
	check, err := verify.FinalPDF(ctx, bytes.NewReader(data), int64(len(data)), trust,
		verify.FinalOptions{Options: verify.Options{Now: rep.CheckedAt}, SealRoots: s.sealRoots()})
	if err != nil {
		return nil, nil, paraph.Internal(err)
	}
	rep.Seal, rep.Original, rep.Signatures = check.Seal, check.Original, check.Signatures
	rep.Result = verify.Worst(rep.Result, check.Result)
	return rep, out, nil
}

// OpenPublicFinal opens the final PDF a public link names.
func (s *Service) OpenPublicFinal(ctx context.Context, verifyID string) (*FinalPDF, io.ReadSeekCloser, error) {
	var fin *FinalPDF
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		f, d, err := findPublicFinal(ctx, tx, verifyID)
		fin = finalOf(f, d)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return s.openFinal(ctx, fin)
}

// findPublicFinal finds the final PDF a public link names, and its document.
func findPublicFinal(ctx context.Context, tx *store.Tx, verifyID string) (*store.Final, *paraph.Document, error) {
	f, err := tx.FindFinalByVerifyID(ctx, verifyID)
	if err != nil {
		return nil, nil, notFoundErr("Document")
	}
	d, err := tx.FindDocument(ctx, f.DocumentID)
	return f, d, err
}
