package core

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"time"

	"paraph"
	"paraph/internal/notify"
	"paraph/internal/store"
	"paraph/pki"
)

// CertificateView is a stored certificate with everything parsed from it
// and its status now.
type CertificateView struct {
	ID        string
	MemberID  string
	Cert      *pki.Certificate
	Chain     []*pki.Certificate // the intermediates uploaded with it
	Status    pki.Status
	Reason    pki.Reason // why invalid, "" otherwise
	Detail    string
	CreatedAt time.Time
}

// certificateView parses a stored certificate and judges it now. A stored
// certificate always parsed once, so a failure here is internal.
func (s *Service) certificateView(ctx context.Context, c *store.Certificate) (*CertificateView, error) {
	certs, err := s.certs.Parse(c.DER)
	if err != nil || len(certs) != 1 {
		return nil, paraph.Internal(fmt.Errorf("core: stored certificate %s does not parse: %v", c.ID, err))
	}
	var chain []*pki.Certificate
	if len(c.Chain) > 0 {
		if chain, err = s.certs.Parse(c.Chain); err != nil {
			return nil, paraph.Internal(fmt.Errorf("core: stored chain of %s does not parse: %v", c.ID, err))
		}
	}
	v := &CertificateView{ID: c.ID, MemberID: c.MemberID, Cert: certs[0], Chain: chain, CreatedAt: c.CreatedAt}
	if err := s.judge(ctx, v); err != nil {
		return nil, err
	}
	return v, nil
}

// judge sets a view's status from the trust store and the clock.
func (s *Service) judge(ctx context.Context, v *CertificateView) error {
	ts, err := s.trustStore(ctx)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	ver, err := ts.Verify(ctx, v.Cert, v.Chain, now, pki.VerifyOptions{CheckRevocation: s.cfg.CheckRevocation})
	if err != nil {
		return paraph.Internal(err)
	}
	v.Status, v.Reason = v.Cert.Status(now, ver)
	v.Detail = ver.Detail
	return nil
}

// UploadCertificate binds a certificate to a member (the member themselves,
// or an owner or admin). The file may carry the chain (.p7b, several PEM
// blocks). A certificate contradicting the member's identifiers, or issued
// for another organization, is refused; one that is expired or untrusted is
// kept and shown as invalid, because history matters.
func (s *Service) UploadCertificate(ctx context.Context, orgID, memberID string, data []byte) (*CertificateView, error) {
	certs, err := s.parseCertificates(data)
	if err != nil {
		return nil, err
	}
	leaf, chain := splitLeaf(certs)
	var chainDER bytes.Buffer
	for _, c := range chain {
		chainDER.Write(c.Raw)
	}
	var view *CertificateView
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		me, target, err := s.actorAndTarget(ctx, tx, orgID, memberID, paraph.ActionManageCertificates)
		if err != nil {
			return err
		}
		org, err := tx.FindOrganizationByID(ctx, orgID)
		if err != nil {
			return err
		}
		acc, err := tx.FindAccountByID(ctx, target.AccountID)
		if err != nil {
			return err
		}
		if err := checkBinding(org, &acc.Account, leaf); err != nil {
			return err
		}
		// The first certificate fills in the person's identifiers; from then
		// on they are what later certificates are compared with.
		if acc.INN == "" && len(leaf.INN) == 12 || acc.SNILS == "" && leaf.SNILS != "" {
			if acc.INN == "" && len(leaf.INN) == 12 {
				acc.INN = leaf.INN
			}
			if acc.SNILS == "" {
				acc.SNILS = leaf.SNILS
			}
			if err := tx.UpdateAccount(ctx, acc); err != nil {
				return err
			}
		}
		now := s.clock.Now()
		c := &store.Certificate{ID: newID(), OrgID: orgID, MemberID: target.ID, AccountID: target.AccountID, DER: leaf.Raw,
			Chain: chainDER.Bytes(), Fingerprint: leaf.FingerprintSHA256, NotAfter: leaf.NotAfter, UploadedBy: me.AccountID, CreatedAt: now}
		if err := tx.CreateCertificate(ctx, c); err != nil {
			if paraph.ErrorCode(err) == paraph.ECONFLICT {
				return &paraph.Error{Code: paraph.ECONFLICT, Reason: "certificate_exists", Field: "certificate",
					Message: "This certificate is already added to this employee.", Err: err}
			}
			return err
		}
		view = &CertificateView{ID: c.ID, MemberID: c.MemberID, Cert: leaf, Chain: chain, CreatedAt: now}
		return s.audit(ctx, tx, "", orgID, "certificate.added", c.ID, `{"member":"`+target.ID+`","fingerprint":"`+c.Fingerprint+`"}`)
	})
	if err != nil {
		return nil, err
	}
	if err := s.judge(ctx, view); err != nil {
		return nil, err
	}
	return view, nil
}

// splitLeaf picks the end-entity certificate out of an upload; the others
// are its chain.
func splitLeaf(certs []*pki.Certificate) (*pki.Certificate, []*pki.Certificate) {
	for i, c := range certs {
		if !c.IsCA {
			rest := append(append([]*pki.Certificate{}, certs[:i]...), certs[i+1:]...)
			return c, rest
		}
	}
	return certs[0], certs[1:]
}

