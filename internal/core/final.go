package core

import (
	"bytes"
	"context"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"paraph"
	"paraph/cades"
	"paraph/internal/notify"
	"paraph/internal/pdf"
	"paraph/internal/seal"
	"paraph/internal/store"
	"paraph/pki"
)

// JobFinal builds a completed document's final PDF, seals it, stores it and
// sends it to every party. Its payload is the document id.
const JobFinal = "final_pdf"

// MaxMailedFinal is the largest final PDF sent as an attachment; a larger one
// is sent as a link only, as mail servers refuse big messages.
const MaxMailedFinal = 15 << 20

// newVerifyID is the unguessable id of a document's public verification
// page: 160 random bits, lower-case base32.
func newVerifyID() string {
	return base32Lower.EncodeToString(randomBytes(20))
}

var base32Lower = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// completeDocument records that the final PDF is due and queues its job, in
// the transaction that completed the document.
func (s *Service) completeDocument(ctx context.Context, tx *store.Tx, d *paraph.Document) error {
	now := s.clock.Now()
	if err := tx.CreateFinal(ctx, &store.Final{DocumentID: d.ID, VerifyID: newVerifyID(), CreatedAt: now}); err != nil {
		return err
	}
	err := tx.EnqueueJob(ctx, &store.Job{ID: newID(), Kind: JobFinal, Payload: d.ID, IdempotencyKey: "final:" + d.ID,
		MaxAttempts: 20, RunAt: now, CreatedAt: now})
	return err
}

// BuildFinal is the JobFinal handler. A final PDF built before (a retried
// job) is kept, so that every party has the very same file.
func (s *Service) BuildFinal(ctx context.Context, docID string) (string, error) {
	var in *pdf.Final
	var fin *store.Final
	var d *paraph.Document
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if fin, err = tx.FindFinal(ctx, docID); err != nil {
			return err
		}
		if fin.SHA256 != "" {
			return nil
		}
		if d, err = tx.FindDocument(ctx, docID); err != nil {
			return err
		}
		in, err = s.finalInput(ctx, tx, d, fin)
		return err
	})
	if paraph.ErrorCode(err) == paraph.ENOTFOUND {
		return docID, fmt.Errorf("core: final PDF of %s: %w: %w", docID, err, notify.ErrPermanent)
	}
	if err != nil || fin.SHA256 != "" {
		return docID, err
	}
	file, err := s.renderFinal(ctx, in)
	if err != nil {
		s.noteFinalError(ctx, docID, err)
		return docID, err
	}
	sum, size, err := s.cfg.Blobs.Put(ctx, bytes.NewReader(file), int64(len(file))+1)
	if err != nil {
		s.noteFinalError(ctx, docID, err)
		return docID, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.LockDocument(ctx, docID); err != nil {
			return err
		}
		again, err := tx.FindFinal(ctx, docID)
		if err != nil || again.SHA256 != "" { // another worker finished first: its file stands
			return err
		}
		if err := tx.SetFinalBuilt(ctx, docID, sum, size, s.clock.Now()); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, "", d.OrgID, "document.final_built", docID, `{"sha256":"`+sum+`"}`); err != nil {
			return err
		}
		fin.SHA256, fin.Size = sum, size
		return s.notifyCompleted(ctx, tx, d, fin)
	})
	if err != nil {
		return docID, err
	}
	s.wake()
	return docID, nil
}

// renderFinal lays out and seals the final PDF.
func (s *Service) renderFinal(ctx context.Context, in *pdf.Final) ([]byte, error) {
	var buf bytes.Buffer
	if err := in.Render(&buf); err != nil {
		return nil, fmt.Errorf("core: render the final PDF: %w", err)
	}
	sealed, err := s.seal(ctx, buf.Bytes(), "final")
	if err != nil {
		return nil, fmt.Errorf("core: seal the final PDF: %w", err)
	}
	return sealed, nil
}

