package paraph_test

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"

	"paraph"
)

// Cells of the policy tables: "ok", or a code for the refusal's reason.
var policyReasons = map[string]string{
	"NM":      "not_member",
	"BLOCKED": "blocked", // the actor
	"ROLE":    "role_required",
	"TGT":     "target_required",
	"SELFB":   "cannot_block_self",
	"SELFR":   "cannot_change_own_role",
	"OWNB":    "owner_cannot_be_blocked",
	"PEER":    "admin_cannot_manage_admins",
	"XFER":    "owner_by_transfer",
	"OWNER":   "already_owner",
	"TBLK":    "member_blocked", // the target
}

// The targets, in the order of the table's columns. "self" is the actor;
// the others are other members of the actor's organization, except "other",
// a signer of another organization.
var policyTargets = []string{"nil", "self", "owner", "admin", "signer", "employee", "b.admin", "b.signer", "other"}

// policyMatrix is the whole policy: action × actor × target. The "blocked"
// row stands for a blocked actor of each of the four roles.
var policyMatrix = map[paraph.Action]map[string]string{
	//                             nil  self  owner admin signr emply b.adm b.sig other
	paraph.ActionViewOrganization: {
		"owner":    "ok   ok    ok    ok    ok    ok    ok    ok    NM",
		"admin":    "ok   ok    ok    ok    ok    ok    ok    ok    NM",
		"signer":   "ok   ok    ok    ok    ok    ok    ok    ok    NM",
		"employee": "ok   ok    ok    ok    ok    ok    ok    ok    NM",
	},
	paraph.ActionEditOrganization: {
		"owner":    "ok   ok    ok    ok    ok    ok    ok    ok    NM",
		"admin":    "ok   ok    ok    ok    ok    ok    ok    ok    NM",
		"signer":   "ROLE ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  NM",
		"employee": "ROLE ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  NM",
	},
	paraph.ActionViewMembers: {
		"owner":    "ok   ok    ok    ok    ok    ok    ok    ok    NM",
		"admin":    "ok   ok    ok    ok    ok    ok    ok    ok    NM",
		"signer":   "ok   ok    ok    ok    ok    ok    ok    ok    NM",
		"employee": "ok   ok    ok    ok    ok    ok    ok    ok    NM",
	},
	// The target is the member being added, with the role they are to get
	// ("self": an actor's own role); nil asks whether the actor adds at all.
	paraph.ActionAddMember: {
		"owner":    "ok   XFER  XFER  ok    ok    ok    ok    ok    NM",
		"admin":    "ok   PEER  XFER  PEER  ok    ok    PEER  ok    NM",
		"signer":   "ROLE ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  NM",
		"employee": "ROLE ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  NM",
	},
	paraph.ActionEditMember: {
		"owner":    "TGT  ok    ok    ok    ok    ok    ok    ok    NM",
		"admin":    "TGT  ok    PEER  PEER  ok    ok    PEER  ok    NM",
		"signer":   "ROLE ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  NM",
		"employee": "ROLE ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  NM",
	},
	paraph.ActionChangeRole: {
		"owner":    "TGT  SELFR ok    ok    ok    ok    ok    ok    NM",
		"admin":    "TGT  SELFR PEER  PEER  ok    ok    PEER  ok    NM",
		"signer":   "ROLE ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  NM",
		"employee": "ROLE ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  NM",
	},
	paraph.ActionBlockMember: {
		"owner":    "TGT  SELFB OWNB  ok    ok    ok    ok    ok    NM",
		"admin":    "TGT  SELFB OWNB  PEER  ok    ok    PEER  ok    NM",
		"signer":   "ROLE ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  NM",
		"employee": "ROLE ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  NM",
	},
	paraph.ActionUnblockMember: {
		"owner":    "TGT  SELFB OWNB  ok    ok    ok    ok    ok    NM",
		"admin":    "TGT  SELFB OWNB  PEER  ok    ok    PEER  ok    NM",
		"signer":   "ROLE ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  NM",
		"employee": "ROLE ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  NM",
	},
	paraph.ActionTransferOwnership: {
		"owner":    "TGT  OWNER OWNER ok    ok    ok    TBLK  TBLK  NM",
		"admin":    "ROLE ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  NM",
		"signer":   "ROLE ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  NM",
		"employee": "ROLE ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  NM",
	},
	paraph.ActionManageDepartments: {
		"owner":    "ok   ok    ok    ok    ok    ok    ok    ok    NM",
		"admin":    "ok   ok    ok    ok    ok    ok    ok    ok    NM",
		"signer":   "ROLE ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  NM",
		"employee": "ROLE ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  NM",
	},
	paraph.ActionViewDocuments: {
		"owner":    "ok   ok    ok    ok    ok    ok    ok    ok    NM",
		"admin":    "ok   ok    ok    ok    ok    ok    ok    ok    NM",
		"signer":   "ok   ok    ok    ok    ok    ok    ok    ok    NM",
		"employee": "ok   ok    ok    ok    ok    ok    ok    ok    NM",
	},
	paraph.ActionSign: {
		"owner":    "ok   ok    ok    ok    ok    ok    ok    ok    NM",
		"admin":    "ok   ok    ok    ok    ok    ok    ok    ok    NM",
		"signer":   "ok   ok    ok    ok    ok    ok    ok    ok    NM",
		"employee": "ROLE ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  NM",
	},
	paraph.ActionManageCertificates: {
		"owner":    "TGT  ok    ok    ok    ok    ok    ok    ok    NM",
		"admin":    "TGT  ok    PEER  PEER  ok    ok    PEER  ok    NM",
		"signer":   "TGT  ok    ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  NM",
		"employee": "TGT  ok    ROLE  ROLE  ROLE  ROLE  ROLE  ROLE  NM",
	},
}

