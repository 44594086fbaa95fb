package core

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"paraph"
	"paraph/internal/notify"
	"paraph/internal/store"
)

// InvitationTTL is how long a set-password link for a new employee works.
const InvitationTTL = 7 * 24 * time.Hour

// MemberInput describes an employee to add.
type MemberInput struct {
	FullName          string
	Email             string
	Phone             string
	Role              string
	Position          string
	DepartmentID      string
	AccessScope       string
	AccessDepartments []string
}

// AddMember adds an employee to an organization (owner or admin). Email and
// phone find an existing account, which simply gets access; an unknown person
// gets an account waiting for a password and an invitation email.
func (s *Service) AddMember(ctx context.Context, orgID string, in MemberInput) (*paraph.Member, error) {
	name, err := paraph.NormalizeFullName(in.FullName)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Email) == "" {
		return nil, paraph.Invalid("email", "email_required", "Enter the employee's email.")
	}
	email, err := paraph.NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Phone) == "" {
		return nil, paraph.Invalid("phone", "phone_required", "Enter the employee's phone number.")
	}
	phone, err := paraph.NormalizePhone(in.Phone)
	if err != nil {
		return nil, err
	}
	role, err := paraph.ParseRole(in.Role)
	if err != nil {
		return nil, err
	}
	position, err := normalizePosition(in.Position)
	if err != nil {
		return nil, err
	}
	scope := in.AccessScope
	if scope == "" {
		scope = string(paraph.ScopeOwn)
	}
	accessScope, err := paraph.ParseAccessScope(scope)
	if err != nil {
		return nil, err
	}
	var m *paraph.Member
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		me, err := s.actor(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if err := paraph.Can(me, paraph.ActionAddMember, nil); err != nil {
			return err
		}
		if err := paraph.CanAssignRole(me, nil, role); err != nil {
			return err
		}
		org, err := tx.FindOrganizationByID(ctx, orgID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		m = &paraph.Member{ID: newID(), OrgID: orgID, Role: role, Status: paraph.MemberActive, Position: position,
			DepartmentID: in.DepartmentID, AccessScope: accessScope, AccessDepartments: dedupe(in.AccessDepartments), CreatedAt: now}
		if err := s.checkMemberDepartments(ctx, tx, m); err != nil {
			return err
		}
		acc, err := findPerson(ctx, tx, email, phone)
		if err != nil {
			return err
		}
		invited := acc == nil
		if invited {
			acc = &store.AccountRecord{Account: paraph.Account{ID: newID(), FullName: name, Email: email, Phone: phone,
				Language: PrincipalFrom(ctx).Account.Language, Status: paraph.AccountPending, CreatedAt: now}, PasswordChangedAt: now}
			if err := tx.CreateAccount(ctx, acc); err != nil {
				return err
			}
		}
		m.AccountID = acc.ID
		if err := tx.CreateMember(ctx, m); err != nil {
			if paraph.ErrorCode(err) == paraph.ECONFLICT {
				return &paraph.Error{Code: paraph.ECONFLICT, Reason: "already_member", Field: "email",
					Message: "This person is already an employee of the organization.", Err: err}
			}
			return err
		}
		if err := s.audit(ctx, tx, "", orgID, "member.added", m.ID, `{"role":"`+string(role)+`"}`); err != nil {
			return err
		}
		m.FullName, m.Email, m.Phone, m.AccountStatus = acc.FullName, acc.Email, acc.Phone, acc.Status
		if invited {
			return s.invite(ctx, tx, org, me, m, acc)
		}
		return s.enqueueNotification(ctx, tx, "member_added:"+m.ID, notification{
			Channel: notify.Email, To: acc.Login(), Kind: notify.KindMemberAdded, Lang: acc.Language,
			Data: notify.Data{"name": acc.FullName, "org": org.Name, "inviter": me.FullName, "link": s.cfg.BaseURL + "/o/" + orgID},
		})
	})
	if err != nil {
		return nil, err
	}
	s.wake()
	return m, nil
}

