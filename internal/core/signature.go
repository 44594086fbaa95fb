package core

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"strings"
	"time"

	"paraph"
	"paraph/cades"
	"paraph/internal/blob"
	"paraph/internal/notify"
	"paraph/internal/store"
	"paraph/internal/verify"
	"paraph/pki"
)

// PrepareTTL is how long a prepared signature may be completed.
const PrepareTTL = 15 * time.Minute

// PreparedSignature is the first half of the two-step flow: what the
// signer's key must sign.
type PreparedSignature struct {
	ID              string
	ToBeSigned      []byte // the DER of the signed attributes
	DigestAlgorithm string
	Algorithm       string // as cades.Prepared.SignatureAlgorithm
	ExpiresAt       time.Time
}

// SignatureResult is what a submitted signature came to.
type SignatureResult struct {
	ID            string
	Indication    string
	SubIndication string
	Message       string
	Document      *paraph.Document
}

// signerSlot finds the waiting signer of the current stage the acting
// member signs as: named on the route, or a member with the right to sign
// of the counterparty organization named there.
func signerSlot(acc *docAccess, kind string) (*paraph.Signer, error) {
	d := acc.doc
	if d.State != paraph.DocInProgress {
		return nil, &paraph.Error{Code: paraph.ECONFLICT, Reason: "document_not_in_progress", Message: "The document is not waiting for signatures."}
	}
	st := d.Stages[d.CurrentStage]
	for i := range st.Signers {
		sg := &st.Signers[i]
		if sg.State != paraph.SignerWaiting {
			continue
		}
		mine := (sg.MemberID != "" && sg.MemberID == acc.me.ID) ||
			(sg.OrgID != "" && sg.OrgID == acc.me.OrgID && paraph.Can(acc.me, paraph.ActionSign, nil) == nil)
		if mine {
			if st.Signature != kind {
				return nil, &paraph.Error{Code: paraph.ECONFLICT, Reason: "wrong_signature_kind",
					Message: "This stage asks for a " + st.Signature + " signature."}
			}
			return sg, nil
		}
	}
	for _, later := range d.Stages[d.CurrentStage+1:] {
		for _, sg := range later.Signers {
			if sg.MemberID == acc.me.ID || sg.OrgID == acc.me.OrgID {
				return nil, &paraph.Error{Code: paraph.ECONFLICT, Reason: "not_your_turn",
					Message: "It is not your turn yet: the stages before yours must be signed first."}
			}
		}
	}
	return nil, &paraph.Error{Code: paraph.EFORBIDDEN, Reason: "not_a_signer", Message: "You are not a signer this document waits for."}
}

// boundCertificate checks that a certificate is one bound to the acting
// member, valid now, and returns it parsed with its stored chain.
func (s *Service) boundCertificate(ctx context.Context, st *store.Standing, me *paraph.Member, certData []byte) (*CertificateView, error) {
	certs, err := s.parseCertificates(certData)
	if err != nil {
		return nil, err
	}
	leaf, _ := splitLeaf(certs)
	for _, c := range st.CertificatesOf(me.ID) {
		if c.Fingerprint == leaf.FingerprintSHA256 {
			v, err := s.certificateView(ctx, c)
			if err != nil {
				return nil, err
			}
			return v, nil
		}
	}
	return nil, &paraph.Error{Code: paraph.EINVALID, Reason: "signer_mismatch", Field: "certificate",
		Message: "This certificate is not one of yours in this organization: add it on your certificates page first."}
}