// seal signs a PDF made here with the instance's seal; without one (tests)
// the PDF stays as it is.
func (s *Service) seal(ctx context.Context, file []byte, what string) ([]byte, error) {
	if s.cfg.Seal == nil {
		return file, nil
	}
	info := seal.Info{Location: s.cfg.BaseURL}
	info.Reason = "Signed by every party; sealed by Paraph" // the signature dictionary's /Reason, not an error's
	if what == "report" {
		info.Reason = "Verification report of Paraph"
	}
	var buf bytes.Buffer
	if err := s.cfg.Seal.Seal(ctx, &buf, file, info); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// noteFinalError keeps why a build failed, for the document page; the job
// retries.
func (s *Service) noteFinalError(ctx context.Context, docID string, cause error) {
	err := s.db.Write(ctx, func(tx *store.Tx) error { return tx.SetFinalError(ctx, docID, truncate(cause.Error(), 500)) })
	if err != nil {
		s.log.Error("record the final PDF's error", "document", docID, "err", err)
	}
}

// finalInput gathers what the final PDF shows.
func (s *Service) finalInput(ctx context.Context, tx *store.Tx, d *paraph.Document, fin *store.Final) (*pdf.Final, error) {
	org, err := tx.FindOrganizationByID(ctx, d.OrgID)
	if err != nil {
		return nil, err
	}
	lang := paraph.Languages[0]
	if author, err := tx.FindMember(ctx, d.OrgID, d.AuthorMemberID); err == nil {
		if a, err := tx.FindAccountByID(ctx, author.AccountID); err == nil && a.Language != "" {
			lang = a.Language
		}
	}
	original, err := s.readBlob(ctx, d.SHA256)
	if err != nil {
		return nil, err
	}
	sigs, err := tx.FindSignatures(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	out := &pdf.Final{Lang: lang, DocumentID: d.ID, Title: d.Title, Number: d.Number, Date: d.Date, Organization: org.Name,
		FileName: d.FileName, ContentType: d.ContentType, SHA256: d.SHA256, Original: original,
		VerifyURL: s.cfg.BaseURL + "/v/" + fin.VerifyID, CompletedAt: d.FinishedAt}
	for i, sig := range sigs {
		fs, err := s.finalSigner(ctx, tx, d, org, sig)
		if err != nil {
			return nil, fmt.Errorf("signature %s: %w", sig.ID, err)
		}
		out.Signers = append(out.Signers, *fs)
		if len(sig.CMS) > 0 {
			out.Signatures = append(out.Signatures, pdf.Attachment{Name: paraph.SignatureFileName(d.FileName, i),
				Description: fs.Name, Data: sig.CMS})
		}
	}
	return out, nil
}

// finalSigner describes one signature for the final PDF.
func (s *Service) finalSigner(ctx context.Context, tx *store.Tx, d *paraph.Document, org *paraph.Organization, sig *store.SignatureRecord) (*pdf.FinalSigner, error) {
	sg := findSigner(d, sig.SignerID)
	if sg == nil {
		return nil, errors.New("its signer is not on the route")
	}
	out := &pdf.FinalSigner{Name: sg.FullName, Method: sig.Kind, SignedAt: sig.SigningTime, Result: sig.Indication,
		SubIndication: sig.SubIndication}
	if sg.Place != nil {
		out.Place = &pdf.Place{Page: sg.Place.Page, X: sg.Place.X, Y: sg.Place.Y}
	}
	var signerOrg string
	out.Name, out.Organization, signerOrg = s.signerParty(ctx, tx, d, org, sg, sig.AccountID)
	if sig.AccountID != "" && signerOrg != "" {
		if m, err := tx.FindMemberByAccount(ctx, signerOrg, sig.AccountID); err == nil {
			out.Position = m.Position
		}
	}
	for _, f := range sg.Fields {
		v, ok := sig.FieldValues[f.Name]
		if !ok || v == "" {
			continue
		}
		if f.Kind == paraph.FieldCheckbox {
			v = "✓"
		}
		out.Fields = append(out.Fields, pdf.FilledField{Label: f.Label, Value: v})
	}
	switch sig.Kind {
	case paraph.SigQualified:
		if err := certificateDetails(out, sig.CMS); err != nil {
			return nil, err
		}
		if sig.POAID != "" && signerOrg != "" {
			if p, err := tx.FindPOA(ctx, signerOrg, sig.POAID); err == nil {
				out.POANumber = p.Number
			}
		}
	case paraph.SigSimple:
		var ev struct{ IP, Channel, Address string }
		if err := json.Unmarshal([]byte(sig.Evidence), &ev); err != nil {
			return nil, fmt.Errorf("evidence: %w", err)
		}
		out.IP, out.Channel, out.Contact = ev.IP, ev.Channel, ev.Address
		var err error
		if sig.ImageSHA256 != "" {
			if out.Image, err = s.readBlob(ctx, sig.ImageSHA256); err != nil {
				return nil, err
			}
		}
		if sig.StampSHA256 != "" {
			if out.Stamp, err = s.readBlob(ctx, sig.StampSHA256); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// certificateDetails fills in the signer's certificate from the CMS.
func certificateDetails(out *pdf.FinalSigner, cms []byte) error {
	sd, err := cades.Parse(cms)
	if err != nil {
		return err
	}
	if len(sd.Signers) == 0 || sd.Signers[0].Certificate == nil {
		return errors.New("the CMS holds no signer certificate")
	}
	certs, err := pki.Parse(sd.Signers[0].Certificate.Raw)
	if err != nil {
		return err
	}
	c := certs[0]
	out.CertSerial, out.CertIssuer, out.CertNotBefore, out.CertNotAfter = c.SerialHex, c.IssuerCommonName, c.NotBefore, c.NotAfter
	out.KeyAlgorithm = c.KeyAlgorithm
	if out.CertIssuer == "" {
		out.CertIssuer = c.Issuer
	}
	if out.Name == "" {
		out.Name = c.CommonName
	}
	return nil
}

// signerParty names who made a signature and for which organization: the
// account that signed (a member, or a counterparty organization's member),
// else the person outside as the route names them. orgID is the signer's
// organization here, "" for a person outside.
func (s *Service) signerParty(ctx context.Context, tx *store.Tx, d *paraph.Document, org *paraph.Organization, sg *paraph.Signer, accountID string) (name, organization, orgID string) {
	name = sg.FullName
	switch {
	case sg.MemberID != "":
		organization, orgID = org.Name, d.OrgID
	case sg.OrgID != "":
		orgID = sg.OrgID
		if o, err := tx.FindOrganizationByID(ctx, sg.OrgID); err == nil {
			organization = o.Name
		}
	default:
		organization = d.CounterpartyName
	}
	if accountID != "" {
		if a, err := tx.FindAccountByID(ctx, accountID); err == nil {
			name = a.FullName
		}
	}
	return name, organization, orgID
}

func findSigner(d *paraph.Document, id string) *paraph.Signer {
	for i := range d.Stages {
		for j := range d.Stages[i].Signers {
			if d.Stages[i].Signers[j].ID == id {
				return &d.Stages[i].Signers[j]
			}
		}
	}
	return nil
}

// readBlob reads a whole stored file.
func (s *Service) readBlob(ctx context.Context, sum string) ([]byte, error) {
	r, size, err := s.cfg.Blobs.Open(ctx, sum)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	buf := make([]byte, size)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("core: read blob %s: %w", sum, err)
	}
	return buf, nil
}

// notifyCompleted sends the final PDF to every party: the author, each
// signer, and the signers' organizations' members who may sign. Members
// get the document page, people outside the public verification page,
// where the file can be downloaded too.
func (s *Service) notifyCompleted(ctx context.Context, tx *store.Tx, d *paraph.Document, fin *store.Final) error {
	org, err := tx.FindOrganizationByID(ctx, d.OrgID)
	if err != nil {
		return err
	}
	var attach *attachment
	if fin.Size <= MaxMailedFinal {
		attach = &attachment{SHA256: fin.SHA256, Name: finalFileName(d), ContentType: "application/pdf"}
	}
	docLink, publicLink := s.cfg.BaseURL+"/documents/"+d.ID, s.cfg.BaseURL+"/v/"+fin.VerifyID
	sent := map[string]bool{}
	send := func(ch notify.Channel, to, name, lang, link string) error {
		if to == "" || sent[to] {
			return nil
		}
		sent[to] = true
		n := notification{Channel: ch, To: to, Kind: notify.KindDocumentCompleted, Lang: lang,
			Data: notify.Data{"name": name, "org": org.Name, "title": d.Title, "link": link}}
		if ch == notify.Email && attach != nil {
			n.Attach, n.Data["attached"] = attach, "yes"
		}
		return s.enqueueNotification(ctx, tx, "completed:"+d.ID+":"+to, n)
	}
	member := func(orgID, memberID string) error {
		m, err := tx.FindMember(ctx, orgID, memberID)
		if err != nil {
			return err
		}
		a, err := tx.FindAccountByID(ctx, m.AccountID)
		if err != nil {
			return err
		}
		return send(notify.Email, a.Email, a.FullName, a.Language, docLink)
	}
	if err := member(d.OrgID, d.AuthorMemberID); err != nil {
		return err
	}
	for _, st := range d.Stages {
		for _, sg := range st.Signers {
			switch {
			case sg.MemberID != "":
				if err := member(d.OrgID, sg.MemberID); err != nil {
					return err
				}
			case sg.OrgID != "":
				signers, err := orgSigners(ctx, tx, sg.OrgID)
				if err != nil {
					return err
				}
				for _, m := range signers {
					if err := member(sg.OrgID, m.ID); err != nil {
						return err
					}
				}
			case sg.Email != "":
				if err := send(notify.Email, sg.Email, sg.FullName, paraph.Languages[0], publicLink); err != nil {
					return err
				}
			default:
				if err := send(notify.SMS, sg.Phone, sg.FullName, paraph.Languages[0], publicLink); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// finalFileName is the final PDF's download name: "act.pdf" gives
// "act.signed.pdf".
func finalFileName(d *paraph.Document) string {
	name := d.FileName
	if ext := path.Ext(name); len(ext) < len(name) {
		name = strings.TrimSuffix(name, ext)
	}
	return name + ".signed.pdf"
}

// finalOf is what readers learn of a final PDF record (not its last error:
// that is for the people who manage the document).
func finalOf(f *store.Final, d *paraph.Document) *FinalPDF {
	if f == nil || d == nil {
		return nil
	}
	return &FinalPDF{Ready: f.SHA256 != "", Name: finalFileName(d), SHA256: f.SHA256, Size: f.Size, VerifyID: f.VerifyID}
}

// FinalPDF is the state of a completed document's final PDF.
type FinalPDF struct {
	Ready    bool   // built and stored; otherwise the job is building it
	Error    string // why the last build failed, while not Ready
	Name     string // the download name
	SHA256   string
	Size     int64
	VerifyID string // the public verification page /v/{VerifyID}
}

// DocumentFinal returns the final PDF of a document the person may see;
// nil for a document not completed.
func (s *Service) DocumentFinal(ctx context.Context, docID string) (*FinalPDF, error) {
	var out *FinalPDF
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		acc, err := s.loadDocument(ctx, tx, docID)
		if err != nil {
			return err
		}
		fin, err := tx.FindFinal(ctx, docID)
		if paraph.ErrorCode(err) == paraph.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		out = finalOf(fin, acc.doc)
		out.Error = fin.Error
		return nil
	})
	return out, err
}

// OpenFinal opens the final PDF of a document the person may see.
func (s *Service) OpenFinal(ctx context.Context, docID string) (*FinalPDF, io.ReadSeekCloser, error) {
	fin, err := s.DocumentFinal(ctx, docID)
	if err != nil {
		return nil, nil, err
	}
	return s.openFinal(ctx, fin)
}

func (s *Service) openFinal(ctx context.Context, fin *FinalPDF) (*FinalPDF, io.ReadSeekCloser, error) {
	switch {
	case fin == nil:
		return nil, nil, &paraph.Error{Code: paraph.ECONFLICT, Reason: "document_not_completed", Message: "The document is not signed by every party yet."}
	case !fin.Ready:
		return nil, nil, &paraph.Error{Code: paraph.ECONFLICT, Reason: "final_not_ready", Message: "The signed PDF is being prepared; try again in a minute."}
	}
	r, _, err := s.cfg.Blobs.Open(ctx, fin.SHA256)
	if err != nil {
		return nil, nil, paraph.Internal(err)
	}
	return fin, r, nil
}

// SealPDF seals a PDF made here (a verification report, asked for by
// anyone: rate-limited) with the instance's seal; without a seal configured
// (tests) it is returned as it is.
func (s *Service) SealPDF(ctx context.Context, file []byte) ([]byte, error) {
	if err := s.allowPublicCheck(ctx); err != nil {
		return nil, err
	}
	sealed, err := s.seal(ctx, file, "report")
	if err != nil {
		return nil, paraph.Internal(fmt.Errorf("core: seal: %w", err))
	}
	return sealed, nil
}