var policyRoles = []paraph.Role{paraph.RoleOwner, paraph.RoleAdmin, paraph.RoleSigner, paraph.RoleEmployee}

func policyActor(role paraph.Role, status paraph.MemberStatus) *paraph.Member {
	return &paraph.Member{ID: "actor", OrgID: "org1", AccountID: "acc-actor", Role: role, Status: status, AccessScope: paraph.ScopeOwn}
}

// policyTarget builds the member of a column; nil for "nil".
func policyTarget(column string, actor *paraph.Member) *paraph.Member {
	m := func(id string, role paraph.Role, status paraph.MemberStatus) *paraph.Member {
		return &paraph.Member{ID: id, OrgID: "org1", AccountID: "acc-" + id, Role: role, Status: status}
	}
	switch column {
	case "nil":
		return nil
	case "self":
		c := *actor
		return &c
	case "owner":
		return m("t-owner", paraph.RoleOwner, paraph.MemberActive)
	case "admin":
		return m("t-admin", paraph.RoleAdmin, paraph.MemberActive)
	case "signer":
		return m("t-signer", paraph.RoleSigner, paraph.MemberActive)
	case "employee":
		return m("t-employee", paraph.RoleEmployee, paraph.MemberActive)
	case "b.admin":
		return m("t-b-admin", paraph.RoleAdmin, paraph.MemberBlocked)
	case "b.signer":
		return m("t-b-signer", paraph.RoleSigner, paraph.MemberBlocked)
	case "other":
		o := m("t-other", paraph.RoleSigner, paraph.MemberActive)
		o.OrgID = "org2"
		return o
	}
	panic("unknown column " + column)
}

// checkCell compares one outcome with its cell.
func checkCell(t *testing.T, where, cell string, err error) {
	t.Helper()
	if cell == "ok" {
		if err != nil {
			t.Errorf("%s: got %v, want ok", where, err)
		}
		return
	}
	want, known := policyReasons[cell]
	if !known {
		t.Fatalf("%s: unknown cell %q", where, cell)
	}
	var e *paraph.Error
	if !errors.As(err, &e) {
		t.Errorf("%s: got %v, want %s", where, err, want)
		return
	}
	if e.Code != paraph.EFORBIDDEN || e.Reason != want || e.Message == "" {
		t.Errorf("%s: got %s/%s %q, want forbidden/%s", where, e.Code, e.Reason, e.Message, want)
	}
}

func TestCanMatrix(t *testing.T) {
	for action, rows := range policyMatrix {
		for _, role := range policyRoles {
			for _, status := range []paraph.MemberStatus{paraph.MemberActive, paraph.MemberBlocked} {
				row := rows[string(role)]
				if status == paraph.MemberBlocked {
					row = strings.TrimSpace(strings.Repeat("BLOCKED ", len(policyTargets)))
				}
				cells := strings.Fields(row)
				if len(cells) != len(policyTargets) {
					t.Fatalf("%s/%s: %d cells, want %d", action, role, len(cells), len(policyTargets))
				}
				for i, column := range policyTargets {
					actor := policyActor(role, status)
					err := paraph.Can(actor, action, policyTarget(column, actor))
					checkCell(t, string(action)+" by "+string(status)+" "+string(role)+" on "+column, cells[i], err)
				}
			}
		}
	}
}

