package core_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"paraph"
	"paraph/internal/core"
	"paraph/internal/store"
	"paraph/internal/storetest"
)

// person creates an active account and returns a context acting as it.
func (e *env) person(t *testing.T, login, name string) context.Context {
	t.Helper()
	ctx := ctxFrom("198.51.100.1")
	if _, err := e.svc.CreateActiveAccount(ctx, core.Registration{Login: login, Password: "a long password 1", FullName: name}); err != nil {
		t.Fatal(err)
	}
	_, tok, err := e.svc.Login(ctx, login, "a long password 1", store.TokenBearer)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.svc.Authenticate(ctx, tok.Secret)
	if err != nil {
		t.Fatal(err)
	}
	return core.WithPrincipal(ctx, p)
}

// romashka is a valid Russian legal entity (Sberbank's public identifiers).
var romashka = paraph.Organization{Kind: paraph.OrgLegal, Country: paraph.CountryRU, Name: "ООО «Ромашка»",
	INN: "7707083893", KPP: "773601001", OGRN: "1027700132195", Email: "office@romashka.example"}

func TestCreateOrganization(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		owner := e.person(t, "owner@example.com", "Иван Смирнов")
		o, err := e.svc.CreateOrganization(owner, romashka)
		if err != nil {
			t.Fatal(err)
		}
		orgs, err := e.svc.Organizations(owner)
		if err != nil || len(orgs) != 1 || orgs[0].ID != o.ID || orgs[0].Role != paraph.RoleOwner {
			t.Fatalf("orgs: %+v %v", orgs, err)
		}
		// The same identifiers again, by someone else: refused with a way forward.
		other := e.person(t, "other@example.com", "Пётр")
		_, err = e.svc.CreateOrganization(other, romashka)
		wantReason(t, err, "organization_exists")
		if !strings.Contains(paraph.AsError(err).Message, "owner") {
			t.Fatalf("message does not say how to get access: %v", err)
		}
		// A wrong check digit points at the field.
		bad := romashka
		bad.INN = "7707083894"
		_, err = e.svc.CreateOrganization(other, bad)
		if e := paraph.AsError(err); e.Field != "inn" || !strings.HasSuffix(e.Reason, "checksum") {
			t.Fatalf("wrong INN: %+v", e)
		}
		// Outsiders see nothing of it.
		_, _, err = e.svc.Organization(other, o.ID)
		wantReason(t, err, "not_found")
		n, _ := e.svc.VerifyAudit(owner)
		if n == 0 {
			t.Fatal("no audit events")
		}
	})
}