// findPerson finds the account that owns an email or a phone; both must not
// point at two different people.
func findPerson(ctx context.Context, tx *store.Tx, email, phone string) (*store.AccountRecord, error) {
	byEmail, err := tx.FindAccountByLogin(ctx, email)
	if err != nil && paraph.ErrorCode(err) != paraph.ENOTFOUND {
		return nil, err
	}
	byPhone, err := tx.FindAccountByLogin(ctx, phone)
	if err != nil && paraph.ErrorCode(err) != paraph.ENOTFOUND {
		return nil, err
	}
	switch {
	case byEmail != nil && byPhone != nil && byEmail.ID != byPhone.ID:
		return nil, &paraph.Error{Code: paraph.ECONFLICT, Reason: "contacts_of_two_people", Field: "phone",
			Message: "This email and this phone belong to two different people in Paraph; check them."}
	case byEmail != nil:
		return byEmail, nil
	default:
		return byPhone, nil
	}
}

// invite makes a set-password link for a member without a password and
// queues the email.
func (s *Service) invite(ctx context.Context, tx *store.Tx, org *paraph.Organization, inviter, m *paraph.Member, acc *store.AccountRecord) error {
	now := s.clock.Now()
	secret := "ppi_" + base64.RawURLEncoding.EncodeToString(randomBytes(32))
	inv := &store.Invitation{ID: newID(), MemberID: m.ID, AccountID: acc.ID, TokenHash: hashToken(secret),
		CreatedAt: now, ExpiresAt: now.Add(InvitationTTL), InvitedBy: inviter.FullName}
	if err := tx.CreateInvitation(ctx, inv); err != nil {
		return err
	}
	return s.enqueueNotification(ctx, tx, "invitation:"+inv.ID, notification{
		Channel: notify.Email, To: acc.Email, Kind: notify.KindMemberInvited, Lang: acc.Language,
		Data: notify.Data{"name": acc.FullName, "org": org.Name, "inviter": inviter.FullName,
			"link": s.cfg.BaseURL + "/invite/" + secret, "days": strconv.Itoa(int(InvitationTTL.Hours() / 24))},
	})
}

// ResendInvitation sends a new set-password link to a member who has not set
// a password yet; older links keep working until they expire.
func (s *Service) ResendInvitation(ctx context.Context, orgID, memberID string) error {
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		me, target, err := s.actorAndTarget(ctx, tx, orgID, memberID, paraph.ActionEditMember)
		if err != nil {
			return err
		}
		acc, err := tx.FindAccountByID(ctx, target.AccountID)
		if err != nil {
			return err
		}
		if acc.Status != paraph.AccountPending || acc.PasswordHash != "" {
			return &paraph.Error{Code: paraph.ECONFLICT, Reason: "invitation_not_needed",
				Message: "This person already has a password and can log in."}
		}
		if last, err := tx.FindLatestInvitation(ctx, target.ID); err == nil && s.clock.Now().Sub(last.CreatedAt) < s.cfg.CodeResendAfter {
			return tooMany("invitation_resend_too_soon", "An invitation was sent less than a minute ago.",
				s.cfg.CodeResendAfter-s.clock.Now().Sub(last.CreatedAt))
		}
		org, err := tx.FindOrganizationByID(ctx, orgID)
		if err != nil {
			return err
		}
		if err := s.audit(ctx, tx, "", orgID, "member.invitation_resent", target.ID, ""); err != nil {
			return err
		}
		return s.invite(ctx, tx, org, me, target, acc)
	})
	if err == nil {
		s.wake()
	}
	return err
}

// Invitation is what the set-password page shows.
type Invitation struct {
	FullName    string
	Login       string
	OrgName     string
	InviterName string
}

