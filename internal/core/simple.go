package core

import (
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"paraph"
	"paraph/internal/notify"
	"paraph/internal/store"
)

// DefaultLinkTTL is how long a signing link works unless configured.
const DefaultLinkTTL = 30 * 24 * time.Hour

// MaxSignatureImage caps a drawn or uploaded signature or stamp image.
const MaxSignatureImage = 1 << 20

// sendSigningLink makes the signing link of a person outside and sends it
// by email, or by SMS when the route gives only a phone.
// A reminder sends a fresh link; the one before it stops working.
func (s *Service) sendSigningLink(ctx context.Context, tx *store.Tx, d *paraph.Document, sg paraph.Signer, keySuffix string) error {
	secret := "ppl_" + base64.RawURLEncoding.EncodeToString(randomBytes(32))
	ttl := s.cfg.LinkTTL
	if ttl == 0 {
		ttl = DefaultLinkTTL
	}
	if err := tx.SetSignerLink(ctx, sg.ID, hashToken(secret), s.clock.Now().Add(ttl)); err != nil {
		return err
	}
	n := notification{Channel: notify.Email, To: sg.Email, Kind: notify.KindSigningLink, Lang: paraph.Languages[0],
		Data: notify.Data{"name": sg.FullName, "org": d.OrgName, "title": d.Title, "link": s.cfg.BaseURL + "/s/" + secret,
			"days": strconv.Itoa(int(ttl.Hours() / 24))}}
	if sg.Email == "" {
		n.Channel, n.To = notify.SMS, sg.Phone
	}
	return s.enqueueNotification(ctx, tx, "link:"+sg.ID+keySuffix, n)
}

// SigningSession is what a signing link opens.
type SigningSession struct {
	Document *paraph.Document
	Signer   paraph.Signer
	OrgName  string
	Address  string // where the code goes, masked
	Ready    bool   // it is this signer's turn
	// VerifyID names the public page of the final PDF (/v/{VerifyID}) once
	// the document is complete: where the signer gets the signed PDF.
	VerifyID string
}

// linkSigner resolves a signing link: the link is the credential, bound to
// one signer, and expires.
func (s *Service) linkSigner(ctx context.Context, tx *store.Tx, secret string) (*paraph.Document, *paraph.Signer, error) {
	bad := &paraph.Error{Code: paraph.ENOTFOUND, Reason: "link_invalid", Message: "This signing link is not valid. Ask the sender for a new one."}
	if !strings.HasPrefix(secret, "ppl_") || len(secret) > 100 {
		return nil, nil, bad
	}
	docID, signerID, expires, err := tx.FindSignerByLink(ctx, hashToken(secret))
	if paraph.ErrorCode(err) == paraph.ENOTFOUND {
		return nil, nil, bad
	}
	if err != nil {
		return nil, nil, err
	}
	if !s.clock.Now().Before(expires) {
		return nil, nil, &paraph.Error{Code: paraph.EINVALID, Reason: "link_expired", Message: "This signing link has expired. Ask the sender to send the document again."}
	}
	d, err := tx.FindDocument(ctx, docID)
	if err != nil {
		return nil, nil, err
	}
	for _, st := range d.Stages {
		for i := range st.Signers {
			if st.Signers[i].ID == signerID {
				return d, &st.Signers[i], nil
			}
		}
	}
	return nil, nil, bad
}

// LookupSigningLink opens a signing link: the document and the signer.
func (s *Service) LookupSigningLink(ctx context.Context, secret string) (*SigningSession, error) {
	var out *SigningSession
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		d, sg, err := s.linkSigner(ctx, tx, secret)
		if err != nil {
			return err
		}
		org, err := tx.FindOrganizationByID(ctx, d.OrgID)
		if err != nil {
			return err
		}
		addr := sg.Email
		if addr == "" {
			addr = sg.Phone
		}
		out = &SigningSession{Document: d, Signer: *sg, OrgName: org.Name, Address: MaskAddress(addr),
			Ready: d.State == paraph.DocInProgress && sg.Stage == d.CurrentStage && sg.State == paraph.SignerWaiting}
		if d.State == paraph.DocCompleted && sg.State == paraph.SignerSigned {
			if fin, err := tx.FindFinal(ctx, d.ID); err == nil {
				out.VerifyID = fin.VerifyID
			}
		}
		return nil
	})
	return out, err
}

