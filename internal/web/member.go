package web

import (
	"net/http"
	"net/url"
	"strings"

	"paraph"
	"paraph/internal/core"
)

// membersPageSize is the members list's page: a screen or two on a phone.
const membersPageSize = 50

// memberFilter is the members list's filter as it travels in the URL.
type memberFilter struct {
	Query, Department, Role, Org string
	ShowBlocked                  bool
	Cursor                       string
}

func readMemberFilter(r *http.Request) memberFilter {
	v := r.URL.Query()
	return memberFilter{Query: strings.TrimSpace(v.Get("q")), Department: v.Get("department"), Role: v.Get("role"),
		Org: v.Get("org"), ShowBlocked: v.Get("blocked") == "1", Cursor: v.Get("cursor")}
}

// Active reports whether anything narrows the list, for the empty state.
func (f memberFilter) Active() bool {
	return f.Query != "" || f.Department != "" || f.Role != "" || f.Org != "" || f.ShowBlocked
}

// URL returns the list's URL with this filter and another cursor.
func (f memberFilter) URL(base, cursor string) string {
	v := url.Values{}
	for k, s := range map[string]string{"q": f.Query, "department": f.Department, "role": f.Role, "org": f.Org, "cursor": cursor} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.ShowBlocked {
		v.Set("blocked", "1")
	}
	if len(v) == 0 {
		return base
	}
	return base + "?" + v.Encode()
}

type membersPage struct {
	Filter      memberFilter
	Members     []*paraph.Member
	Next        string // the next page's URL, "" on the last page
	First       string // the first page's URL when this is not it
	Departments []deptNode
	DeptNames   map[string]string
	OrgNames    map[string]string // the all-organizations list only
	CanAdd      bool
	Roles       []paraph.Role
}

var allRoles = []paraph.Role{paraph.RoleOwner, paraph.RoleAdmin, paraph.RoleSigner, paraph.RoleEmployee}

func (w *Web) members(q *request) error {
	f := readMemberFilter(q.r)
	depts, err := w.svc.Departments(q.r.Context(), q.org.ID)
	if err != nil {
		return err
	}
	page, err := w.svc.Members(q.r.Context(), core.MemberQuery{OrgID: q.org.ID, Query: f.Query, ShowBlocked: f.ShowBlocked,
		DepartmentID: f.Department, Role: f.Role, Cursor: f.Cursor, Limit: membersPageSize})
	if err != nil {
		return w.badFilter(q, err)
	}
	data := membersPage{Filter: f, Members: page.Members, Departments: deptTree(depts), DeptNames: deptNames(depts),
		CanAdd: q.can(paraph.ActionAddMember, nil), Roles: allRoles}
	base := q.orgPath("/members")
	if page.Next != "" {
		data.Next = f.URL(base, page.Next)
	}
	if f.Cursor != "" {
		data.First = f.URL(base, "")
	}
	return q.render(http.StatusOK, "members", data)
}

// allMembers lists the people of every organization of the person: an
// accountant looks a client's employee up without knowing the company.
func (w *Web) allMembers(q *request) error {
	f := readMemberFilter(q.r)
	f.Department = ""
	orgs, err := w.svc.Organizations(q.r.Context())
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	if f.Org != "" && names[f.Org] == "" {
		f.Org = "" // an organization one has left or was blocked in: show all, not an error
	}
	page, err := w.svc.Members(q.r.Context(), core.MemberQuery{OrgID: f.Org, Query: f.Query, ShowBlocked: f.ShowBlocked,
		Role: f.Role, Cursor: f.Cursor, Limit: membersPageSize})
	if err != nil {
		return w.badFilter(q, err)
	}
	data := membersPage{Filter: f, Members: page.Members, OrgNames: names, Roles: allRoles}
	if page.Next != "" {
		data.Next = f.URL("/members", page.Next)
	}
	if f.Cursor != "" {
		data.First = f.URL("/members", "")
	}
	return q.render(http.StatusOK, "members_all", data)
}

// badFilter turns a filter core refuses (a role typed into the URL, a stale
// cursor) into a 400 page instead of a 500.
func (w *Web) badFilter(q *request, err error) error {
	if paraph.ErrorCode(err) == paraph.EINVALID {
		q.renderError(http.StatusBadRequest, "error.bad_filter")
		return nil
	}
	return err
}

