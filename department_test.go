package paraph_test

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"paraph"
)

// testTree is three levels deep, with a second organization's department
// mixed in:
//
//	sales ─┬─ sales-north ─┬─ sales-north-a
//	       │               └─ sales-north-b
//	       └─ sales-south
//	legal ─── legal-contracts
//	other (another organization)
func testTree() []paraph.Department {
	d := func(id, parent string) paraph.Department {
		return paraph.Department{ID: id, OrgID: "org1", ParentID: parent, Name: id}
	}
	return []paraph.Department{
		d("sales", ""), d("sales-north", "sales"), d("sales-south", "sales"),
		d("sales-north-a", "sales-north"), d("sales-north-b", "sales-north"),
		d("legal", ""), d("legal-contracts", "legal"),
		{ID: "other", OrgID: "org2", Name: "other"},
	}
}

func TestVisibleDepartments(t *testing.T) {
	tree := testTree()
	for _, c := range []struct {
		name     string
		scope    paraph.AccessScope
		own      string
		selected []string
		all      bool
		want     string // sorted ids, space-separated
	}{
		{"all", paraph.ScopeAll, "sales-north", nil, true, ""},
		{"all without a department", paraph.ScopeAll, "", nil, true, ""},
		{"own, top", paraph.ScopeOwn, "sales", nil, false, "sales"},
		{"own, middle", paraph.ScopeOwn, "sales-north", nil, false, "sales-north"},
		{"own ignores a selection", paraph.ScopeOwn, "sales-north", []string{"legal"}, false, "sales-north"},
		{"own without a department sees nothing", paraph.ScopeOwn, "", nil, false, ""},
		{"own, department deleted", paraph.ScopeOwn, "gone", nil, false, ""},
		{"children from the top", paraph.ScopeOwnAndChildren, "sales", nil, false,
			"sales sales-north sales-north-a sales-north-b sales-south"},
		{"children from the middle", paraph.ScopeOwnAndChildren, "sales-north", nil, false,
			"sales-north sales-north-a sales-north-b"},
		{"children of a leaf", paraph.ScopeOwnAndChildren, "sales-north-a", nil, false, "sales-north-a"},
		{"children without a department", paraph.ScopeOwnAndChildren, "", nil, false, ""},
		{"selected: a child of own, another branch, junk", paraph.ScopeOwnAndSelected, "sales-north",
			[]string{"sales-north-a", "legal", "gone", "", "legal"}, false, "legal sales-north sales-north-a"},
		{"selected gives no children of the selection", paraph.ScopeOwnAndSelected, "sales-south",
			[]string{"sales"}, false, "sales sales-south"},
		{"selected without own department", paraph.ScopeOwnAndSelected, "", []string{"legal-contracts"}, false, "legal-contracts"},
		{"selected, nothing chosen", paraph.ScopeOwnAndSelected, "legal", nil, false, "legal"},
		{"unknown scope sees nothing", paraph.AccessScope("everything"), "sales", []string{"legal"}, false, ""},
		{"empty scope sees nothing", "", "sales", nil, false, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			all, ids := paraph.VisibleDepartments(c.scope, c.own, c.selected, tree)
			if ids == nil {
				t.Fatal("nil ids")
			}
			if got := strings.Join(slices.Sorted(maps.Keys(ids)), " "); all != c.all || got != c.want {
				t.Errorf("got %v %q, want %v %q", all, got, c.all, c.want)
			}
			if ids[""] {
				t.Error(`documents without a department leaked into a narrow scope`)
			}
		})
	}
}

func TestVisibleDepartmentsCyclicData(t *testing.T) {
	tree := []paraph.Department{{ID: "a", ParentID: "b"}, {ID: "b", ParentID: "a"}, {ID: "c", ParentID: "b"}}
	_, ids := paraph.VisibleDepartments(paraph.ScopeOwnAndChildren, "a", nil, tree)
	if len(ids) != 3 {
		t.Errorf("got %v", ids)
	}
}

