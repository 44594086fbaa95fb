package api

import (
	"net/http"
	"strconv"
	"time"

	"paraph"
	"paraph/internal/core"
	"paraph/internal/store"
)

type organizationJSON struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Country   string    `json:"country"`
	Name      string    `json:"name"`
	INN       string    `json:"inn,omitempty"`
	KPP       string    `json:"kpp,omitempty"`
	OGRN      string    `json:"ogrn,omitempty"`
	EDRPOU    string    `json:"edrpou,omitempty"`
	RNOKPP    string    `json:"rnokpp,omitempty"`
	UNP       string    `json:"unp,omitempty"`
	Email     string    `json:"email,omitempty"`
	Address   string    `json:"address,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Role      string    `json:"role,omitempty"` // the caller's role in it
}

func toOrganization(o *paraph.Organization, role paraph.Role) organizationJSON {
	return organizationJSON{ID: o.ID, Kind: string(o.Kind), Country: string(o.Country), Name: o.Name, INN: o.INN, KPP: o.KPP,
		OGRN: o.OGRN, EDRPOU: o.EDRPOU, RNOKPP: o.RNOKPP, UNP: o.UNP, Email: o.Email, Address: o.Address,
		CreatedAt: o.CreatedAt, Role: string(role)}
}

type organizationInput struct {
	Kind    *string `json:"kind"`
	Country *string `json:"country"`
	Name    *string `json:"name"`
	INN     *string `json:"inn"`
	KPP     *string `json:"kpp"`
	OGRN    *string `json:"ogrn"`
	EDRPOU  *string `json:"edrpou"`
	RNOKPP  *string `json:"rnokpp"`
	UNP     *string `json:"unp"`
	Email   *string `json:"email"`
	Address *string `json:"address"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (a *API) createOrganization(w http.ResponseWriter, r *http.Request) error {
	var in organizationInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	o, err := a.svc.CreateOrganization(r.Context(), paraph.Organization{
		Kind: paraph.OrgKind(str(in.Kind)), Country: paraph.Country(str(in.Country)), Name: str(in.Name),
		INN: str(in.INN), KPP: str(in.KPP), OGRN: str(in.OGRN), EDRPOU: str(in.EDRPOU), RNOKPP: str(in.RNOKPP),
		UNP: str(in.UNP), Email: str(in.Email), Address: str(in.Address)})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toOrganization(o, paraph.RoleOwner))
}