func (s *Service) findInvitation(ctx context.Context, tx *store.Tx, secret string) (*store.Invitation, error) {
	inv, err := tx.FindInvitationByHash(ctx, hashToken(secret))
	switch {
	case paraph.ErrorCode(err) == paraph.ENOTFOUND:
		return nil, &paraph.Error{Code: paraph.ENOTFOUND, Reason: "invitation_not_found",
			Message: "This invitation link is not valid. Ask for a new one."}
	case err != nil:
		return nil, err
	case !inv.UsedAt.IsZero():
		return nil, &paraph.Error{Code: paraph.ECONFLICT, Reason: "invitation_used",
			Message: "This invitation was already used. Log in with your password, or reset it."}
	case !s.clock.Now().Before(inv.ExpiresAt):
		return nil, &paraph.Error{Code: paraph.EINVALID, Reason: "invitation_expired",
			Message: "This invitation has expired. Ask the organization's administrator to send it again."}
	}
	return inv, nil
}

// LookupInvitation checks an invitation link and says whom it is for.
func (s *Service) LookupInvitation(ctx context.Context, secret string) (*Invitation, error) {
	var out *Invitation
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		inv, err := s.findInvitation(ctx, tx, secret)
		if err != nil {
			return err
		}
		acc, err := tx.FindAccountByID(ctx, inv.AccountID)
		if err != nil {
			return err
		}
		m, err := tx.FindMemberByID(ctx, inv.MemberID)
		if err != nil {
			return err
		}
		org, err := tx.FindOrganizationByID(ctx, m.OrgID)
		if err != nil {
			return err
		}
		out = &Invitation{FullName: acc.FullName, Login: acc.Login(), OrgName: org.Name, InviterName: inv.InvitedBy}
		return nil
	})
	return out, err
}

// AcceptInvitation sets the invited person's password (the link proves the
// email), activates the account and logs them in with a token of kind issue.
func (s *Service) AcceptInvitation(ctx context.Context, secret, password, issue string) (*paraph.Account, *IssuedToken, error) {
	var acc *paraph.Account
	var tok *IssuedToken
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		inv, err := s.findInvitation(ctx, tx, secret)
		if err != nil {
			return err
		}
		a, err := tx.FindAccountByID(ctx, inv.AccountID)
		if err != nil {
			return err
		}
		if err := paraph.CheckPassword(password, a.Login()); err != nil {
			return err
		}
		hash, err := s.cfg.Password.Hash(password)
		if err != nil {
			return paraph.Internal(err)
		}
		now := s.clock.Now()
		a.PasswordHash, a.PasswordChangedAt = hash, now
		if a.Status == paraph.AccountPending {
			a.Status, a.ConfirmedAt = paraph.AccountActive, now
		}
		if err := tx.UpdateAccount(ctx, a); err != nil {
			return err
		}
		if err := tx.UseInvitations(ctx, a.ID, now); err != nil {
			return err
		}
		if err := tx.DeleteTokensExcept(ctx, a.ID, ""); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, a.ID, "", "account.invitation_accepted", a.ID, ""); err != nil {
			return err
		}
		acc = &a.Account
		if issue != "" {
			tok, err = s.issueToken(ctx, tx, a.ID, issue, "")
		}
		return err
	})
	return acc, tok, err
}

// actorAndTarget loads the acting member and a target member of one
// organization and checks that the actor may do action to the target.
func (s *Service) actorAndTarget(ctx context.Context, tx *store.Tx, orgID, memberID string, action paraph.Action) (*paraph.Member, *paraph.Member, error) {
	me, err := s.actor(ctx, tx, orgID)
	if err != nil {
		return nil, nil, err
	}
	target, err := tx.FindMember(ctx, orgID, memberID)
	if err != nil {
		return nil, nil, err
	}
	if err := paraph.Can(me, action, target); err != nil {
		return nil, nil, err
	}
	return me, target, nil
}

