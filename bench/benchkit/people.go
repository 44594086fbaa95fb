package benchkit

import (
	"context"

	"paraph"
	"paraph/internal/core"
	"paraph/internal/store"
)

// Password is every bench account's password.
const Password = "bench password 2026"

// SignUp makes an active account with Password.
func SignUp(ctx context.Context, svc *core.Service, login, name string) {
	_, err := svc.CreateActiveAccount(ctx, core.Registration{Login: login, Password: Password, FullName: name})
	Check(err)
}

// LogIn logs an account in and returns a context acting as it and its
// bearer token.
func LogIn(ctx context.Context, svc *core.Service, login string) (context.Context, string) {
	_, tok, err := svc.Login(ctx, login, Password, store.TokenBearer)
	Check(err)
	p, err := svc.Authenticate(ctx, tok.Secret)
	Check(err)
	return core.WithPrincipal(ctx, p), tok.Secret
}

// Organization creates, as the acting owner, a Russian company with five
// departments, and returns it with the departments' IDs.
func Organization(owner context.Context, svc *core.Service, name string) (*paraph.Organization, []string) {
	org, err := svc.CreateOrganization(owner, paraph.Organization{Kind: paraph.OrgLegal, Country: paraph.CountryRU, Name: name,
		INN: "7712345671", KPP: "771201001", OGRN: "1027700123450"})
	Check(err)
	var depts []string
	for _, dn := range []string{"Продажи", "Склад", "Бухгалтерия", "Логистика", "ИТ"} {
		d, err := svc.CreateDepartment(owner, org.ID, dn, "")
		Check(err)
		depts = append(depts, d.ID)
	}
	return org, depts
}
