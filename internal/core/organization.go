package core

import (
	"context"

	"paraph"
	"paraph/internal/store"
)

// actor returns the acting account's membership in an organization. An
// organization the account is not a member of is "not found" — its existence
// is nobody else's business; a blocked member is refused on this very request.
func (s *Service) actor(ctx context.Context, tx *store.Tx, orgID string) (*paraph.Member, error) {
	p, err := requirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	m, err := tx.FindMemberByAccount(ctx, orgID, p.Account.ID)
	if paraph.ErrorCode(err) == paraph.ENOTFOUND {
		return nil, notFoundErr("Organization")
	}
	if err != nil {
		return nil, err
	}
	if m.Status != paraph.MemberActive {
		return nil, &paraph.Error{Code: paraph.EFORBIDDEN, Reason: "blocked",
			Message: "Your access to this organization is blocked. Ask its owner or administrator."}
	}
	return m, nil
}

// CreateOrganization registers an organization; the acting account becomes its owner.
func (s *Service) CreateOrganization(ctx context.Context, in paraph.Organization) (*paraph.Organization, error) {
	p, err := requirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	o := in
	if err := o.Normalize(); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	o.ID, o.CreatedAt = newID(), now
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.FindOrganizationByKey(ctx, o.UniqueKey()); err == nil {
			return errOrganizationExists
		} else if paraph.ErrorCode(err) != paraph.ENOTFOUND {
			return err
		}
		if err := tx.CreateOrganization(ctx, &o); err != nil {
			if paraph.ErrorCode(err) == paraph.ECONFLICT { // registered by someone else a moment ago
				return errOrganizationExists
			}
			return err
		}
		owner := &paraph.Member{ID: newID(), OrgID: o.ID, AccountID: p.Account.ID, Role: paraph.RoleOwner,
			Status: paraph.MemberActive, AccessScope: paraph.ScopeAll, CreatedAt: now}
		if err := tx.CreateMember(ctx, owner); err != nil {
			return err
		}
		return s.audit(ctx, tx, "", o.ID, "organization.created", o.ID, "")
	})
	if err != nil {
		return nil, err
	}
	return &o, nil
}

var errOrganizationExists = &paraph.Error{Code: paraph.ECONFLICT, Reason: "organization_exists", Field: "inn",
	Message: "An organization with these identifiers is already registered in Paraph. Ask its owner to add you: " +
		"they open Members, choose Add employee and enter your email and phone."}

// Organizations lists the organizations where the acting account is an active member.
func (s *Service) Organizations(ctx context.Context) ([]*store.AccountOrganization, error) {
	p, err := requirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	var out []*store.AccountOrganization
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		out, err = tx.FindAccountOrganizations(ctx, p.Account.ID)
		return err
	})
	return out, err
}

// Organization returns an organization and the acting member in it.
func (s *Service) Organization(ctx context.Context, orgID string) (*paraph.Organization, *paraph.Member, error) {
	var o *paraph.Organization
	var me *paraph.Member
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if me, err = s.actor(ctx, tx, orgID); err != nil {
			return err
		}
		if err := paraph.Can(me, paraph.ActionViewOrganization, nil); err != nil {
			return err
		}
		o, err = tx.FindOrganizationByID(ctx, orgID)
		return err
	})
	return o, me, err
}

// OrganizationUpdate changes an organization's details; nil fields stay.
type OrganizationUpdate struct {
	Name, Email, Address                *string
	INN, KPP, OGRN, EDRPOU, RNOKPP, UNP *string
}

// UpdateOrganization changes an organization's details (owner or admin).
func (s *Service) UpdateOrganization(ctx context.Context, orgID string, u OrganizationUpdate) (*paraph.Organization, error) {
	var o *paraph.Organization
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		me, err := s.actor(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if err := paraph.Can(me, paraph.ActionEditOrganization, nil); err != nil {
			return err
		}
		if o, err = tx.FindOrganizationByID(ctx, orgID); err != nil {
			return err
		}
		for _, f := range []struct {
			from *string
			to   *string
		}{{u.Name, &o.Name}, {u.Email, &o.Email}, {u.Address, &o.Address}, {u.INN, &o.INN}, {u.KPP, &o.KPP},
			{u.OGRN, &o.OGRN}, {u.EDRPOU, &o.EDRPOU}, {u.RNOKPP, &o.RNOKPP}, {u.UNP, &o.UNP}} {
			if f.from != nil {
				*f.to = *f.from
			}
		}
		if err := o.Normalize(); err != nil {
			return err
		}
		if err := tx.UpdateOrganization(ctx, o); err != nil {
			if paraph.ErrorCode(err) == paraph.ECONFLICT {
				return errOrganizationExists
			}
			return err
		}
		return s.audit(ctx, tx, "", orgID, "organization.updated", orgID, "")
	})
	return o, err
}