// PrepareSignature starts a qualified signature with the two-step flow. It
// writes nothing: the prepare id is a token, keyed with the instance secret,
// naming the document, the signer, the account, the certificate and the
// signing time — the signed attributes are reproduced from them at completion.
func (s *Service) PrepareSignature(ctx context.Context, docID string, certData []byte) (*PreparedSignature, error) {
	var out *PreparedSignature
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		acc, st, err := s.readDocument(ctx, tx, docID, tx.FindDocumentForSigner)
		if err != nil {
			return err
		}
		sg, err := signerSlot(acc, paraph.SigQualified)
		if err != nil {
			return err
		}
		cv, err := s.boundCertificate(ctx, st, acc.me, certData)
		if err != nil {
			return err
		}
		if cv.Status == pki.StatusInvalid {
			return &paraph.Error{Code: paraph.EINVALID, Reason: "certificate_invalid", Field: "certificate",
				Message: "The certificate is not valid now (" + string(cv.Reason) + ")."}
		}
		_, digest, err := s.contentDigest(ctx, acc.doc, cv.Cert)
		if err != nil {
			return err
		}
		now := s.clock.Now().Truncate(time.Second)
		p, err := cades.Prepare(cv.Cert.X509, digest, now)
		if err != nil {
			return &paraph.Error{Code: paraph.EINVALID, Reason: "algorithm_unsupported", Field: "certificate",
				Message: "This certificate's key cannot make a signature here.", Err: err}
		}
		tok := prepareToken{Doc: docID, Signer: sg.ID, Account: acc.me.AccountID, Cert: cv.Cert.FingerprintSHA256,
			At: now.Unix(), Expires: now.Add(PrepareTTL).Unix()}
		out = &PreparedSignature{ID: s.sealPrepare(tok), ToBeSigned: p.ToBeSigned, DigestAlgorithm: p.DigestAlgorithm,
			Algorithm: p.SignatureAlgorithm, ExpiresAt: now.Add(PrepareTTL)}
		return nil
	})
	return out, err
}

// prepareToken is what a prepare id carries.
type prepareToken struct {
	Doc     string `json:"d"`
	Signer  string `json:"s"`
	Account string `json:"a"`
	Cert    string `json:"c"`
	At      int64  `json:"t"`
	Expires int64  `json:"e"`
}

func (s *Service) sealPrepare(t prepareToken) string {
	payload, _ := json.Marshal(t)
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("prepare:"))
	m.Write(payload)
	return base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Service) openPrepare(id string) (*prepareToken, bool) {
	p64, mac64, ok := strings.Cut(id, ".")
	if !ok {
		return nil, false
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p64)
	mac, err2 := base64.RawURLEncoding.DecodeString(mac64)
	if err1 != nil || err2 != nil {
		return nil, false
	}
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("prepare:"))
	m.Write(payload)
	if !hmac.Equal(mac, m.Sum(nil)) {
		return nil, false
	}
	var t prepareToken
	if json.Unmarshal(payload, &t) != nil {
		return nil, false
	}
	return &t, true
}

// contentDigest is the document's digest with the algorithm the
// certificate's key needs, and that algorithm's name: the stored SHA-256,
// or Streebog read from the blob.
func (s *Service) contentDigest(ctx context.Context, d *paraph.Document, cert *pki.Certificate) (string, []byte, error) {
	h, name, err := cades.DigestFor(cert.X509)
	if err != nil {
		return "", nil, &paraph.Error{Code: paraph.EINVALID, Reason: "algorithm_unsupported", Field: "certificate",
			Message: "This certificate's key cannot make a signature here.", Err: err}
	}
	if name == cades.SHA256 {
		sum, err := hex.DecodeString(d.SHA256)
		if err != nil {
			return "", nil, paraph.Internal(err)
		}
		return name, sum, nil
	}
	r, _, err := s.cfg.Blobs.Open(ctx, d.SHA256)
	if err != nil {
		return "", nil, paraph.Internal(err)
	}
	defer r.Close()
	if _, err := io.Copy(h, r); err != nil {
		return "", nil, paraph.Internal(err)
	}
	return name, h.Sum(nil), nil
}