// memberFormPage is the data of the add and edit forms.
type memberFormPage struct {
	Member      *paraph.Member // nil when adding
	Departments []deptNode
	DeptNames   map[string]string
	Roles       []paraph.Role // the roles the person may give
	Scopes      []paraph.AccessScope
	Selected    map[string]bool // departments ticked for own_and_selected
	CanEdit     bool
	CanRole     bool
	CanBlock    bool
	CanUnblock  bool
	CanTransfer bool
	CanResend   bool
}

var scopes = []paraph.AccessScope{paraph.ScopeAll, paraph.ScopeOwn, paraph.ScopeOwnAndChildren, paraph.ScopeOwnAndSelected}

// assignableRoles lists the roles the person may give to target (nil: a new member).
func (q *request) assignableRoles(target *paraph.Member) []paraph.Role {
	var out []paraph.Role
	for _, r := range allRoles {
		if target != nil && r == target.Role {
			out = append(out, r) // keeping the role is always offered
			continue
		}
		if paraph.CanAssignRole(q.me, target, r) == nil {
			out = append(out, r)
		}
	}
	return out
}

func (w *Web) memberFormData(q *request, m *paraph.Member, selected []string) (memberFormPage, error) {
	depts, err := w.svc.Departments(q.r.Context(), q.org.ID)
	if err != nil {
		return memberFormPage{}, err
	}
	data := memberFormPage{Member: m, Departments: deptTree(depts), DeptNames: deptNames(depts), Scopes: scopes,
		Roles: q.assignableRoles(m), Selected: map[string]bool{}}
	for _, id := range selected {
		data.Selected[id] = true
	}
	if m != nil {
		data.CanEdit = q.can(paraph.ActionEditMember, m)
		data.CanRole = q.can(paraph.ActionChangeRole, m) && len(data.Roles) > 1
		data.CanBlock = m.Status == paraph.MemberActive && q.can(paraph.ActionBlockMember, m)
		data.CanUnblock = m.Status == paraph.MemberBlocked && q.can(paraph.ActionUnblockMember, m)
		data.CanTransfer = m.Status == paraph.MemberActive && q.can(paraph.ActionTransferOwnership, m)
		data.CanResend = m.AccountStatus == paraph.AccountPending && data.CanEdit
	}
	return data, nil
}

func (w *Web) newMemberForm(q *request) error {
	if err := paraph.Can(q.me, paraph.ActionAddMember, nil); err != nil {
		return err
	}
	q.form("member").Set("role", string(paraph.RoleSigner)).Set("access_scope", string(paraph.ScopeAll))
	data, err := w.memberFormData(q, nil, nil)
	if err != nil {
		return err
	}
	return q.render(http.StatusOK, "member_new", data)
}

func (w *Web) addMember(q *request) error {
	f := q.posted("member")
	in := core.MemberInput{FullName: f.Get("full_name"), Email: f.Get("email"), Phone: f.Get("phone"),
		Role: f.Get("role"), Position: f.Get("position"), DepartmentID: f.Get("department_id"),
		AccessScope: f.Get("access_scope"), AccessDepartments: q.r.PostForm["access_departments"]}
	m, err := w.svc.AddMember(q.r.Context(), q.org.ID, in)
	if err != nil {
		if err := f.failed(err); err != nil {
			return err
		}
		data, derr := w.memberFormData(q, nil, in.AccessDepartments)
		if derr != nil {
			return derr
		}
		return q.rerender(err, "member_new", data)
	}
	if m.AccountStatus == paraph.AccountPending {
		q.setFlash("flash.member_invited")
	} else {
		q.setFlash("flash.member_added")
	}
	return q.redirect(q.orgPath("/members/" + m.ID))
}

func (w *Web) member(q *request) error {
	m, err := w.svc.Member(q.r.Context(), q.org.ID, q.r.PathValue("member"))
	if err != nil {
		return err
	}
	return w.showMember(q, http.StatusOK, m, nil)
}

// showMember renders a member's page; f, when given, is a failed form.
func (w *Web) showMember(q *request, status int, m *paraph.Member, selected []string) error {
	if selected == nil {
		selected = m.AccessDepartments
	}
	data, err := w.memberFormData(q, m, selected)
	if err != nil {
		return err
	}
	if f := q.form("edit"); !f.Invalidated() {
		f.Set("role", string(m.Role)).Set("position", m.Position).Set("department_id", m.DepartmentID).
			Set("access_scope", string(m.AccessScope))
	}
	return q.render(status, "member", data)
}