// OpenDocumentByLink returns the document's bytes to the holder of a link.
func (s *Service) OpenDocumentByLink(ctx context.Context, secret string) (*paraph.Document, io.ReadSeekCloser, error) {
	sess, err := s.LookupSigningLink(ctx, secret)
	if err != nil {
		return nil, nil, err
	}
	r, _, err := s.cfg.Blobs.Open(ctx, sess.Document.SHA256)
	if err != nil {
		return nil, nil, paraph.Internal(err)
	}
	return sess.Document, r, nil
}

// readySigner checks that a link's signer may sign now with a simple signature.
func readySigner(d *paraph.Document, sg *paraph.Signer) error {
	switch {
	case sg.State == paraph.SignerSigned:
		return &paraph.Error{Code: paraph.ECONFLICT, Reason: "already_signed", Message: "You have signed this document already."}
	case d.State != paraph.DocInProgress:
		return &paraph.Error{Code: paraph.ECONFLICT, Reason: "document_not_in_progress", Message: "The document is not waiting for signatures."}
	case sg.State != paraph.SignerWaiting:
		return &paraph.Error{Code: paraph.ECONFLICT, Reason: "document_not_in_progress", Message: "The document is not waiting for your signature."}
	case sg.Stage != d.CurrentStage:
		return &paraph.Error{Code: paraph.ECONFLICT, Reason: "not_your_turn", Message: "It is not your turn yet: the stages before yours must be signed first."}
	case d.Stages[sg.Stage].Signature != paraph.SigSimple:
		return &paraph.Error{Code: paraph.ECONFLICT, Reason: "wrong_signature_kind", Message: "This stage asks for a qualified signature."}
	}
	return nil
}

// RequestSigningCode sends a one-time code to the contact on the route; it
// returns where it went, masked.
func (s *Service) RequestSigningCode(ctx context.Context, secret string) (string, error) {
	var masked string
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		d, sg, err := s.linkSigner(ctx, tx, secret)
		if err != nil {
			return err
		}
		ch, addr := notify.Email, sg.Email
		if addr == "" {
			ch, addr = notify.SMS, sg.Phone
		}
		masked, err = s.requestCode(ctx, tx, d, sg, ch, addr)
		return err
	})
	if err == nil {
		s.wake()
	}
	return masked, err
}

// RequestMemberSigningCode sends a member whose simple signature the
// document waits for a code to their own email (or phone).
func (s *Service) RequestMemberSigningCode(ctx context.Context, docID string) (string, error) {
	var masked string
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		acc, err := s.loadDocument(ctx, tx, docID)
		if err != nil {
			return err
		}
		sg, err := signerSlot(acc, paraph.SigSimple)
		if err != nil {
			return err
		}
		a, err := tx.FindAccountByID(ctx, acc.me.AccountID)
		if err != nil {
			return err
		}
		ch, addr := notify.Email, a.Email
		if addr == "" {
			ch, addr = notify.SMS, a.Phone
		}
		masked, err = s.requestCode(ctx, tx, acc.doc, sg, ch, addr)
		return err
	})
	if err == nil {
		s.wake()
	}
	return masked, err
}

func (s *Service) requestCode(ctx context.Context, tx *store.Tx, d *paraph.Document, sg *paraph.Signer, ch notify.Channel, addr string) (string, error) {
	if err := readySigner(d, sg); err != nil {
		return "", err
	}
	now := s.clock.Now()
	if last, err := tx.FindLatestSignCode(ctx, sg.ID); err == nil && now.Sub(last.CreatedAt) < s.cfg.CodeResendAfter {
		return "", tooMany("code_resend_too_soon", "A code was sent less than a minute ago; wait before asking again.",
			s.cfg.CodeResendAfter-now.Sub(last.CreatedAt))
	}
	code := newCode()
	c := &store.SignCode{ID: newID(), SignerID: sg.ID, Channel: string(ch), Address: addr, CreatedAt: now, ExpiresAt: now.Add(s.cfg.CodeTTL)}
	c.Hash = s.codeHash(c.ID, code)
	if err := tx.CreateSignCode(ctx, c); err != nil {
		return "", err
	}
	return MaskAddress(addr), s.enqueueNotification(ctx, tx, "signcode:"+c.ID, notification{Channel: ch, To: addr, Kind: notify.KindConfirmCode,
		Lang: paraph.Languages[0], Data: notify.Data{"name": sg.FullName, "code": code, "minutes": minutes(s.cfg.CodeTTL)}})
}