func TestMembersBlockingAndOwners(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		owner := e.person(t, "owner@example.com", "Иван Смирнов")
		accountant := e.person(t, "buh@example.com", "Олена Коваленко")
		org1, err := e.svc.CreateOrganization(owner, romashka)
		if err != nil {
			t.Fatal(err)
		}
		org2 := paraph.Organization{Kind: paraph.OrgLegal, Country: paraph.CountryUA, Name: "ТОВ «Калина»", EDRPOU: "00032129"}
		owner2 := e.person(t, "owner2@example.com", "Тарас")
		o2, err := e.svc.CreateOrganization(owner2, org2)
		if err != nil {
			t.Fatal(err)
		}
		// Adding someone with an existing account: access at once and an email.
		m, err := e.svc.AddMember(owner, org1.ID, core.MemberInput{FullName: "Олена Коваленко", Email: "BUH@example.com",
			Phone: "+380501112233", Role: "signer", AccessScope: "all"})
		if err != nil {
			t.Fatal(err)
		}
		if m.AccountStatus != paraph.AccountActive || m.Role != paraph.RoleSigner {
			t.Fatalf("member: %+v", m)
		}
		if _, err := e.svc.AddMember(owner2, o2.ID, core.MemberInput{FullName: "Олена", Email: "buh@example.com",
			Phone: "+380501112233", Role: "signer", AccessScope: "all"}); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.AddMember(owner, org1.ID, core.MemberInput{FullName: "Олена", Email: "buh@example.com",
			Phone: "+380501112233", Role: "employee", AccessScope: "all"})
		wantReason(t, err, "already_member")
		e.deliver(t)
		if got := e.sent.msgs[len(e.sent.msgs)-1]; got.To != "buh@example.com" || !strings.Contains(got.Body, "/o/") {
			t.Fatalf("notice to the added member: %+v", got)
		}
		orgs, _ := e.svc.Organizations(accountant)
		if len(orgs) != 2 {
			t.Fatalf("accountant sees %d organizations", len(orgs))
		}
		// A signer cannot manage people.
		_, err = e.svc.AddMember(accountant, org1.ID, core.MemberInput{FullName: "X", Email: "x@example.com", Phone: "+79990001122", Role: "employee"})
		if paraph.ErrorCode(err) != paraph.EFORBIDDEN {
			t.Fatalf("signer adds a member: %v", err)
		}
		// Block: gone from the list and refused at once; the other organization goes on.
		if _, err := e.svc.BlockMember(owner, org1.ID, m.ID); err != nil {
			t.Fatal(err)
		}
		orgs, _ = e.svc.Organizations(accountant)
		if len(orgs) != 1 || orgs[0].ID != o2.ID {
			t.Fatalf("after block: %+v", orgs)
		}
		_, _, err = e.svc.Organization(accountant, org1.ID)
		wantReason(t, err, "blocked")
		_, err = e.svc.Members(accountant, core.MemberQuery{OrgID: org1.ID})
		wantReason(t, err, "blocked")
		if _, _, err := e.svc.Organization(accountant, o2.ID); err != nil {
			t.Fatalf("org 2 must stay open: %v", err)
		}
		// Blocked members are hidden unless asked for.
		page, _ := e.svc.Members(owner, core.MemberQuery{OrgID: org1.ID})
		if len(page.Members) != 1 {
			t.Fatalf("list without blocked: %d", len(page.Members))
		}
		page, _ = e.svc.Members(owner, core.MemberQuery{OrgID: org1.ID, ShowBlocked: true})
		if len(page.Members) != 2 {
			t.Fatalf("list with blocked: %d", len(page.Members))
		}
		if _, err := e.svc.UnblockMember(owner, org1.ID, m.ID); err != nil {
			t.Fatal(err)
		}
		if orgs, _ = e.svc.Organizations(accountant); len(orgs) != 2 {
			t.Fatalf("after unblock: %d", len(orgs))
		}

		ownerMember, _ := e.svc.Members(owner, core.MemberQuery{OrgID: org1.ID, Role: "owner"})
		me := ownerMember.Members[0]
		// Nobody blocks themselves; the last owner stays owner.
		_, err = e.svc.BlockMember(owner, org1.ID, me.ID)
		if paraph.ErrorCode(err) != paraph.EFORBIDDEN {
			t.Fatalf("self-block: %v", err)
		}
		admin := "admin"
		_, err = e.svc.UpdateMember(owner, org1.ID, me.ID, core.MemberUpdate{Role: &admin})
		if err == nil {
			t.Fatal("the only owner demoted themselves")
		}
		// Ownership is handed over; the old owner becomes an admin.
		if err := e.svc.TransferOwnership(owner, org1.ID, m.ID); err != nil {
			t.Fatal(err)
		}
		got, _ := e.svc.Member(owner, org1.ID, me.ID)
		newOwner, _ := e.svc.Member(owner, org1.ID, m.ID)
		if got.Role != paraph.RoleAdmin || newOwner.Role != paraph.RoleOwner {
			t.Fatalf("after transfer: %s / %s", got.Role, newOwner.Role)
		}
		// An admin cannot block the owner.
		_, err = e.svc.BlockMember(owner, org1.ID, m.ID)
		if paraph.ErrorCode(err) != paraph.EFORBIDDEN {
			t.Fatalf("admin blocks owner: %v", err)
		}
	})
}

func TestInvitation(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		owner := e.person(t, "owner@example.com", "Иван Смирнов")
		org, err := e.svc.CreateOrganization(owner, romashka)
		if err != nil {
			t.Fatal(err)
		}
		m, err := e.svc.AddMember(owner, org.ID, core.MemberInput{FullName: "Новый Сотрудник", Email: "new@example.com",
			Phone: "8 916 000-11-22", Role: "employee", AccessScope: "all"})
		if err != nil {
			t.Fatal(err)
		}
		if m.AccountStatus != paraph.AccountPending || m.Phone != "+79160001122" {
			t.Fatalf("invited member: %+v", m)
		}
		e.deliver(t)
		last := e.sent.msgs[len(e.sent.msgs)-1]
		i := strings.Index(last.Body, "/invite/")
		if last.To != "new@example.com" || i < 0 {
			t.Fatalf("invitation: %+v", last)
		}
		token := strings.Fields(last.Body[i+len("/invite/"):])[0]
		// Cannot log in before setting a password.
		_, _, err = e.svc.Login(ctxFrom("1.2.3.4"), "new@example.com", "anything at all", store.TokenBearer)
		wantReason(t, err, "wrong_credentials")
		// Resend: not within a minute; later, a new link.
		wantReason(t, e.svc.ResendInvitation(owner, org.ID, m.ID), "invitation_resend_too_soon")
		info, err := e.svc.LookupInvitation(context.Background(), token)
		if err != nil || info.OrgName != "ООО «Ромашка»" || info.FullName != "Новый Сотрудник" || info.InviterName != "Иван Смирнов" {
			t.Fatalf("lookup: %+v %v", info, err)
		}
		_, _, err = e.svc.AcceptInvitation(context.Background(), token, "short", store.TokenSession)
		wantReason(t, err, "weak_password_short")
		acc, tok, err := e.svc.AcceptInvitation(context.Background(), token, "my own password 1", store.TokenSession)
		if err != nil || acc.Status != paraph.AccountActive || tok == nil {
			t.Fatalf("accept: %+v %v", acc, err)
		}
		_, _, err = e.svc.AcceptInvitation(context.Background(), token, "my own password 2", store.TokenSession)
		wantReason(t, err, "invitation_used")
		wantReason(t, e.svc.ResendInvitation(owner, org.ID, m.ID), "invitation_not_needed")
		if _, _, err := e.svc.Login(ctxFrom("1.2.3.4"), "+79160001122", "my own password 1", store.TokenBearer); err != nil {
			t.Fatalf("log in by phone after the invitation: %v", err)
		}

		// An invitation expires after 7 days.
		m2, _ := e.svc.AddMember(owner, org.ID, core.MemberInput{FullName: "Late", Email: "late@example.com",
			Phone: "+79160001133", Role: "employee", AccessScope: "all"})
		e.deliver(t)
		last = e.sent.msgs[len(e.sent.msgs)-1]
		token = strings.Fields(last.Body[strings.Index(last.Body, "/invite/")+len("/invite/"):])[0]
		e.clock.Advance(core.InvitationTTL + time.Minute)
		_, _, err = e.svc.AcceptInvitation(context.Background(), token, "my own password 1", store.TokenSession)
		wantReason(t, err, "invitation_expired")
		if err := e.svc.ResendInvitation(owner, org.ID, m2.ID); err != nil {
			t.Fatal(err)
		}
		// Two different people's email and phone.
		_, err = e.svc.AddMember(owner, org.ID, core.MemberInput{FullName: "Mix", Email: "new@example.com",
			Phone: "+79160001133", Role: "employee", AccessScope: "all"})
		wantReason(t, err, "contacts_of_two_people")
	})
}