// CompleteSignature finishes the two-step flow with the signature value the
// signer's key made; the server assembles the CMS and checks it like any.
func (s *Service) CompleteSignature(ctx context.Context, docID, prepareID string, value []byte) (*SignatureResult, error) {
	var d *paraph.Document
	var cert *pki.Certificate
	var t *prepareToken
	var acc *docAccess
	var cv *CertificateView
	var auth paraph.Authority
	// One read decides everything SubmitSignature's read would: the turn,
	// the certificate bound to the member, the authority to sign.
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		var st *store.Standing
		acc, st, err = s.readDocument(ctx, tx, docID, tx.FindDocumentForSignature) // the document first: outsiders and the blocked learn nothing
		if err != nil {
			return err
		}
		d = acc.doc
		var ok bool
		if t, ok = s.openPrepare(prepareID); !ok || t.Doc != docID || t.Account != acc.me.AccountID {
			return notFoundErr("Prepared signature")
		}
		if !s.clock.Now().Before(time.Unix(t.Expires, 0)) {
			return &paraph.Error{Code: paraph.EINVALID, Reason: "prepare_expired", Message: "The prepared signature expired; prepare it again."}
		}
		for _, c := range st.CertificatesOf(acc.me.ID) { // the prepared certificate, still bound to the member
			if c.Fingerprint == t.Cert {
				if cv, err = s.certificateView(ctx, c); err != nil {
					return err
				}
				cert = cv.Cert
			}
		}
		if cert == nil {
			return notFoundErr("Prepared signature")
		}
		if _, err := signerSlot(acc, paraph.SigQualified); err != nil {
			return err
		}
		auth, err = s.authorityOf(ctx, st, acc.me, cv)
		return err
	})
	if err != nil {
		return nil, err
	}
	// Prepare is deterministic: the same certificate, digest and time give
	// the same attributes the key signed.
	alg, digest, err := s.contentDigest(ctx, d, cert)
	if err != nil {
		return nil, err
	}
	prepared, err := cades.Prepare(cert.X509, digest, time.Unix(t.At, 0).UTC())
	if err != nil {
		return nil, paraph.Internal(err)
	}
	cms, err := cades.AssembleWith(prepared, cert.X509, nil, value, cades.AssembleOptions{Signatures: s.sigs})
	if err != nil {
		return nil, &paraph.Error{Code: paraph.EINVALID, Reason: "sig_crypto_failure", Field: "signature",
			Message: "The signature value does not verify with the certificate's key over the prepared data.", Err: err}
	}
	// The digest just made is the one the verification needs: the file
	// (read for Streebog) is not read again.
	return s.checkAndStore(ctx, acc, cms, cv, auth, map[string][]byte{alg: digest})
}

// SubmitSignature takes a complete detached CMS signature (from the two-step
// flow, or made elsewhere: openssl cms, CryptoPro). It is checked fully —
// over the stored document bytes, signingCertificateV2, chain and validity at
// signing time, that it is the signer the stage expects, and the МЧД when the
// certificate is personal. A signature that does not pass is not stored:
// the signer sees why, and the attempt is in the audit trail.
func (s *Service) SubmitSignature(ctx context.Context, docID string, cms []byte) (*SignatureResult, error) {
	if len(cms) > cades.MaxSize {
		return nil, paraph.Invalid("cms", "signature_too_large", "The signature file is too large.")
	}
	// Who signs and under what authority is decided first, from the
	// certificate the CMS carries, in one read; then the cryptography,
	// outside any transaction (it reads the file); then one short write.
	sd, parseErr := cades.Parse(cms)
	var acc *docAccess
	var cv *CertificateView
	var auth paraph.Authority
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		var st *store.Standing
		if acc, st, err = s.readDocument(ctx, tx, docID, tx.FindDocumentForSignature); err != nil {
			return err
		}
		if _, err := signerSlot(acc, paraph.SigQualified); err != nil {
			return err
		}
		if parseErr != nil || len(sd.Signers) != 1 || sd.Signers[0].Certificate == nil {
			return nil // refused below with the verifier's reason
		}
		// The signer the stage expects: the certificate is one bound to the
		// acting member, and it may sign for their organization.
		if cv, err = s.boundCertificate(ctx, st, acc.me, sd.Signers[0].Certificate.Raw); err != nil {
			return err
		}
		auth, err = s.authorityOf(ctx, st, acc.me, cv)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.checkAndStore(ctx, acc, cms, cv, auth, nil)
}