func (a *API) organizations(w http.ResponseWriter, r *http.Request) error {
	orgs, err := a.svc.Organizations(r.Context())
	if err != nil {
		return err
	}
	items := make([]organizationJSON, 0, len(orgs))
	for _, o := range orgs {
		items = append(items, toOrganization(&o.Organization, o.Role))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (a *API) organization(w http.ResponseWriter, r *http.Request) error {
	o, me, err := a.svc.Organization(r.Context(), r.PathValue("org"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toOrganization(o, me.Role))
}

func (a *API) updateOrganization(w http.ResponseWriter, r *http.Request) error {
	var in organizationInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Kind != nil || in.Country != nil {
		return paraph.Invalid("kind", "immutable_field", "An organization's kind and country cannot change; register a new one.")
	}
	o, err := a.svc.UpdateOrganization(r.Context(), r.PathValue("org"), core.OrganizationUpdate{Name: in.Name, Email: in.Email,
		Address: in.Address, INN: in.INN, KPP: in.KPP, OGRN: in.OGRN, EDRPOU: in.EDRPOU, RNOKPP: in.RNOKPP, UNP: in.UNP})
	if err != nil {
		return err
	}
	_, me, err := a.svc.Organization(r.Context(), o.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toOrganization(o, me.Role))
}

type memberJSON struct {
	ID                string    `json:"id"`
	OrgID             string    `json:"org_id"`
	AccountID         string    `json:"account_id"`
	FullName          string    `json:"full_name"`
	Email             string    `json:"email"`
	Phone             string    `json:"phone"`
	Role              string    `json:"role"`
	Status            string    `json:"status"`
	Invited           bool      `json:"invited"` // has not set a password yet
	Position          string    `json:"position"`
	DepartmentID      *string   `json:"department_id"`
	AccessScope       string    `json:"access_scope"`
	AccessDepartments []string  `json:"access_departments"`
	CreatedAt         time.Time `json:"created_at"`
}

func toMember(m *paraph.Member) memberJSON {
	out := memberJSON{ID: m.ID, OrgID: m.OrgID, AccountID: m.AccountID, FullName: m.FullName, Email: m.Email, Phone: m.Phone,
		Role: string(m.Role), Status: string(m.Status), Invited: m.AccountStatus == paraph.AccountPending, Position: m.Position,
		AccessScope: string(m.AccessScope), AccessDepartments: m.AccessDepartments, CreatedAt: m.CreatedAt}
	if m.DepartmentID != "" {
		d := m.DepartmentID
		out.DepartmentID = &d
	}
	if out.AccessDepartments == nil {
		out.AccessDepartments = []string{}
	}
	return out
}

type memberInput struct {
	FullName          string   `json:"full_name"`
	Email             string   `json:"email"`
	Phone             string   `json:"phone"`
	Role              string   `json:"role"`
	Position          string   `json:"position"`
	DepartmentID      string   `json:"department_id"`
	AccessScope       string   `json:"access_scope"`
	AccessDepartments []string `json:"access_departments"`
}

func (a *API) addMember(w http.ResponseWriter, r *http.Request) error {
	var in memberInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	m, err := a.svc.AddMember(r.Context(), r.PathValue("org"), core.MemberInput(in))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toMember(m))
}

func (a *API) members(w http.ResponseWriter, r *http.Request) error {
	return a.listMembers(w, r, r.PathValue("org"))
}

// allMembers lists the members of every organization the caller belongs to;
// ?org= narrows it to one (the accountant's "filter by organization").
func (a *API) allMembers(w http.ResponseWriter, r *http.Request) error {
	return a.listMembers(w, r, r.URL.Query().Get("org"))
}

func (a *API) listMembers(w http.ResponseWriter, r *http.Request, orgID string) error {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	blocked, _ := strconv.ParseBool(q.Get("blocked"))
	page, err := a.svc.Members(r.Context(), core.MemberQuery{OrgID: orgID, Query: q.Get("q"), ShowBlocked: blocked,
		DepartmentID: q.Get("department_id"), Role: q.Get("role"), Cursor: decodeCursor(q.Get("cursor")), Limit: limit})
	if err != nil {
		return err
	}
	items := make([]memberJSON, 0, len(page.Members))
	for _, m := range page.Members {
		items = append(items, toMember(m))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": encodeCursor(page.Next)})
}

func (a *API) member(w http.ResponseWriter, r *http.Request) error {
	m, err := a.svc.Member(r.Context(), r.PathValue("org"), r.PathValue("member"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toMember(m))
}

func (a *API) updateMember(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Role              *string   `json:"role"`
		Position          *string   `json:"position"`
		DepartmentID      *string   `json:"department_id"`
		AccessScope       *string   `json:"access_scope"`
		AccessDepartments *[]string `json:"access_departments"`
		Status            *string   `json:"status"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	m, err := a.svc.UpdateMember(r.Context(), r.PathValue("org"), r.PathValue("member"), core.MemberUpdate(in))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toMember(m))
}

func (a *API) resendInvitation(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.ResendInvitation(r.Context(), r.PathValue("org"), r.PathValue("member")); err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]string{"status": "sent"})
}

func (a *API) transferOwnership(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		MemberID string `json:"member_id"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := a.svc.TransferOwnership(r.Context(), r.PathValue("org"), in.MemberID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) acceptInvitation(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	acc, tok, err := a.svc.AcceptInvitation(r.Context(), in.Token, in.Password, store.TokenBearer)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"account": toAccount(acc), "token": tok.Secret, "expires_at": tok.ExpiresAt})
}

type departmentJSON struct {
	ID        string    `json:"id"`
	ParentID  *string   `json:"parent_id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

func toDepartment(d *paraph.Department) departmentJSON {
	out := departmentJSON{ID: d.ID, Name: d.Name, CreatedAt: d.CreatedAt}
	if d.ParentID != "" {
		p := d.ParentID
		out.ParentID = &p
	}
	return out
}

func (a *API) departments(w http.ResponseWriter, r *http.Request) error {
	ds, err := a.svc.Departments(r.Context(), r.PathValue("org"))
	if err != nil {
		return err
	}
	items := make([]departmentJSON, 0, len(ds))
	for i := range ds {
		items = append(items, toDepartment(&ds[i]))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (a *API) createDepartment(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name     string `json:"name"`
		ParentID string `json:"parent_id"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	d, err := a.svc.CreateDepartment(r.Context(), r.PathValue("org"), in.Name, in.ParentID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toDepartment(d))
}

func (a *API) updateDepartment(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name     *string `json:"name"`
		ParentID *string `json:"parent_id"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	d, err := a.svc.UpdateDepartment(r.Context(), r.PathValue("org"), r.PathValue("dept"), core.DepartmentUpdate(in))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toDepartment(d))
}

func (a *API) deleteDepartment(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.DeleteDepartment(r.Context(), r.PathValue("org"), r.PathValue("dept")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
