package web

import (
	"net/http"
	"sort"
	"strings"

	"paraph"
	"paraph/internal/core"
)

// deptNode is a department in tree order: Depth indents it in a select, and
// Children nest it in the page's lists.
type deptNode struct {
	paraph.Department
	Depth    int
	Children []*deptNode
	// Inside lists the department and its descendants: it cannot move there.
	Inside map[string]bool
}

// Indent is the department's name indented by its depth, for a <select>.
func (d deptNode) Indent() string { return strings.Repeat("\u00a0\u00a0\u00a0", d.Depth) + d.Name }

// deptTree orders departments depth-first, by name among siblings. A
// department whose parent is missing (bad data) shows at the top level
// rather than vanishing.
func deptTree(depts []paraph.Department) []deptNode {
	nodes := make(map[string]*deptNode, len(depts))
	for _, d := range depts {
		nodes[d.ID] = &deptNode{Department: d, Inside: map[string]bool{d.ID: true}}
	}
	var roots []*deptNode
	for _, d := range depts {
		n := nodes[d.ID]
		if p := nodes[d.ParentID]; p != nil && d.ParentID != d.ID {
			p.Children = append(p.Children, n)
		} else {
			roots = append(roots, n)
		}
	}
	var out []deptNode
	seen := map[string]bool{}
	var walk func(list []*deptNode, depth int, ancestors []*deptNode)
	walk = func(list []*deptNode, depth int, ancestors []*deptNode) {
		sort.Slice(list, func(i, j int) bool { return strings.ToLower(list[i].Name) < strings.ToLower(list[j].Name) })
		for _, n := range list {
			if seen[n.ID] { // a cycle in the data ends here
				continue
			}
			seen[n.ID] = true
			n.Depth = depth
			for _, a := range ancestors {
				a.Inside[n.ID] = true
			}
			out = append(out, *n)
			walk(n.Children, depth+1, append(ancestors, n))
		}
	}
	walk(roots, 0, nil)
	// The copies in out were taken before their descendants were walked:
	// refresh Inside and Children from the nodes.
	for i := range out {
		out[i].Inside = nodes[out[i].ID].Inside
		out[i].Children = nodes[out[i].ID].Children
	}
	return out
}

func deptNames(depts []paraph.Department) map[string]string {
	m := make(map[string]string, len(depts))
	for _, d := range depts {
		m[d.ID] = d.Name
	}
	return m
}

type departmentsPage struct {
	Roots     []*deptNode // for the nested lists
	All       []deptNode  // in tree order, for the selects
	CanManage bool
	Failed    string // the department whose form failed, to open it again
}

func (w *Web) departments(q *request) error { return w.showDepartments(q, http.StatusOK, "") }

func (w *Web) showDepartments(q *request, status int, failed string) error {
	depts, err := w.svc.Departments(q.r.Context(), q.org.ID)
	if err != nil {
		return err
	}
	all := deptTree(depts)
	var roots []*deptNode
	for i := range all {
		if all[i].Depth == 0 {
			roots = append(roots, &all[i])
		}
	}
	return q.render(status, "departments", departmentsPage{Roots: roots, All: all,
		CanManage: q.can(paraph.ActionManageDepartments, nil), Failed: failed})
}

// deptAction runs one change and comes back to the tree, with the refusal
// next to the department's form when core says no.
func (w *Web) deptAction(q *request, form, flash, failed string, do func() error) error {
	f := q.posted(form)
	if err := do(); err != nil {
		if err := f.failed(err); err != nil {
			return err
		}
		return w.showDepartments(q, statusOf(err), failed)
	}
	q.setFlash(flash)
	return q.redirect(q.orgPath("/departments"))
}

func (w *Web) createDepartment(q *request) error {
	return w.deptAction(q, "dept_new", "flash.dept_created", "", func() error {
		_, err := w.svc.CreateDepartment(q.r.Context(), q.org.ID, q.r.PostFormValue("name"), q.r.PostFormValue("parent_id"))
		return err
	})
}

func (w *Web) updateDepartment(q *request) error {
	id := q.r.PathValue("dept")
	return w.deptAction(q, "dept_"+id, "flash.dept_saved", id, func() error {
		u := core.DepartmentUpdate{}
		if _, ok := q.r.PostForm["name"]; ok {
			name := q.r.PostFormValue("name")
			u.Name = &name
		}
		if _, ok := q.r.PostForm["parent_id"]; ok {
			parent := q.r.PostFormValue("parent_id")
			u.ParentID = &parent
		}
		_, err := w.svc.UpdateDepartment(q.r.Context(), q.org.ID, id, u)
		return err
	})
}

func (w *Web) deleteDepartment(q *request) error {
	id := q.r.PathValue("dept")
	return w.deptAction(q, "dept_"+id, "flash.dept_deleted", id, func() error {
		return w.svc.DeleteDepartment(q.r.Context(), q.org.ID, id)
	})
}

// deptItem is what the recursive "dept" template gets: the node and the view.
type deptItem struct {
	V *view
	N *deptNode
}

// DeptItem pairs a department with the view for the recursive template.
func (v *view) DeptItem(n *deptNode) deptItem { return deptItem{V: v, N: n} }