// SimpleSignature is what the signer submits with the code.
type SimpleSignature struct {
	Code  string
	Image []byte // the drawn or uploaded signature, PNG or JPEG
	Stamp []byte // optional, unless the signer is asked for it
	// Fields is what the signer filled in, by the requested field's name.
	Fields map[string]string
}

// SignByLink makes a simple signature: the code proves the contact, the
// image is kept with the evidence (document hash, time, IP, user agent,
// channel and masked address of the code).
func (s *Service) SignByLink(ctx context.Context, secret string, in SimpleSignature) (*SignatureResult, error) {
	imageSum, stampSum, err := s.storeSignatureImages(ctx, in)
	if err != nil {
		return nil, err
	}
	var res *SignatureResult
	err = s.writeCounting(ctx, func(tx *store.Tx) (error, error) {
		d0, _, err := s.linkSigner(ctx, tx, secret)
		if err != nil {
			return nil, err
		}
		if err := tx.LockDocument(ctx, d0.ID); err != nil {
			return nil, err
		}
		d, sg, err := s.linkSigner(ctx, tx, secret) // again, under the lock
		if err != nil {
			return nil, err
		}
		var counted error
		res, counted, err = s.signSimple(ctx, tx, d, sg, "", in, imageSum, stampSum)
		return counted, err
	})
	if err == nil {
		s.wake()
	}
	return res, err
}

// SignAsMember makes a member's simple signature with the code sent by
// RequestMemberSigningCode.
func (s *Service) SignAsMember(ctx context.Context, docID string, in SimpleSignature) (*SignatureResult, error) {
	imageSum, stampSum, err := s.storeSignatureImages(ctx, in)
	if err != nil {
		return nil, err
	}
	var res *SignatureResult
	err = s.writeCounting(ctx, func(tx *store.Tx) (error, error) {
		acc, err := s.lockDocument(ctx, tx, docID)
		if err != nil {
			return nil, err
		}
		sg, err := signerSlot(acc, paraph.SigSimple)
		if err != nil {
			return nil, err
		}
		var counted error
		res, counted, err = s.signSimple(ctx, tx, acc.doc, sg, acc.me.AccountID, in, imageSum, stampSum)
		return counted, err
	})
	if err == nil {
		s.wake()
	}
	return res, err
}

