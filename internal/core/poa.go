package core

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"time"

	"paraph"
	"paraph/cades"
	"paraph/internal/poa"
	"paraph/internal/store"
	"paraph/pki"
)

// POAView is a stored power of attorney, parsed, with its status now and
// the result of its signature's check.
type POAView struct {
	ID            string
	MemberID      string
	POA           *poa.PowerOfAttorney
	IsMain        bool
	Status        string // paraph.POAActive, POAExpiring, POAExpired or POARevoked
	StatusReason  string // e.g. not_yet_valid, or the revocation's reason
	RevokedAt     time.Time
	Signer        *pki.Certificate // who signed the XML
	SignatureOK   bool             // the signature verifies over the exact XML bytes
	SignerTrusted bool             // and the signer's certificate chains to a trusted root
	CreatedAt     time.Time
}

// UploadPOA adds a machine-readable power of attorney (XML and its detached
// signature) to a member. The signature must verify over the XML's exact
// bytes; the principal must be this organization and the representative
// this member (when their INN or SNILS are known).
func (s *Service) UploadPOA(ctx context.Context, orgID, memberID string, xml, sig []byte) (*POAView, error) {
	p, err := poa.Parse(xml)
	if err != nil {
		return nil, poaError(err)
	}
	signer, err := s.checkPOASignature(xml, sig)
	if err != nil {
		return nil, err
	}
	var view *POAView
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		me, target, err := s.actorAndTarget(ctx, tx, orgID, memberID, paraph.ActionManageCertificates)
		if err != nil {
			return err
		}
		org, err := tx.FindOrganizationByID(ctx, orgID)
		if err != nil {
			return err
		}
		if !p.PrincipalIs(org.INN, org.OGRN) {
			return &paraph.Error{Code: paraph.EINVALID, Reason: "poa_principal_mismatch", Field: "xml",
				Message: "The power of attorney was issued by another organization (the principal's INN differs)."}
		}
		acc, err := tx.FindAccountByID(ctx, target.AccountID)
		if err != nil {
			return err
		}
		if (acc.INN != "" || acc.SNILS != "") && !p.RepresentativeMatches(acc.INN, acc.SNILS) {
			return &paraph.Error{Code: paraph.EINVALID, Reason: "poa_representative_mismatch", Field: "xml",
				Message: "The power of attorney names another representative than this employee (INN and SNILS differ)."}
		}
		existing, err := tx.FindMemberPOAs(ctx, orgID, target.ID)
		if err != nil {
			return err
		}
		hasMain := false
		for _, e := range existing {
			hasMain = hasMain || e.IsMain
		}
		now := s.clock.Now()
		row := &store.POA{ID: newID(), OrgID: orgID, MemberID: target.ID, Number: p.Number, XML: xml, Sig: sig,
			ValidUntil: p.ValidUntil, IsMain: !hasMain, UploadedBy: me.AccountID, CreatedAt: now}
		if err := tx.CreatePOA(ctx, row); err != nil {
			if paraph.ErrorCode(err) == paraph.ECONFLICT {
				return &paraph.Error{Code: paraph.ECONFLICT, Reason: "poa_exists", Field: "xml",
					Message: "This power of attorney is already added to this employee.", Err: err}
			}
			return err
		}
		view = &POAView{ID: row.ID, MemberID: target.ID, POA: p, IsMain: row.IsMain, Signer: signer, SignatureOK: true, CreatedAt: now}
		return s.audit(ctx, tx, "", orgID, "poa.added", row.ID, `{"member":"`+target.ID+`","number":"`+p.Number+`"}`)
	})
	if err != nil {
		return nil, err
	}
	view.Status, view.StatusReason = p.Status(s.clock.Now())
	s.judgePOASigner(ctx, view)
	return view, nil
}