// checkAndStore verifies a CMS signature over the stored document (outside
// any transaction: it may read the file) and stores it in one short write
// that checks the turn again under the document's lock. cv is nil when the
// CMS carried no usable signer certificate; the verifier then says why.
// known are digests of the document already made, by algorithm name.
func (s *Service) checkAndStore(ctx context.Context, acc *docAccess, cms []byte, cv *CertificateView, auth paraph.Authority,
	known map[string][]byte) (*SignatureResult, error) {
	d, docID := acc.doc, acc.doc.ID
	ts, err := s.trustStore(ctx)
	if err != nil {
		return nil, err
	}
	// The file is stored under its SHA-256, fixed when it was sent: a
	// SHA-256 signature is checked against that digest, and the file is
	// read only for a digest not known yet (an uploaded Streebog one).
	sum, err := hex.DecodeString(d.SHA256)
	if err != nil {
		return nil, paraph.Internal(err)
	}
	digests := map[string][]byte{cades.SHA256: sum}
	maps.Copy(digests, known)
	file := &blobReader{ctx: ctx, blobs: s.cfg.Blobs, sum: d.SHA256}
	rep, err := verify.Detached(ctx, file, cms, ts, verify.Options{Now: s.clock.Now(), CheckRevocation: s.cfg.CheckRevocation,
		Certificates: s.certs, Signatures: s.sigs, Digests: digests})
	file.Close()
	if file.err != nil { // the file, not the signature, failed
		return nil, paraph.Internal(file.err)
	}
	if err != nil {
		s.auditAttempt(ctx, d, "format_failure")
		return nil, &paraph.Error{Code: paraph.EINVALID, Reason: "format_failure", Field: "cms",
			Message: "This is not a CMS signature (a .sig or .p7s file).", Err: err}
	}
	if len(rep.Signatures) != 1 {
		s.auditAttempt(ctx, d, "format_failure")
		return nil, paraph.Invalid("cms", "one_signer_expected", "Upload a signature made by one signer.")
	}
	sig := rep.Signatures[0]
	if sig.Indication != verify.Passed {
		s.auditAttempt(ctx, d, sig.SubIndication)
		return &SignatureResult{Indication: sig.Indication, SubIndication: sig.SubIndication, Message: sig.Message, Document: d},
			&paraph.Error{Code: paraph.EINVALID, Reason: refusalReason(sig.SubIndication), Field: "cms", Message: sig.Message}
	}
	if cv == nil { // passed, yet no usable signer certificate was found above
		return nil, paraph.Invalid("cms", "no_signing_certificate_found", "The signature does not carry the signer's certificate.")
	}
	if !auth.OK() {
		return nil, &paraph.Error{Code: paraph.EINVALID, Reason: authorityReason(auth.Reason), Field: "cms", Message: auth.Message}
	}
	var res *SignatureResult
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		fresh, err := tx.FindDocumentForUpdate(ctx, docID) // again, under the lock: the turn may have passed
		if err != nil {
			return err
		}
		slot, err := signerSlot(&docAccess{doc: fresh, me: acc.me, own: acc.own}, paraph.SigQualified)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		rec := &store.SignatureRecord{ID: newID(), DocumentID: docID, SignerID: slot.ID, Kind: paraph.SigQualified,
			AccountID: acc.me.AccountID, CMS: cms, SHA256: fresh.SHA256, Indication: sig.Indication, CertFP: cv.Cert.FingerprintSHA256,
			SigningTime: sig.SigningTime, CreatedAt: now}
		if auth.POA != nil {
			rec.POAID = auth.POA.ID
		}
		if rec.SigningTime.IsZero() {
			rec.SigningTime = now
		}
		if err := tx.CreateSignature(ctx, rec); err != nil {
			return err
		}
		if err := tx.MarkSigner(ctx, slot.ID, paraph.SignerSigned, now); err != nil {
			return err
		}
		slot.State, slot.SignedAt = paraph.SignerSigned, now
		if err := s.audit(ctx, tx, "", fresh.OrgID, "document.signed", docID, `{"signer":"`+slot.ID+`","kind":"qualified"}`); err != nil {
			return err
		}
		if err := s.advanceLoaded(ctx, tx, fresh); err != nil {
			return err
		}
		res = &SignatureResult{ID: rec.ID, Indication: sig.Indication, Message: sig.Message, Document: fresh}
		return nil
	})
	// The signature's row is the only one here that can already exist; on
	// PostgreSQL its conflict shows with a later statement.
	var pe *paraph.Error
	if errors.As(err, &pe) && pe.Code == paraph.ECONFLICT && pe.Reason == "conflict" {
		return nil, &paraph.Error{Code: paraph.ECONFLICT, Reason: "already_signed", Message: "This signature is already stored.", Err: err}
	}
	if err == nil {
		s.wake()
	}
	return res, err
}

