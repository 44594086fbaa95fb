package paraph

import (
	"strings"
	"time"
)

// Role is what a member may do in an organization.
type Role string

const (
	RoleOwner    Role = "owner"    // владелец: everything, hands ownership over
	RoleAdmin    Role = "admin"    // администратор: runs the team, except owners and other admins
	RoleSigner   Role = "signer"   // сотрудник с правом подписи
	RoleEmployee Role = "employee" // сотрудник без права подписи
)

func (r Role) valid() bool {
	return r == RoleOwner || r == RoleAdmin || r == RoleSigner || r == RoleEmployee
}

// ParseRole reads a role as the API and forms send it.
func ParseRole(s string) (Role, error) {
	if r := Role(strings.ToLower(strings.TrimSpace(s))); r.valid() {
		return r, nil
	}
	return "", Invalid("role", "invalid_role", "The role is owner, admin, signer or employee.")
}

// MemberStatus tells whether a membership gives access.
type MemberStatus string

const (
	MemberActive  MemberStatus = "active"
	MemberBlocked MemberStatus = "blocked" // loses every access to the organization at once
)

// Member is a person's membership in one organization. An account may be a
// member of many organizations with different roles (an accountant serving
// several companies); each membership is blocked on its own.
type Member struct {
	ID        string
	OrgID     string
	AccountID string
	Role      Role
	Status    MemberStatus

	// The person's details come from their account, shared by all their
	// memberships; AccountStatus is AccountPending until an invited person
	// sets a password. Policy does not look at them.
	FullName      string
	Email         string
	Phone         string
	AccountStatus string
	Position      string

	DepartmentID      string // "" when none
	AccessScope       AccessScope
	AccessDepartments []string // the selection of ScopeOwnAndSelected

	CreatedAt time.Time
}

// Action is something a member may try to do in their organization.
type Action string

// Every action must have a row in the policy table test; a new constant
// without one fails it.
const (
	ActionViewOrganization   Action = "view_organization" // any active member
	ActionEditOrganization   Action = "edit_organization" // owner, admin
	ActionViewMembers        Action = "view_members"      // any active member
	ActionAddMember          Action = "add_member"        // owner, admin; the target's Role is the role given
	ActionEditMember         Action = "edit_member"       // position, department, scope
	ActionChangeRole         Action = "change_role"       // the role itself: CanAssignRole checks the new one
	ActionBlockMember        Action = "block_member"
	ActionUnblockMember      Action = "unblock_member"
	ActionTransferOwnership  Action = "transfer_ownership"  // owner only
	ActionManageDepartments  Action = "manage_departments"  // owner, admin
	ActionViewDocuments      Action = "view_documents"      // any active member; the access scope decides which
	ActionSign               Action = "sign"                // owner, admin, signer
	ActionManageCertificates Action = "manage_certificates" // one's own: anyone; others': owner, admin
)