func TestDepartmentsAndScopes(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		owner := e.person(t, "owner@example.com", "Иван")
		org, _ := e.svc.CreateOrganization(owner, romashka)
		sales, err := e.svc.CreateDepartment(owner, org.ID, "Продажи", "")
		if err != nil {
			t.Fatal(err)
		}
		north, _ := e.svc.CreateDepartment(owner, org.ID, "Север", sales.ID)
		acc, _ := e.svc.CreateDepartment(owner, org.ID, "Бухгалтерия", "")
		// A move under its own child is a cycle.
		_, err = e.svc.UpdateDepartment(owner, org.ID, sales.ID, core.DepartmentUpdate{ParentID: &north.ID})
		wantReason(t, err, "department_cycle")
		// Scope own needs a department once the organization has some.
		_, err = e.svc.AddMember(owner, org.ID, core.MemberInput{FullName: "S", Email: "s@example.com", Phone: "+79160002233",
			Role: "signer", AccessScope: "own"})
		wantReason(t, err, "department_required")
		m, err := e.svc.AddMember(owner, org.ID, core.MemberInput{FullName: "S", Email: "s@example.com", Phone: "+79160002233",
			Role: "signer", DepartmentID: north.ID, AccessScope: "own_and_selected", AccessDepartments: []string{acc.ID}})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := e.svc.Member(owner, org.ID, m.ID)
		if len(got.AccessDepartments) != 1 || got.AccessDepartments[0] != acc.ID {
			t.Fatalf("selected departments: %+v", got.AccessDepartments)
		}
		// Not empty: refused; emptied: deleted.
		wantReason(t, e.svc.DeleteDepartment(owner, org.ID, north.ID), "department_not_empty")
		wantReason(t, e.svc.DeleteDepartment(owner, org.ID, sales.ID), "department_not_empty")
		own := "own"
		if _, err := e.svc.UpdateMember(owner, org.ID, m.ID, core.MemberUpdate{DepartmentID: &acc.ID, AccessScope: &own}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DeleteDepartment(owner, org.ID, north.ID); err != nil {
			t.Fatal(err)
		}
		ds, _ := e.svc.Departments(owner, org.ID)
		if len(ds) != 2 {
			t.Fatalf("departments: %+v", ds)
		}
		// The member search finds Cyrillic names in any case, in both databases.
		page, err := e.svc.Members(owner, core.MemberQuery{OrgID: org.ID, Query: "ИВА"})
		if err != nil || len(page.Members) != 1 || page.Members[0].FullName != "Иван" {
			t.Fatalf("search: %+v %v", page, err)
		}
	})
}

func TestMembersPagination(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		owner := e.person(t, "owner@example.com", "Аааа Владелец")
		org, _ := e.svc.CreateOrganization(owner, romashka)
		for i := range 7 {
			if _, err := e.svc.AddMember(owner, org.ID, core.MemberInput{FullName: "Сотрудник " + string(rune('А'+i)),
				Email: "e" + string(rune('a'+i)) + "@example.com", Phone: "+7916000330" + string(rune('0'+i)), Role: "employee", AccessScope: "all"}); err != nil {
				t.Fatal(err)
			}
		}
		var names []string
		cursor := ""
		for pages := 0; ; pages++ {
			page, err := e.svc.Members(owner, core.MemberQuery{OrgID: org.ID, Limit: 3, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range page.Members {
				names = append(names, m.FullName)
			}
			if page.Next == "" {
				break
			}
			cursor = page.Next
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
		}
		if len(names) != 8 || names[0] != "Аааа Владелец" || names[1] != "Сотрудник А" || names[7] != "Сотрудник Ж" {
			t.Fatalf("pages: %v", names)
		}
	})
}