// blobReader reads a stored file, opened at the first Read: a signature
// checked against the file's known digest does not open it at all.
type blobReader struct {
	ctx   context.Context
	blobs blob.Store
	sum   string
	r     io.ReadCloser
	err   error // the file could not be read
}

func (b *blobReader) Read(p []byte) (int, error) {
	if b.r == nil && b.err == nil {
		b.r, _, b.err = b.blobs.Open(b.ctx, b.sum)
	}
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

func (b *blobReader) Close() error {
	if b.r == nil {
		return nil
	}
	return b.r.Close()
}

// authorityOf decides whether a member's certificate may sign for their
// organization, with their powers of attorney, as the standing read them.
func (s *Service) authorityOf(ctx context.Context, st *store.Standing, me *paraph.Member, cv *CertificateView) (paraph.Authority, error) {
	org := st.Organization(me.OrgID)
	if org == nil {
		return paraph.Authority{}, notFoundErr("Organization")
	}
	var candidates []paraph.POACandidate
	for _, row := range st.POAsOf(me.ID) {
		v, err := s.poaView(ctx, row)
		if err != nil {
			return paraph.Authority{}, err
		}
		candidates = append(candidates, poaCandidate(v, cv.Cert))
	}
	return paraph.CheckAuthority(org, identityOf(cv.Cert), candidates, ""), nil
}

// auditAttempt records a signature that did not pass, in its own transaction.
func (s *Service) auditAttempt(ctx context.Context, d *paraph.Document, why string) {
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		return s.audit(ctx, tx, "", d.OrgID, "document.signature_refused", d.ID, `{"sub_indication":"`+why+`"}`)
	})
	if err != nil {
		s.log.Error("core: audit a refused signature", "err", err)
	}
}

// advance opens the next stage when every signer of the current one signed,
// or completes the document after the last. It runs under the document's
// lock, so a stage advances exactly once however many signers finish together.
func (s *Service) advance(ctx context.Context, tx *store.Tx, docID string) (*paraph.Document, error) {
	d, err := tx.FindDocument(ctx, docID)
	if err != nil {
		return nil, err
	}
	return d, s.advanceLoaded(ctx, tx, d)
}