// Can reports whether actor may do action, to target when the action is
// about a member. It returns nil or an EFORBIDDEN *Error whose Reason says why:
//
//	not_member                 no actor, or actor and target in different organizations
//	blocked                    the actor is not active
//	role_required              the actor's role lacks the right
//	target_required            the action is about a member and none was given
//	cannot_block_self          blocking or unblocking oneself
//	cannot_change_own_role     a role is changed by someone else (an owner hands ownership over)
//	owner_cannot_be_blocked    owners are never blocked
//	admin_cannot_manage_admins an admin acting on an owner or another admin
//	owner_by_transfer          adding an owner: ownership is handed over, not given
//	already_owner              handing ownership to an owner
//	member_blocked             handing ownership to a blocked member
//	unknown_action             an action this function does not know: refused
//
// The organization-wide actions (view_*, edit_organization,
// manage_departments, sign) take no target; one that is passed is only
// checked to be of the same organization. add_member takes nil (may the actor
// add members at all) or the member to be added, whose Role is checked.
// Owners may act on other owners: several may exist, and core keeps at least
// one (ErrLastOwner).
func Can(actor *Member, action Action, target *Member) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	if target != nil && target.OrgID != actor.OrgID {
		return forbidden("not_member", "This employee is not a member of your organization.")
	}
	self := target != nil && target.ID != "" && target.ID == actor.ID
	manager := actor.Role == RoleOwner || actor.Role == RoleAdmin
	// An admin's power stops at the owners and the other admins; an admin
	// still manages their own card (not their role).
	adminOverPeer := actor.Role == RoleAdmin && target != nil && !self &&
		(target.Role == RoleOwner || target.Role == RoleAdmin)

	switch action {
	case ActionViewOrganization, ActionViewMembers, ActionViewDocuments:
		return nil
	case ActionEditOrganization, ActionManageDepartments:
		if !manager {
			return errRoleRequired()
		}
		return nil
	case ActionSign:
		if actor.Role == RoleEmployee {
			return errRoleRequired()
		}
		return nil
	case ActionAddMember:
		switch {
		case !manager:
			return errRoleRequired()
		case target == nil:
			return nil
		}
		return assignable(actor, target.Role)
	case ActionEditMember:
		switch {
		case !manager:
			return errRoleRequired()
		case target == nil:
			return errTargetRequired()
		case adminOverPeer:
			return errAdminOverPeer()
		}
		return nil
	case ActionChangeRole:
		switch {
		case !manager:
			return errRoleRequired()
		case target == nil:
			return errTargetRequired()
		case self:
			return forbidden("cannot_change_own_role", "You cannot change your own role.")
		case adminOverPeer:
			return errAdminOverPeer()
		}
		return nil
	case ActionBlockMember, ActionUnblockMember:
		switch {
		case !manager:
			return errRoleRequired()
		case target == nil:
			return errTargetRequired()
		case self:
			return forbidden("cannot_block_self", "You cannot block or unblock yourself.")
		case target.Role == RoleOwner:
			return forbidden("owner_cannot_be_blocked", "The owner cannot be blocked.")
		case adminOverPeer:
			return errAdminOverPeer()
		}
		return nil
	case ActionTransferOwnership:
		switch {
		case actor.Role != RoleOwner:
			return errRoleRequired()
		case target == nil:
			return errTargetRequired()
		case target.Role == RoleOwner:
			return forbidden("already_owner", "This employee is an owner already.")
		case target.Status != MemberActive:
			return forbidden("member_blocked", "Unblock the employee before handing ownership over.")
		}
		return nil
	case ActionManageCertificates:
		switch {
		case target == nil:
			return errTargetRequired()
		case self:
			return nil
		case !manager:
			return errRoleRequired()
		case adminOverPeer:
			return errAdminOverPeer()
		}
		return nil
	}
	return forbidden("unknown_action", "This action is not allowed.")
}

// CanAssignRole says whether actor may give role to target: a new member
// when target is nil or has no ID yet, else an existing member whose role
// changes. Nobody assigns the owner role: ownership is handed over
// (ActionTransferOwnership). An unknown role is EINVALID invalid_role;
// the other refusals are Can's.
func CanAssignRole(actor *Member, target *Member, role Role) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	if target != nil && target.OrgID != actor.OrgID {
		return forbidden("not_member", "This employee is not a member of your organization.")
	}
	if !role.valid() {
		return Invalid("role", "invalid_role", "The role is owner, admin, signer or employee.")
	}
	if target == nil || target.ID == "" {
		return Can(actor, ActionAddMember, &Member{OrgID: actor.OrgID, Role: role})
	}
	if err := Can(actor, ActionChangeRole, target); err != nil {
		return err
	}
	return assignable(actor, role)
}

// ErrLastOwner is the refusal core returns when a change (a block, a
// demotion) would leave an organization without an active owner.
func ErrLastOwner() error {
	return &Error{Code: ECONFLICT, Reason: "last_owner",
		Message: "An organization must keep at least one owner; hand ownership over first."}
}

// checkActor refuses a missing, blocked or role-less actor before any action
// is looked at, so a blocked member learns nothing else.
func checkActor(actor *Member) error {
	switch {
	case actor == nil || actor.OrgID == "":
		return forbidden("not_member", "You are not a member of this organization.")
	case actor.Status != MemberActive:
		return forbidden("blocked", "Your access to this organization is blocked.")
	case !actor.Role.valid():
		return errRoleRequired()
	}
	return nil
}

// assignable says whether actor may give role: owners give any role but
// owner, admins give signer and employee.
func assignable(actor *Member, role Role) error {
	switch {
	case !role.valid():
		return Invalid("role", "invalid_role", "The role is owner, admin, signer or employee.")
	case role == RoleOwner:
		return forbidden("owner_by_transfer", "Ownership is not given but handed over: use Transfer ownership.")
	case actor.Role == RoleOwner:
		return nil
	case actor.Role == RoleAdmin && role == RoleAdmin:
		return errAdminOverPeer()
	case actor.Role == RoleAdmin:
		return nil
	}
	return errRoleRequired()
}

func forbidden(reason, message string) *Error {
	return &Error{Code: EFORBIDDEN, Reason: reason, Message: message}
}

func errRoleRequired() *Error {
	return forbidden("role_required", "Your role in this organization does not allow this.")
}

func errTargetRequired() *Error {
	return forbidden("target_required", "Choose the employee.")
}

func errAdminOverPeer() *Error {
	return forbidden("admin_cannot_manage_admins", "An administrator cannot manage the owner or other administrators.")
}