// checkBinding refuses a certificate whose identifiers contradict the person
// on file or that was issued for another organization.
func checkBinding(org *paraph.Organization, acc *paraph.Account, c *pki.Certificate) error {
	switch {
	case acc.SNILS != "" && c.SNILS != "" && acc.SNILS != c.SNILS:
		return &paraph.Error{Code: paraph.EINVALID, Reason: "certificate_other_person", Field: "certificate",
			Message: "The certificate's SNILS differs from this employee's: it belongs to someone else."}
	case acc.INN != "" && len(c.INN) == 12 && acc.INN != c.INN:
		return &paraph.Error{Code: paraph.EINVALID, Reason: "certificate_other_person", Field: "certificate",
			Message: "The certificate's INN differs from this employee's: it belongs to someone else."}
	}
	id := identityOf(c)
	if a := paraph.CheckAuthority(org, id, nil, ""); a.Reason == "certificate_other_organization" {
		return &paraph.Error{Code: paraph.EINVALID, Reason: "certificate_other_organization", Field: "certificate",
			Message: "The certificate was issued for another organization (its INN or EDRPOU differs)."}
	}
	return nil
}

// identityOf reduces a certificate to what the signing-authority rule compares.
func identityOf(c *pki.Certificate) paraph.SignerIdentity {
	id := paraph.SignerIdentity{SNILS: c.SNILS, INNLE: c.INNLE, EDRPOU: c.EDRPOU, RNOKPP: c.RNOKPP}
	if len(c.INN) == 12 {
		id.INN = c.INN
	} else if len(c.INN) == 10 && id.INNLE == "" {
		id.INNLE = c.INN // old certificates of legal entities: the INN field holds the organization's
	}
	if c.OGRN != "" {
		id.OGRN = c.OGRN
	} else {
		id.OGRN = c.OGRNIP
	}
	return id
}

// Certificates lists a member's certificates with their status now, newest first.
func (s *Service) Certificates(ctx context.Context, orgID, memberID string) ([]*CertificateView, error) {
	var stored []*store.Certificate
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		me, target, err := s.actorAndTarget(ctx, tx, orgID, memberID, paraph.ActionViewMembers)
		if err != nil {
			return err
		}
		_ = me
		stored, err = tx.FindMemberCertificates(ctx, orgID, target.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]*CertificateView, 0, len(stored))
	for _, c := range stored {
		v, err := s.certificateView(ctx, c)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Certificate returns one certificate of an organization with its status.
func (s *Service) Certificate(ctx context.Context, orgID, certID string) (*CertificateView, error) {
	var c *store.Certificate
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		me, err := s.actor(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if err := paraph.Can(me, paraph.ActionViewMembers, nil); err != nil {
			return err
		}
		c, err = tx.FindCertificate(ctx, orgID, certID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.certificateView(ctx, c)
}

// JobCertificateReminders is the scheduled job that warns of certificates
// about to expire.
const JobCertificateReminders = "certificate_reminders"

// reminderDays are the days before expiry at which holder and admins hear.
var reminderDays = []int{30, 7}

// RemindExpiringCertificates emails the holder and the organization's
// owners and admins 30 and 7 days before a certificate expires. Each
// reminder is sent once: its idempotency key names the certificate and the
// threshold. A certificate added with 5 days left gets only the 7-day one.
func (s *Service) RemindExpiringCertificates(ctx context.Context) (int, error) {
	now := s.clock.Now()
	sent := 0
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		certs, err := tx.FindCertificatesExpiringBetween(ctx, now, now.Add(time.Duration(reminderDays[0])*24*time.Hour))
		if err != nil {
			return err
		}
		for _, c := range certs {
			left := c.NotAfter.Sub(now)
			threshold := 0
			for _, d := range reminderDays {
				if left <= time.Duration(d)*24*time.Hour {
					threshold = d
				}
			}
			parsed, err := s.certs.Parse(c.DER)
			if err != nil || len(parsed) != 1 {
				continue
			}
			org, err := tx.FindOrganizationByID(ctx, c.OrgID)
			if err != nil {
				return err
			}
			holder, err := tx.FindMember(ctx, c.OrgID, c.MemberID)
			if err != nil {
				return err
			}
			recipients := []*paraph.Member{holder}
			admins, err := tx.FindMembers(ctx, store.MemberFilter{OrgIDs: []string{c.OrgID}, Limit: 200})
			if err != nil {
				return err
			}
			for _, m := range admins.Members {
				if (m.Role == paraph.RoleOwner || m.Role == paraph.RoleAdmin) && m.ID != holder.ID {
					recipients = append(recipients, m)
				}
			}
			days := int(left.Hours()/24) + 1
			for _, r := range recipients {
				acc, err := tx.FindAccountByID(ctx, r.AccountID)
				if err != nil {
					return err
				}
				if acc.Email == "" {
					continue
				}
				key := "cert_expiry:" + c.ID + ":" + strconv.Itoa(threshold) + ":" + r.ID
				if err := s.enqueueNotification(ctx, tx, key, notification{Channel: notify.Email, To: acc.Email,
					Kind: notify.KindCertificateExpiring, Lang: acc.Language, Data: notify.Data{
						"name": acc.FullName, "holder": holder.FullName, "org": org.Name, "subject": parsed[0].CommonNameOrSubject(),
						"serial": parsed[0].SerialHex, "days": strconv.Itoa(days), "date": c.NotAfter.Format("02.01.2006"),
						"link": s.cfg.BaseURL + "/o/" + c.OrgID + "/members/" + holder.ID}}); err != nil {
					return err
				}
				sent++
			}
		}
		return nil
	})
	if err == nil && sent > 0 {
		s.wake()
	}
	return sent, err
}