// memberAction runs one change to a member and comes back to their page,
// with the refusal on the page when core says no.
func (w *Web) memberAction(q *request, form, flash string, do func(id string) error) error {
	id := q.r.PathValue("member")
	f := q.posted(form)
	if err := do(id); err != nil {
		if err := f.failed(err); err != nil {
			return err
		}
		m, merr := w.svc.Member(q.r.Context(), q.org.ID, id)
		if merr != nil {
			return merr
		}
		var selected []string
		if form == "edit" {
			selected = q.r.PostForm["access_departments"]
			if selected == nil {
				selected = []string{}
			}
		}
		return w.showMember(q, statusOf(err), m, selected)
	}
	q.setFlash(flash)
	return q.redirect(q.orgPath("/members/" + id))
}

func (w *Web) updateMember(q *request) error {
	return w.memberAction(q, "edit", "flash.member_saved", func(id string) error {
		f := q.form("edit")
		u := core.MemberUpdate{}
		if f.has("position") {
			pos, dept, scope := f.Get("position"), f.Get("department_id"), f.Get("access_scope")
			sel := q.r.PostForm["access_departments"]
			if sel == nil {
				sel = []string{}
			}
			u.Position, u.DepartmentID, u.AccessScope, u.AccessDepartments = &pos, &dept, &scope, &sel
		}
		if f.has("role") {
			role := f.Get("role")
			u.Role = &role // core changes nothing when it is the same
		}
		_, err := w.svc.UpdateMember(q.r.Context(), q.org.ID, id, u)
		return err
	})
}

func (w *Web) blockMember(q *request) error {
	return w.memberAction(q, "status", "flash.member_blocked", func(id string) error {
		_, err := w.svc.BlockMember(q.r.Context(), q.org.ID, id)
		return err
	})
}

func (w *Web) unblockMember(q *request) error {
	return w.memberAction(q, "status", "flash.member_unblocked", func(id string) error {
		_, err := w.svc.UnblockMember(q.r.Context(), q.org.ID, id)
		return err
	})
}

func (w *Web) resendInvitation(q *request) error {
	return w.memberAction(q, "invite", "flash.invitation_resent", func(id string) error {
		return w.svc.ResendInvitation(q.r.Context(), q.org.ID, id)
	})
}

func (w *Web) transferOwnership(q *request) error {
	return w.memberAction(q, "transfer", "flash.ownership_transferred", func(id string) error {
		return w.svc.TransferOwnership(q.r.Context(), q.org.ID, id)
	})
}

// ScopeName and ScopeHint explain an access scope in plain words.
func (v *view) ScopeName(s paraph.AccessScope) string { return v.T("scope." + string(s)) }
func (v *view) ScopeHint(s paraph.AccessScope) string { return v.T("scope." + string(s) + "_hint") }

// Invited reports whether a member has not set a password yet.
func (v *view) Invited(m *paraph.Member) bool { return m.AccountStatus == paraph.AccountPending }

// Blocked reports whether a membership is blocked.
func (v *view) Blocked(m *paraph.Member) bool { return m.Status == paraph.MemberBlocked }

// formView pairs a form with the view for partials shared by two forms.
type formView struct {
	V *view
	F *form
}

// With returns the named form with the view, for a shared partial.
func (v *view) With(name string) formView { return formView{V: v, F: v.q.form(name)} }

// Phone groups a stored phone number (+79123456789) the way people of its
// country write it; numbers it does not know stay as they are.
func (v *view) Phone(p string) string {
	d := strings.TrimPrefix(p, "+")
	if len(d) != len(p)-1 || strings.ContainsFunc(d, func(r rune) bool { return r < '0' || r > '9' }) {
		return p
	}
	switch {
	case len(d) == 11 && d[0] == '7': // +7 912 345-67-89
		return "+7 " + d[1:4] + " " + d[4:7] + "-" + d[7:9] + "-" + d[9:]
	case len(d) == 12 && strings.HasPrefix(d, "380"): // +380 67 123 45 67
		return "+380 " + d[3:5] + " " + d[5:8] + " " + d[8:10] + " " + d[10:]
	case len(d) == 12 && strings.HasPrefix(d, "375"): // +375 29 123-45-67
		return "+375 " + d[3:5] + " " + d[5:8] + "-" + d[8:10] + "-" + d[10:]
	}
	return p
}