// TestCanMatrixCoversActions parses policy.go for the Action constants, so a
// new action cannot be added without deciding its row here.
func TestCanMatrixCoversActions(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "policy.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, decl := range f.Decls {
		g, ok := decl.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			v := spec.(*ast.ValueSpec)
			for i, name := range v.Names {
				if !strings.HasPrefix(name.Name, "Action") {
					continue
				}
				if typ, ok := v.Type.(*ast.Ident); !ok || typ.Name != "Action" {
					t.Errorf("%s: declare it with the type Action", name.Name)
					continue
				}
				lit, ok := v.Values[i].(*ast.BasicLit)
				if !ok {
					t.Errorf("%s: not a string literal", name.Name)
					continue
				}
				value, _ := strconv.Unquote(lit.Value)
				found++
				rows, ok := policyMatrix[paraph.Action(value)]
				if !ok {
					t.Errorf("%s (%q) has no row in policyMatrix: decide who may do it", name.Name, value)
					continue
				}
				for _, role := range policyRoles {
					if _, ok := rows[string(role)]; !ok {
						t.Errorf("%s: no row for %s", name.Name, role)
					}
				}
			}
		}
	}
	if found != len(policyMatrix) {
		t.Errorf("policy.go declares %d actions, the matrix has %d", found, len(policyMatrix))
	}
}

func TestCanFailsClosed(t *testing.T) {
	target := policyTarget("signer", nil)
	for _, c := range []struct {
		name   string
		actor  *paraph.Member
		action paraph.Action
		reason string
	}{
		{"no actor", nil, paraph.ActionViewOrganization, "not_member"},
		{"actor without organization", &paraph.Member{ID: "a", Role: paraph.RoleOwner, Status: paraph.MemberActive}, paraph.ActionViewOrganization, "not_member"},
		{"actor without status", &paraph.Member{ID: "a", OrgID: "org1", Role: paraph.RoleOwner}, paraph.ActionViewOrganization, "blocked"},
		{"actor with an odd status", &paraph.Member{ID: "a", OrgID: "org1", Role: paraph.RoleOwner, Status: "pending"}, paraph.ActionViewOrganization, "blocked"},
		{"actor without role", &paraph.Member{ID: "a", OrgID: "org1", Status: paraph.MemberActive}, paraph.ActionViewOrganization, "role_required"},
		{"actor with an odd role", &paraph.Member{ID: "a", OrgID: "org1", Role: "root", Status: paraph.MemberActive}, paraph.ActionViewOrganization, "role_required"},
		{"unknown action", policyActor(paraph.RoleOwner, paraph.MemberActive), "delete_organization", "unknown_action"},
		{"empty action", policyActor(paraph.RoleOwner, paraph.MemberActive), "", "unknown_action"},
	} {
		err := paraph.Can(c.actor, c.action, target)
		if paraph.ErrorCode(err) != paraph.EFORBIDDEN || paraph.ErrorReason(err) != c.reason {
			t.Errorf("%s: got %v, want %s", c.name, err, c.reason)
		}
	}
	// A member being added with no valid role is a bad request.
	err := paraph.Can(policyActor(paraph.RoleOwner, paraph.MemberActive), paraph.ActionAddMember, &paraph.Member{OrgID: "org1", Role: "boss"})
	if paraph.ErrorReason(err) != "invalid_role" || paraph.ErrorCode(err) != paraph.EINVALID {
		t.Errorf("add with an odd role: %v", err)
	}
}

// The columns of assignMatrix: the target, then one cell per role given
// (owner admin signer employee). "new" is a nil target, "new/id-less" a
// member not stored yet.
var assignTargets = []string{"new", "new/id-less", "self", "owner", "admin", "signer", "employee", "b.signer", "other"}