// advanceLoaded is advance on a document already read under its lock, with
// the signers' states as they are now.
func (s *Service) advanceLoaded(ctx context.Context, tx *store.Tx, d *paraph.Document) error {
	for _, sg := range d.Stages[d.CurrentStage].Signers {
		if sg.State != paraph.SignerSigned {
			return nil
		}
	}
	now := s.clock.Now()
	d.UpdatedAt = now
	if d.CurrentStage+1 < len(d.Stages) {
		d.CurrentStage++
		if err := tx.UpdateDocument(ctx, d); err != nil {
			return err
		}
		return s.notifyStage(ctx, tx, d, d.CurrentStage)
	}
	d.State, d.FinishedAt = paraph.DocCompleted, now
	if err := tx.UpdateDocument(ctx, d); err != nil {
		return err
	}
	if err := s.completeDocument(ctx, tx, d); err != nil {
		return err
	}
	return s.audit(ctx, tx, "", d.OrgID, "document.completed", d.ID, "")
}

// Decline stops the route with a comment (a signer the document waits for);
// the author is told.
func (s *Service) Decline(ctx context.Context, docID, comment string) (*paraph.Document, error) {
	comment = collapse(comment)
	if comment == "" {
		return nil, paraph.Invalid("comment", "comment_required", "Say why you decline: the author will read it.")
	}
	if len([]rune(comment)) > 2000 {
		return nil, paraph.Invalid("comment", "comment_too_long", "The comment is too long (2000 characters at most).")
	}
	var out *paraph.Document
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		acc, err := s.lockDocument(ctx, tx, docID)
		if err != nil {
			return err
		}
		d := acc.doc
		var slot *paraph.Signer
		for _, kind := range []string{paraph.SigQualified, paraph.SigSimple} {
			if slot, err = signerSlot(acc, kind); err == nil {
				break
			}
		}
		if slot == nil {
			return err
		}
		now := s.clock.Now()
		if err := tx.MarkSigner(ctx, slot.ID, paraph.SignerDeclined, now); err != nil {
			return err
		}
		d.State, d.DeclineComment, d.FinishedAt, d.UpdatedAt = paraph.DocDeclined, comment, now, now
		if err := tx.UpdateDocument(ctx, d); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, "", d.OrgID, "document.declined", d.ID, ""); err != nil {
			return err
		}
		out = d
		author, err := tx.FindMember(ctx, d.OrgID, d.AuthorMemberID)
		if err != nil {
			return err
		}
		a, err := tx.FindAccountByID(ctx, author.AccountID)
		if err != nil || a.Email == "" {
			return err
		}
		return s.enqueueNotification(ctx, tx, "declined:"+d.ID, notification{Channel: notify.Email, To: a.Email,
			Kind: notify.KindDocumentDeclined, Lang: a.Language, Data: notify.Data{"name": a.FullName, "title": d.Title,
				"who": acc.me.FullName, "comment": comment, "link": s.cfg.BaseURL + "/documents/" + d.ID}})
	})
	if err == nil {
		s.wake()
	}
	return out, err
}

// Revoke withdraws a sent document before it completes (its author, or an
// owner or admin).
func (s *Service) Revoke(ctx context.Context, docID string) (*paraph.Document, error) {
	var out *paraph.Document
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		d, err := s.lockManaged(ctx, tx, docID, paraph.DocInProgress,
			&paraph.Error{Code: paraph.ECONFLICT, Reason: "document_not_in_progress", Message: "Only a document on its way can be revoked."})
		if err != nil {
			return err
		}
		now := s.clock.Now()
		d.State, d.FinishedAt, d.UpdatedAt = paraph.DocRevoked, now, now
		if err := tx.UpdateDocument(ctx, d); err != nil {
			return err
		}
		out = d
		return s.audit(ctx, tx, "", d.OrgID, "document.revoked", d.ID, "")
	})
	return out, err
}

// DocumentQuery selects a box of an organization.
type DocumentQuery struct {
	Box            string // incoming, outgoing (default) or drafts
	State          string
	CounterpartyID string
	AuthorMemberID string
	From, To       time.Time
	Query          string
	Cursor         string
	Limit          int
}