// checkPOASignature verifies the detached signature over the XML's exact
// bytes and returns the signer's certificate. A signature that does not
// verify (or is not a signature) is refused: such a file proves nothing.
func (s *Service) checkPOASignature(xml, sig []byte) (*pki.Certificate, error) {
	if len(sig) == 0 {
		return nil, paraph.Invalid("sig", "poa_signature_required", "Upload the power of attorney's detached signature (.sig) too.")
	}
	sd, err := cades.Parse(sig)
	if err != nil {
		return nil, &paraph.Error{Code: paraph.EINVALID, Reason: "poa_signature_invalid", Field: "sig",
			Message: "The .sig file is not a CMS signature.", Err: err}
	}
	results, err := sd.Verify(bytes.NewReader(xml))
	if err != nil {
		return nil, &paraph.Error{Code: paraph.EINVALID, Reason: "poa_signature_invalid", Field: "sig",
			Message: "The signature could not be checked.", Err: err}
	}
	for _, r := range results {
		if r.Indication == cades.Passed && r.Certificate != nil {
			certs, err := s.certs.Parse(r.Certificate.Raw)
			if err != nil || len(certs) != 1 {
				break
			}
			return certs[0], nil
		}
	}
	msg := "The signature does not match this XML file (it was changed, or the signature is for another file)."
	if len(results) > 0 && results[0].Indication == cades.Indeterminate {
		msg = "The signature cannot be checked here (unsupported algorithm or no signer certificate in the .sig)."
	}
	return nil, &paraph.Error{Code: paraph.EINVALID, Reason: "poa_signature_mismatch", Field: "sig", Message: msg}
}

// judgePOASigner says whether the signer's certificate chains to a trusted root.
func (s *Service) judgePOASigner(ctx context.Context, v *POAView) {
	if v.Signer == nil {
		return
	}
	ts, err := s.trustStore(ctx)
	if err != nil {
		return
	}
	ver, err := ts.Verify(ctx, v.Signer, nil, v.POA.IssuedOn.Add(12*time.Hour), pki.VerifyOptions{})
	v.SignerTrusted = err == nil && ver.Trusted
}

func poaError(err error) error {
	var pe *poa.Error
	if errors.As(err, &pe) {
		msg := pe.Message
		if pe.Path != "" && !strings.Contains(msg, pe.Path) {
			msg = pe.Path + ": " + msg
		}
		reason := "poa_" + pe.Reason
		if pe.Reason == "" {
			reason = "poa_invalid"
		}
		return &paraph.Error{Code: paraph.EINVALID, Reason: reason, Field: "xml", Message: msg, Err: err}
	}
	return &paraph.Error{Code: paraph.EINVALID, Reason: "poa_invalid", Field: "xml", Message: "This is not a machine-readable power of attorney (EMCHD_1).", Err: err}
}

func (s *Service) poaView(ctx context.Context, row *store.POA) (*POAView, error) {
	p, err := poa.Parse(row.XML)
	if err != nil {
		return nil, paraph.Internal(err)
	}
	v := &POAView{ID: row.ID, MemberID: row.MemberID, POA: p, IsMain: row.IsMain, RevokedAt: row.RevokedAt, CreatedAt: row.CreatedAt}
	v.Status, v.StatusReason = p.Status(s.clock.Now())
	if !row.RevokedAt.IsZero() {
		v.Status, v.StatusReason = paraph.POARevoked, row.RevokedReason
	}
	if signer, err := s.checkPOASignature(row.XML, row.Sig); err == nil {
		v.Signer, v.SignatureOK = signer, true
		s.judgePOASigner(ctx, v)
	}
	return v, nil
}

// POAs lists a member's powers of attorney; inactive ones (expired,
// revoked) only when asked, as the list hides them by default.
func (s *Service) POAs(ctx context.Context, orgID, memberID string, showInactive bool) ([]*POAView, error) {
	var rows []*store.POA
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		_, target, err := s.actorAndTarget(ctx, tx, orgID, memberID, paraph.ActionViewMembers)
		if err != nil {
			return err
		}
		rows, err = tx.FindMemberPOAs(ctx, orgID, target.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []*POAView
	for _, r := range rows {
		v, err := s.poaView(ctx, r)
		if err != nil {
			return nil, err
		}
		if !showInactive && (v.Status == paraph.POAExpired || v.Status == paraph.POARevoked) {
			continue
		}
		out = append(out, v)
	}
	return out, nil
}

// SetMainPOA makes a power of attorney the member's main one, used by
// default when they sign for the organization.
func (s *Service) SetMainPOA(ctx context.Context, orgID, poaID string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := s.actor(ctx, tx, orgID); err != nil { // membership first: outsiders learn nothing
			return err
		}
		row, err := tx.FindPOA(ctx, orgID, poaID)
		if err != nil {
			return err
		}
		if _, _, err := s.actorAndTarget(ctx, tx, orgID, row.MemberID, paraph.ActionManageCertificates); err != nil {
			return err
		}
		if !row.RevokedAt.IsZero() {
			return &paraph.Error{Code: paraph.ECONFLICT, Reason: "poa_revoked", Message: "A revoked power of attorney cannot be the main one."}
		}
		if err := tx.ClearMainPOA(ctx, orgID, row.MemberID); err != nil {
			return err
		}
		row.IsMain = true
		if err := tx.UpdatePOA(ctx, row); err != nil {
			return err
		}
		return s.audit(ctx, tx, "", orgID, "poa.made_main", row.ID, "")
	})
}