func TestCheckDepartmentMove(t *testing.T) {
	for _, c := range []struct {
		name, id, parent string
		code, reason     string // "" for allowed
	}{
		{"to another branch", "sales-north", "legal", "", ""},
		{"to the top", "sales-north-a", "", "", ""},
		{"top stays top", "sales", "", "", ""},
		{"under its sibling", "sales-south", "sales-north", "", ""},
		{"under its grandparent", "sales-north-a", "sales", "", ""},
		{"under itself", "sales", "sales", paraph.EINVALID, "department_cycle"},
		{"under its child", "sales", "sales-north", paraph.EINVALID, "department_cycle"},
		{"under its grandchild", "sales", "sales-north-b", paraph.EINVALID, "department_cycle"},
		{"middle under its child", "sales-north", "sales-north-a", paraph.EINVALID, "department_cycle"},
		{"under another organization's", "sales-north", "other", paraph.EINVALID, "parent_other_org"},
		{"under a missing one", "sales-north", "gone", paraph.EINVALID, "parent_not_found"},
		{"a missing one", "gone", "sales", paraph.ENOTFOUND, "department_not_found"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := paraph.CheckDepartmentMove(testTree(), c.id, c.parent)
			if c.reason == "" {
				if err != nil {
					t.Fatalf("%v", err)
				}
				return
			}
			var e *paraph.Error
			if !errors.As(err, &e) || e.Code != c.code || e.Reason != c.reason || e.Message == "" {
				t.Errorf("got %#v, want %s/%s", err, c.code, c.reason)
			}
		})
	}
}

func TestCheckDepartmentMoveCyclicData(t *testing.T) {
	tree := []paraph.Department{{ID: "a", ParentID: "b"}, {ID: "b", ParentID: "a"}, {ID: "c"}}
	if err := paraph.CheckDepartmentMove(tree, "c", "a"); err != nil {
		t.Errorf("got %v", err)
	}
	if err := paraph.CheckDepartmentMove(tree, "a", "b"); paraph.ErrorReason(err) != "department_cycle" {
		t.Errorf("got %v", err)
	}
}

func TestCheckDepartmentMoveNew(t *testing.T) {
	// Core appends the department being created to the tree.
	tree := append(testTree(), paraph.Department{ID: "new", OrgID: "org1"})
	if err := paraph.CheckDepartmentMove(tree, "new", "sales-north-a"); err != nil {
		t.Error(err)
	}
}

func TestParseAccessScope(t *testing.T) {
	for in, want := range map[string]paraph.AccessScope{
		"all": paraph.ScopeAll, " Own ": paraph.ScopeOwn, "own_and_children": paraph.ScopeOwnAndChildren,
		"own_and_selected": paraph.ScopeOwnAndSelected, "": "", "everything": "", "own-and-children": "",
	} {
		got, err := paraph.ParseAccessScope(in)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("%q: %q, %v", in, got, err)
		}
		if err != nil && (paraph.ErrorReason(err) != "invalid_access_scope" || paraph.AsError(err).Field != "access_scope") {
			t.Errorf("%q: %#v", in, err)
		}
	}
}

func TestNormalizeDepartmentName(t *testing.T) {
	for _, c := range []struct{ in, want, reason string }{
		{"  Отдел   продаж ", "Отдел продаж", ""},
		{"Відділ\nпродажів", "Відділ продажів", ""},
		{strings.Repeat("ж", 200), strings.Repeat("ж", 200), ""},
		{strings.Repeat("ж", 201), "", "department_name_too_long"},
		{" \t\n", "", "department_name_required"},
		{"", "", "department_name_required"},
		{"Отдел\x07", "", "department_name_invalid"},
		{"Отдел \u200b", "", "department_name_invalid"},
	} {
		got, err := paraph.NormalizeDepartmentName(c.in)
		if got != c.want || paraph.ErrorReason(err) != c.reason {
			t.Errorf("%q: %q, %v; want %q %s", c.in, got, err, c.want, c.reason)
		}
		if err != nil && paraph.AsError(err).Field != "name" {
			t.Errorf("%q: field %q", c.in, paraph.AsError(err).Field)
		}
	}
}