// checkMemberDepartments checks that a member's department and selected
// departments belong to the organization and fit the scope.
func (s *Service) checkMemberDepartments(ctx context.Context, tx *store.Tx, m *paraph.Member) error {
	tree, err := tx.FindDepartments(ctx, m.OrgID)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, d := range tree {
		known[d.ID] = true
	}
	if m.DepartmentID != "" && !known[m.DepartmentID] {
		return paraph.Invalid("department_id", "unknown_department", "There is no such department in this organization.")
	}
	if m.AccessScope != paraph.ScopeAll && m.DepartmentID == "" && len(tree) > 0 {
		return paraph.Invalid("department_id", "department_required",
			"Choose the employee's department: their access to documents depends on it.")
	}
	for _, d := range m.AccessDepartments {
		if !known[d] {
			return paraph.Invalid("access_departments", "unknown_department", "There is no such department in this organization.")
		}
	}
	if m.AccessScope == paraph.ScopeOwnAndSelected && len(m.AccessDepartments) == 0 {
		return paraph.Invalid("access_departments", "departments_required", "Choose the departments this employee may see.")
	}
	if m.AccessScope != paraph.ScopeOwnAndSelected {
		m.AccessDepartments = nil
	}
	return nil
}

func normalizePosition(s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > 200 {
		return "", paraph.Invalid("position", "position_too_long", "The position is too long (200 characters at most).")
	}
	return s, nil
}

func dedupe(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// MemberQuery selects members to list.
type MemberQuery struct {
	OrgID        string // "" lists the members of every organization the actor belongs to
	Query        string
	ShowBlocked  bool
	DepartmentID string
	Role         string
	Cursor       string
	Limit        int
}

// Members lists the members of the actor's organizations, filtered and paged.
func (s *Service) Members(ctx context.Context, q MemberQuery) (*store.MemberPage, error) {
	p, err := requirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	var role paraph.Role
	if q.Role != "" {
		if role, err = paraph.ParseRole(q.Role); err != nil {
			return nil, err
		}
	}
	var page *store.MemberPage
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		var orgIDs []string
		if q.OrgID != "" {
			me, err := s.actor(ctx, tx, q.OrgID)
			if err != nil {
				return err
			}
			if err := paraph.Can(me, paraph.ActionViewMembers, nil); err != nil {
				return err
			}
			orgIDs = []string{q.OrgID}
		} else {
			orgs, err := tx.FindAccountOrganizations(ctx, p.Account.ID)
			if err != nil {
				return err
			}
			for _, o := range orgs {
				orgIDs = append(orgIDs, o.ID)
			}
		}
		page, err = tx.FindMembers(ctx, store.MemberFilter{OrgIDs: orgIDs, Query: q.Query, ShowBlocked: q.ShowBlocked,
			DepartmentID: q.DepartmentID, Role: role, Cursor: q.Cursor, Limit: q.Limit})
		return err
	})
	return page, err
}

// Member returns one member of an organization.
func (s *Service) Member(ctx context.Context, orgID, memberID string) (*paraph.Member, error) {
	var m *paraph.Member
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		_, m, err = s.actorAndTarget(ctx, tx, orgID, memberID, paraph.ActionViewMembers)
		return err
	})
	return m, err
}

// MemberUpdate changes a membership; nil fields stay as they are.
type MemberUpdate struct {
	Role              *string
	Position          *string
	DepartmentID      *string
	AccessScope       *string
	AccessDepartments *[]string
	Status            *string // active or blocked
}