// RevokePOA marks a power of attorney revoked (the principal cancelled it).
func (s *Service) RevokePOA(ctx context.Context, orgID, poaID, reason string) error {
	reason = strings.Join(strings.Fields(reason), " ")
	if len([]rune(reason)) > 500 {
		return paraph.Invalid("reason", "reason_too_long", "The reason is too long (500 characters at most).")
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := s.actor(ctx, tx, orgID); err != nil { // membership first: outsiders learn nothing
			return err
		}
		row, err := tx.FindPOA(ctx, orgID, poaID)
		if err != nil {
			return err
		}
		// Revoking is the principal's act: those who manage the member.
		if _, _, err := s.actorAndTarget(ctx, tx, orgID, row.MemberID, paraph.ActionEditMember); err != nil {
			return err
		}
		if !row.RevokedAt.IsZero() {
			return &paraph.Error{Code: paraph.ECONFLICT, Reason: "poa_revoked", Message: "This power of attorney is revoked already."}
		}
		row.RevokedAt, row.RevokedReason, row.IsMain = s.clock.Now(), reason, false
		if err := tx.UpdatePOA(ctx, row); err != nil {
			return err
		}
		return s.audit(ctx, tx, "", orgID, "poa.revoked", row.ID, "")
	})
}

// SigningAuthority is the check used at signing: may this member sign for
// the organization with this certificate, and under which МЧД (the main
// one first)? power is the machine-readable power code the operation needs,
// "" for any.
func (s *Service) SigningAuthority(ctx context.Context, orgID, memberID string, cert *pki.Certificate, power string) (paraph.Authority, error) {
	var org *paraph.Organization
	var rows []*store.POA
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		if _, _, err := s.actorAndTarget(ctx, tx, orgID, memberID, paraph.ActionViewMembers); err != nil {
			return err
		}
		if cert == nil {
			return paraph.Invalid("certificate", "certificate_required", "Choose the certificate to sign with.")
		}
		var err error
		if org, err = tx.FindOrganizationByID(ctx, orgID); err != nil {
			return err
		}
		rows, err = tx.FindMemberPOAs(ctx, orgID, memberID)
		return err
	})
	if err != nil {
		return paraph.Authority{}, err
	}
	var candidates []paraph.POACandidate
	for _, r := range rows {
		v, err := s.poaView(ctx, r)
		if err != nil {
			return paraph.Authority{}, err
		}
		candidates = append(candidates, poaCandidate(v, cert))
	}
	return paraph.CheckAuthority(org, identityOf(cert), candidates, power), nil
}

// poaCandidate reduces a power of attorney to what the authority rule needs;
// one whose signature does not verify counts as expired: it proves nothing.
func poaCandidate(v *POAView, cert *pki.Certificate) paraph.POACandidate {
	c := paraph.POACandidate{ID: v.ID, Number: v.POA.Number, IsMain: v.IsMain, Status: v.Status}
	if !v.SignatureOK {
		c.Status = paraph.POAExpired
	}
	if len(v.POA.Principals) > 0 {
		c.PrincipalINN, c.PrincipalOGRN = v.POA.Principals[0].INN, v.POA.Principals[0].OGRN
	}
	// With several representatives, the one the certificate names counts.
	id := identityOf(cert)
	for _, r := range v.POA.Representatives {
		if r.Person != nil {
			c.RepresentativeINN, c.RepresentativeSNILS = r.Person.INN, r.Person.SNILS
			if v.POA.RepresentativeMatches(id.INN, id.SNILS) && (r.Person.INN == id.INN || r.Person.SNILS == id.SNILS) {
				break
			}
		}
	}
	for _, p := range v.POA.Powers {
		if p.Code != "" {
			c.Powers = append(c.Powers, p.Code)
		}
	}
	return c
}
