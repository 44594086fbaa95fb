package paraph

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Department is a node of an organization's department tree; documents and
// members belong to a department, and a member's access scope is relative to
// their own.
type Department struct {
	ID       string
	OrgID    string
	ParentID string // "" for a top-level department
	Name     string

	CreatedAt time.Time
}

// AccessScope says which departments' documents a member may see.
type AccessScope string

const (
	ScopeAll            AccessScope = "all"              // every document of the organization
	ScopeOwn            AccessScope = "own"              // their department's only
	ScopeOwnAndChildren AccessScope = "own_and_children" // their department's and its descendants'
	ScopeOwnAndSelected AccessScope = "own_and_selected" // their department's and the chosen ones'
)

// ParseAccessScope reads an access scope as the API and forms send it.
func ParseAccessScope(s string) (AccessScope, error) {
	switch a := AccessScope(strings.ToLower(strings.TrimSpace(s))); a {
	case ScopeAll, ScopeOwn, ScopeOwnAndChildren, ScopeOwnAndSelected:
		return a, nil
	}
	return "", Invalid("access_scope", "invalid_access_scope", "The access scope is all, own, own_and_children or own_and_selected.")
}

// DepartmentNameMaxLength bounds a department's name, in characters.
const DepartmentNameMaxLength = 200

// NormalizeDepartmentName collapses whitespace in a department's name and
// checks it is there, not too long and free of control characters.
func NormalizeDepartmentName(s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "", Invalid("name", "department_name_required", "Enter the department's name.")
	}
	if utf8.RuneCountInString(s) > DepartmentNameMaxLength {
		return "", Invalid("name", "department_name_too_long", "The department's name is too long (200 characters at most).")
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
			return "", Invalid("name", "department_name_invalid", "The department's name has characters that are not allowed.")
		}
	}
	return s, nil
}

// VisibleDepartments says whose documents a member with this scope, own
// department and selection may see: all of the organization's, or those of
// the departments in ids.
//
// Decisions, all failing closed:
//   - Documents filed under no department (department "") are visible only
//     with ScopeAll: they belong to no part of the tree a narrower scope names.
//     (Documents a member authored or must sign are the documents rules' call,
//     not this function's.)
//   - Ids missing from tree — a deleted own department, a stale selection —
//     are ignored, so a member whose department is gone sees nothing.
//   - ScopeOwnAndSelected gives the selected departments themselves, not their
//     children: the owner picked exactly those.
//   - An unknown scope gives nothing.
//
// ids is never nil, so callers may range over it or look ids up directly.
// tree should hold one organization's departments; a cycle in it (bad data)
// ends the walk instead of looping.
func VisibleDepartments(scope AccessScope, ownDept string, selected []string, tree []Department) (all bool, ids map[string]bool) {
	ids = map[string]bool{}
	if scope == ScopeAll {
		return true, ids
	}
	known := make(map[string]bool, len(tree))
	children := map[string][]string{}
	for _, d := range tree {
		known[d.ID] = true
		if d.ParentID != "" {
			children[d.ParentID] = append(children[d.ParentID], d.ID)
		}
	}
	if ownDept == "" || !known[ownDept] {
		ownDept = ""
	}
	switch scope {
	case ScopeOwn:
		if ownDept != "" {
			ids[ownDept] = true
		}
	case ScopeOwnAndChildren:
		if ownDept == "" {
			break
		}
		// Breadth-first down the tree; ids doubles as the visited set.
		queue := []string{ownDept}
		ids[ownDept] = true
		for len(queue) > 0 {
			id := queue[0]
			queue = queue[1:]
			for _, c := range children[id] {
				if !ids[c] {
					ids[c] = true
					queue = append(queue, c)
				}
			}
		}
	case ScopeOwnAndSelected:
		if ownDept != "" {
			ids[ownDept] = true
		}
		for _, id := range selected {
			if known[id] {
				ids[id] = true
			}
		}
	}
	return false, ids
}

// CheckDepartmentMove checks that department id may get newParentID as its
// parent ("" makes it top-level): the parent must exist in tree, belong to
// the same organization, and not be id itself or one of its descendants —
// that would cut the branch off the tree in a cycle. tree holds the
// organization's departments, id's among them (when creating one, append the
// new department first).
func CheckDepartmentMove(tree []Department, id, newParentID string) error {
	byID := make(map[string]*Department, len(tree))
	for i := range tree {
		byID[tree[i].ID] = &tree[i]
	}
	d := byID[id]
	if d == nil {
		return &Error{Code: ENOTFOUND, Reason: "department_not_found", Field: "id", Message: "There is no such department."}
	}
	if newParentID == "" {
		return nil
	}
	parent := byID[newParentID]
	switch {
	case parent == nil:
		return Invalid("parent_id", "parent_not_found", "There is no such parent department in this organization.")
	case parent.OrgID != d.OrgID:
		return Invalid("parent_id", "parent_other_org", "The parent department belongs to another organization.")
	}
	// Walk up from the new parent; meeting id means id would be its own
	// ancestor. seen stops the walk on a cycle already in the data.
	seen := map[string]bool{}
	for p := parent; p != nil && !seen[p.ID]; p = byID[p.ParentID] {
		if p.ID == id {
			return Invalid("parent_id", "department_cycle", "A department cannot be placed inside itself or one of its sub-departments.")
		}
		seen[p.ID] = true
	}
	return nil
}