// signSimple checks the code and stores a simple signature with its evidence.
func (s *Service) signSimple(ctx context.Context, tx *store.Tx, d *paraph.Document, sg *paraph.Signer, accountID string, in SimpleSignature, imageSum, stampSum string) (*SignatureResult, error, error) {
	if err := readySigner(d, sg); err != nil {
		return nil, nil, err
	}
	// The fields are checked before the code, so that a forgotten field
	// does not spend one of the code's tries.
	values, err := paraph.FillFields(sg.Fields, in.Fields, stampSum != "")
	if err != nil {
		return nil, nil, err
	}
	code := in.Code
	c, err := tx.FindLatestSignCode(ctx, sg.ID)
	if paraph.ErrorCode(err) == paraph.ENOTFOUND {
		return nil, nil, paraph.Invalid("code", "code_required", "Ask for a code first.")
	}
	if err != nil {
		return nil, nil, err
	}
	now := s.clock.Now()
	switch {
	case !c.UsedAt.IsZero():
		return nil, nil, paraph.Invalid("code", "code_used", "This code was already used; ask for a new one.")
	case c.Attempts >= s.cfg.CodeMaxAttempts:
		return nil, nil, paraph.Invalid("code", "code_locked", "Too many wrong tries; ask for a new code.")
	case !now.Before(c.ExpiresAt):
		return nil, nil, paraph.Invalid("code", "code_expired", "The code has expired; ask for a new one.")
	}
	if !hmac.Equal([]byte(s.codeHash(c.ID, normalizeCode(code))), []byte(c.Hash)) {
		if err := tx.AddSignCodeAttempt(ctx, c.ID); err != nil {
			return nil, nil, err
		}
		left := s.cfg.CodeMaxAttempts - c.Attempts - 1
		if left <= 0 {
			return nil, paraph.Invalid("code", "code_locked", "Too many wrong tries; ask for a new code."), nil
		}
		e := *errWrongCode
		e.Message = "The code is wrong. Tries left: " + strconv.Itoa(left) + "."
		e.Err = triesLeft(left)
		return nil, &e, nil
	}
	if err := tx.UseSignCode(ctx, c.ID, now); err != nil {
		return nil, nil, err
	}
	cl := ClientFrom(ctx)
	evidence, _ := json.Marshal(map[string]string{"sha256": d.SHA256, "signed_at": now.Format(time.RFC3339), "ip": cl.IP,
		"user_agent": truncate(cl.UserAgent, 512), "channel": c.Channel, "address": MaskAddress(c.Address), "signer": sg.FullName})
	rec := &store.SignatureRecord{ID: newID(), DocumentID: d.ID, SignerID: sg.ID, Kind: paraph.SigSimple, AccountID: accountID,
		SHA256: d.SHA256, Indication: "passed", Evidence: string(evidence), FieldValues: values, SigningTime: now, CreatedAt: now}
	if err := tx.CreateSignature(ctx, rec); err != nil {
		return nil, nil, err
	}
	if err := tx.SetSignatureImages(ctx, rec.ID, imageSum, stampSum); err != nil {
		return nil, nil, err
	}
	if err := tx.MarkSigner(ctx, sg.ID, paraph.SignerSigned, now); err != nil {
		return nil, nil, err
	}
	if err := s.audit(ctx, tx, "", d.OrgID, "document.signed", d.ID, `{"signer":"`+sg.ID+`","kind":"simple"}`); err != nil {
		return nil, nil, err
	}
	nd, err := s.advance(ctx, tx, d.ID)
	if err != nil {
		return nil, nil, err
	}
	return &SignatureResult{ID: rec.ID, Indication: "passed", Document: nd}, nil, nil
}

// storeSignatureImages checks the signature image (and stamp) and keeps them
// in the blob store.
func (s *Service) storeSignatureImages(ctx context.Context, in SimpleSignature) (imageSum, stampSum string, err error) {
	for _, img := range []struct {
		field string
		data  []byte
		need  bool
	}{{"image", in.Image, true}, {"stamp", in.Stamp, false}} {
		if len(img.data) == 0 {
			if img.need {
				return "", "", paraph.Invalid(img.field, "signature_image_required", "Draw or upload your signature.")
			}
			continue
		}
		if len(img.data) > MaxSignatureImage {
			return "", "", paraph.Invalid(img.field, "image_too_large", "The image is larger than 1 MiB.")
		}
		if ct := http.DetectContentType(img.data); ct != "image/png" && ct != "image/jpeg" {
			return "", "", paraph.Invalid(img.field, "image_not_png_jpeg", "The image must be PNG or JPEG.")
		}
	}
	if imageSum, _, err = s.cfg.Blobs.Put(ctx, bytes.NewReader(in.Image), MaxSignatureImage); err != nil {
		return "", "", paraph.Internal(err)
	}
	if len(in.Stamp) > 0 {
		if stampSum, _, err = s.cfg.Blobs.Put(ctx, bytes.NewReader(in.Stamp), MaxSignatureImage); err != nil {
			return "", "", paraph.Internal(err)
		}
	}
	return imageSum, stampSum, nil
}

// MaskAddress hides most of an email or phone: "an***@example.com",
// "+7 916 ***-**-67".
func MaskAddress(addr string) string {
	if at := strings.IndexByte(addr, '@'); at >= 0 {
		name := addr[:at]
		keep := 2
		if len(name) <= 2 {
			keep = 1
		}
		return name[:keep] + "***" + addr[at:]
	}
	if len(addr) > 6 {
		return addr[:len(addr)-7] + "***-**-" + addr[len(addr)-2:]
	}
	return "***"
}