// UpdateMember edits a member: position, department, scope (edit right), role
// (role right, keeping an owner), status (block right).
func (s *Service) UpdateMember(ctx context.Context, orgID, memberID string, u MemberUpdate) (*paraph.Member, error) {
	var out *paraph.Member
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		me, err := s.actor(ctx, tx, orgID)
		if err != nil {
			return err
		}
		m, err := tx.FindMember(ctx, orgID, memberID)
		if err != nil {
			return err
		}
		var changes []string
		if u.Position != nil || u.DepartmentID != nil || u.AccessScope != nil || u.AccessDepartments != nil {
			if err := paraph.Can(me, paraph.ActionEditMember, m); err != nil {
				return err
			}
			if u.Position != nil {
				if m.Position, err = normalizePosition(*u.Position); err != nil {
					return err
				}
			}
			if u.DepartmentID != nil {
				m.DepartmentID = *u.DepartmentID
			}
			if u.AccessScope != nil {
				if m.AccessScope, err = paraph.ParseAccessScope(*u.AccessScope); err != nil {
					return err
				}
			}
			if u.AccessDepartments != nil {
				m.AccessDepartments = dedupe(*u.AccessDepartments)
			}
			if err := s.checkMemberDepartments(ctx, tx, m); err != nil {
				return err
			}
			changes = append(changes, "member.updated")
		}
		if u.Role != nil {
			role, err := paraph.ParseRole(*u.Role)
			if err != nil {
				return err
			}
			if role != m.Role {
				if err := paraph.Can(me, paraph.ActionChangeRole, m); err != nil {
					return err
				}
				if err := paraph.CanAssignRole(me, m, role); err != nil {
					return err
				}
				if err := s.keepAnOwner(ctx, tx, m); err != nil {
					return err
				}
				m.Role = role
				changes = append(changes, "member.role_changed")
			}
		}
		if u.Status != nil && *u.Status != string(m.Status) {
			switch paraph.MemberStatus(*u.Status) {
			case paraph.MemberBlocked:
				if err := paraph.Can(me, paraph.ActionBlockMember, m); err != nil {
					return err
				}
				if err := s.keepAnOwner(ctx, tx, m); err != nil {
					return err
				}
				changes = append(changes, "member.blocked")
			case paraph.MemberActive:
				if err := paraph.Can(me, paraph.ActionUnblockMember, m); err != nil {
					return err
				}
				changes = append(changes, "member.unblocked")
			default:
				return paraph.Invalid("status", "invalid_member_status", "The status is active or blocked.")
			}
			m.Status = paraph.MemberStatus(*u.Status)
		}
		if len(changes) == 0 {
			out = m
			return nil
		}
		if err := tx.UpdateMember(ctx, m, s.clock.Now()); err != nil {
			return err
		}
		for _, c := range changes {
			if err := s.audit(ctx, tx, "", orgID, c, m.ID, `{"role":"`+string(m.Role)+`","status":"`+string(m.Status)+`"}`); err != nil {
				return err
			}
		}
		out = m
		return nil
	})
	return out, err
}

// keepAnOwner refuses a change that would leave the organization without an
// active owner when m is one.
func (s *Service) keepAnOwner(ctx context.Context, tx *store.Tx, m *paraph.Member) error {
	if m.Role != paraph.RoleOwner || m.Status != paraph.MemberActive {
		return nil
	}
	n, err := tx.CountOwners(ctx, m.OrgID)
	if err != nil {
		return err
	}
	if n <= 1 {
		return paraph.ErrLastOwner()
	}
	return nil
}

// BlockMember blocks a member: they lose access to the organization on their
// next request. Their other organizations are not affected.
func (s *Service) BlockMember(ctx context.Context, orgID, memberID string) (*paraph.Member, error) {
	st := string(paraph.MemberBlocked)
	return s.UpdateMember(ctx, orgID, memberID, MemberUpdate{Status: &st})
}

// UnblockMember gives a blocked member their access back.
func (s *Service) UnblockMember(ctx context.Context, orgID, memberID string) (*paraph.Member, error) {
	st := string(paraph.MemberActive)
	return s.UpdateMember(ctx, orgID, memberID, MemberUpdate{Status: &st})
}

// TransferOwnership makes another active member the owner; the acting owner
// becomes an administrator.
func (s *Service) TransferOwnership(ctx context.Context, orgID, memberID string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		me, target, err := s.actorAndTarget(ctx, tx, orgID, memberID, paraph.ActionTransferOwnership)
		if err != nil {
			return err
		}
		if target.ID == me.ID {
			return paraph.Invalid("member_id", "already_owner", "You are the owner already.")
		}
		if target.Status != paraph.MemberActive {
			return paraph.Invalid("member_id", "member_blocked", "Unblock the employee before handing ownership over.")
		}
		now := s.clock.Now()
		target.Role, me.Role = paraph.RoleOwner, paraph.RoleAdmin
		if err := tx.UpdateMember(ctx, target, now); err != nil {
			return err
		}
		if err := tx.UpdateMember(ctx, me, now); err != nil {
			return err
		}
		return s.audit(ctx, tx, "", orgID, "organization.ownership_transferred", target.ID, `{"from":"`+me.ID+`"}`)
	})
}