var assignMatrix = map[string]map[string]string{
	//                 owner admin signer employee
	"owner": {
		"new":         "XFER  ok    ok    ok",
		"new/id-less": "XFER  ok    ok    ok",
		"self":        "SELFR SELFR SELFR SELFR",
		"owner":       "XFER  ok    ok    ok",
		"admin":       "XFER  ok    ok    ok",
		"signer":      "XFER  ok    ok    ok",
		"employee":    "XFER  ok    ok    ok",
		"b.signer":    "XFER  ok    ok    ok",
		"other":       "NM    NM    NM    NM",
	},
	"admin": {
		"new":         "XFER  PEER  ok    ok",
		"new/id-less": "XFER  PEER  ok    ok",
		"self":        "SELFR SELFR SELFR SELFR",
		"owner":       "PEER  PEER  PEER  PEER",
		"admin":       "PEER  PEER  PEER  PEER",
		"signer":      "XFER  PEER  ok    ok",
		"employee":    "XFER  PEER  ok    ok",
		"b.signer":    "XFER  PEER  ok    ok",
		"other":       "NM    NM    NM    NM",
	},
	"signer": {
		"new":         "ROLE  ROLE  ROLE  ROLE",
		"new/id-less": "ROLE  ROLE  ROLE  ROLE",
		"self":        "ROLE  ROLE  ROLE  ROLE",
		"owner":       "ROLE  ROLE  ROLE  ROLE",
		"admin":       "ROLE  ROLE  ROLE  ROLE",
		"signer":      "ROLE  ROLE  ROLE  ROLE",
		"employee":    "ROLE  ROLE  ROLE  ROLE",
		"b.signer":    "ROLE  ROLE  ROLE  ROLE",
		"other":       "NM    NM    NM    NM",
	},
	"employee": {
		"new":         "ROLE  ROLE  ROLE  ROLE",
		"new/id-less": "ROLE  ROLE  ROLE  ROLE",
		"self":        "ROLE  ROLE  ROLE  ROLE",
		"owner":       "ROLE  ROLE  ROLE  ROLE",
		"admin":       "ROLE  ROLE  ROLE  ROLE",
		"signer":      "ROLE  ROLE  ROLE  ROLE",
		"employee":    "ROLE  ROLE  ROLE  ROLE",
		"b.signer":    "ROLE  ROLE  ROLE  ROLE",
		"other":       "NM    NM    NM    NM",
	},
}

func TestCanAssignRoleMatrix(t *testing.T) {
	for _, role := range policyRoles {
		for _, status := range []paraph.MemberStatus{paraph.MemberActive, paraph.MemberBlocked} {
			for _, column := range assignTargets {
				row := assignMatrix[string(role)][column]
				if status == paraph.MemberBlocked {
					row = "BLOCKED BLOCKED BLOCKED BLOCKED"
				}
				cells := strings.Fields(row)
				if len(cells) != len(policyRoles) {
					t.Fatalf("%s/%s: %d cells", role, column, len(cells))
				}
				for i, give := range policyRoles {
					actor := policyActor(role, status)
					var target *paraph.Member
					switch column {
					case "new":
					case "new/id-less":
						target = &paraph.Member{OrgID: "org1", Role: paraph.RoleEmployee}
					default:
						target = policyTarget(column, actor)
					}
					err := paraph.CanAssignRole(actor, target, give)
					checkCell(t, "give "+string(give)+" by "+string(status)+" "+string(role)+" to "+column, cells[i], err)
				}
			}
		}
	}
	err := paraph.CanAssignRole(policyActor(paraph.RoleOwner, paraph.MemberActive), nil, "boss")
	if paraph.ErrorCode(err) != paraph.EINVALID || paraph.ErrorReason(err) != "invalid_role" || paraph.AsError(err).Field != "role" {
		t.Errorf("odd role: %v", err)
	}
}

func TestParseRole(t *testing.T) {
	for in, want := range map[string]paraph.Role{
		"owner": paraph.RoleOwner, " Admin ": paraph.RoleAdmin, "signer": paraph.RoleSigner, "EMPLOYEE": paraph.RoleEmployee,
		"": "", "root": "", "owner ": paraph.RoleOwner, "sign er": "",
	} {
		got, err := paraph.ParseRole(in)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("%q: %q, %v", in, got, err)
		}
		if err != nil && (paraph.ErrorReason(err) != "invalid_role" || paraph.AsError(err).Field != "role") {
			t.Errorf("%q: %#v", in, err)
		}
	}
}

func TestErrLastOwner(t *testing.T) {
	err := paraph.ErrLastOwner()
	e := paraph.AsError(err)
	if e.Code != paraph.ECONFLICT || e.Reason != "last_owner" ||
		e.Message != "An organization must keep at least one owner; hand ownership over first." {
		t.Errorf("%#v", e)
	}
	if paraph.ErrLastOwner() == err {
		t.Error("ErrLastOwner shares one value; a caller changing it would change everyone's")
	}
}

// Allowed outcomes are a plain nil error, never a typed nil *Error.
func TestCanNilIsNil(t *testing.T) {
	owner := policyActor(paraph.RoleOwner, paraph.MemberActive)
	if err := paraph.Can(owner, paraph.ActionViewOrganization, nil); err != nil {
		t.Fatalf("%#v", err)
	}
	if err := paraph.Can(owner, paraph.ActionAddMember, &paraph.Member{OrgID: "org1", Role: paraph.RoleSigner}); err != nil {
		t.Fatalf("%#v", err)
	}
	if err := paraph.CanAssignRole(owner, policyTarget("signer", owner), paraph.RoleAdmin); err != nil {
		t.Fatalf("%#v", err)
	}
}