// Documents lists a box of an organization, filtered by the acting member's
// access scope (departments), newest first.
func (s *Service) Documents(ctx context.Context, orgID string, q DocumentQuery) ([]*paraph.Document, string, error) {
	switch q.Box {
	case "", "outgoing", "incoming", "drafts":
	default:
		return nil, "", paraph.Invalid("box", "invalid_box", "The box is incoming, outgoing or drafts.")
	}
	var docs []*paraph.Document
	var next string
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		me, err := s.actor(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if err := paraph.Can(me, paraph.ActionViewDocuments, nil); err != nil {
			return err
		}
		f, err := s.scopeFilterOf(ctx, tx, me)
		if err != nil {
			return err
		}
		f.Box, f.State, f.CounterpartyID, f.AuthorMemberID = q.Box, q.State, q.CounterpartyID, q.AuthorMemberID
		f.From, f.To, f.Query, f.Cursor, f.Limit = q.From, q.To, q.Query, q.Cursor, q.Limit
		docs, next, err = tx.FindDocuments(ctx, f)
		return err
	})
	return docs, next, err
}

func collapse(s string) string { return string(bytes.Join(bytes.Fields([]byte(s)), []byte(" "))) }

// refusalReason names why a signature did not pass, from the ETSI
// sub-indications verify gives; the list is spelt out so every reason a
// person may see has a translation.
func refusalReason(sub string) string {
	switch sub {
	case "hash_failure":
		return "hash_failure"
	case "sig_crypto_failure":
		return "sig_crypto_failure"
	case "signing_certificate_mismatch":
		return "signing_certificate_mismatch"
	case "format_failure":
		return "format_failure"
	case "algorithm_unsupported":
		return "algorithm_unsupported"
	case "no_signing_certificate_found":
		return "no_signing_certificate_found"
	case "no_certificate_chain_found":
		return "no_certificate_chain_found"
	case "revoked":
		return "revoked"
	case "expired":
		return "expired"
	case "not_yet_valid":
		return "not_yet_valid"
	case "revocation_unknown":
		return "revocation_unknown"
	}
	return "signature_not_passed"
}

// authorityReason names why a certificate may not sign for the organization.
func authorityReason(r string) string {
	switch r {
	case "certificate_other_organization":
		return "certificate_other_organization"
	case "poa_missing":
		return "poa_missing"
	case "poa_revoked":
		return "poa_revoked"
	case "poa_expired":
		return "poa_expired"
	case "poa_principal_mismatch":
		return "poa_principal_mismatch"
	case "poa_representative_mismatch":
		return "poa_representative_mismatch"
	case "poa_no_power":
		return "poa_no_power"
	}
	return "no_authority"
}

// scopeFilter is a document filter of an organization limited to the acting
// member's departments.
func (s *Service) scopeFilter(ctx context.Context, tx *store.Tx, orgID string) (store.DocumentFilter, error) {
	me, err := s.actor(ctx, tx, orgID)
	if err != nil {
		return store.DocumentFilter{}, err
	}
	if err := paraph.Can(me, paraph.ActionViewDocuments, nil); err != nil {
		return store.DocumentFilter{}, err
	}
	return s.scopeFilterOf(ctx, tx, me)
}

func (s *Service) scopeFilterOf(ctx context.Context, tx *store.Tx, me *paraph.Member) (store.DocumentFilter, error) {
	f := store.DocumentFilter{OrgID: me.OrgID}
	if me.AccessScope == paraph.ScopeAll {
		f.AllDepartments = true
		return f, nil
	}
	tree, err := tx.FindDepartments(ctx, me.OrgID)
	if err != nil {
		return f, err
	}
	all, ids := paraph.VisibleDepartments(me.AccessScope, me.DepartmentID, me.AccessDepartments, tree)
	f.AllDepartments = all
	for id := range ids {
		f.Departments = append(f.Departments, id)
	}
	return f, nil
}
