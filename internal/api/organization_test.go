package api_test

import (
	"strings"
	"testing"

	"paraph/internal/servertest"
	"paraph/internal/storetest"
)

// login registers-and-confirms an account through the API and returns its client.
func login(t *testing.T, env *servertest.Env, email, name string) *client {
	t.Helper()
	c := &client{t: t, base: env.URL}
	c.run([]scenario{{"register " + email, "POST", "/api/v1/auth/register",
		`{"login":"` + email + `","password":"correct horse battery","full_name":"` + name + `"}`, 201, "", ""}})
	code := env.Code(t, email)
	c.run([]scenario{{"confirm", "POST", "/api/v1/auth/confirm", `{"login":"` + email + `","code":"` + code + `"}`, 200, "", ""}})
	r := c.do("POST", "/api/v1/auth/login", `{"login":"`+email+`","password":"correct horse battery"}`)
	if r.status != 200 {
		t.Fatalf("login %s: %d %s", email, r.status, r.body)
	}
	c.token = r.json["token"].(string)
	return c
}

func TestOrganizationsAPI(t *testing.T) {
	for _, dialect := range storetest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			env := servertest.New(t, dialect, nil)
			owner := login(t, env, "owner@example.com", "Иван Смирнов")
			acct := login(t, env, "buh@example.com", "Олена Коваленко")
			owner.run([]scenario{
				{"wrong INN check digit", "POST", "/api/v1/orgs", `{"kind":"legal","country":"RU","name":"ООО «Ромашка»","inn":"7707083894","kpp":"773601001","ogrn":"1027700132195"}`, 422, "invalid_inn_checksum", `"field":"inn"`},
				{"KPP for a UA company", "POST", "/api/v1/orgs", `{"kind":"legal","country":"UA","name":"ТОВ","edrpou":"00032129","kpp":"773601001"}`, 422, "identifier_not_for_country", ""},
				{"unknown kind", "POST", "/api/v1/orgs", `{"kind":"coop","country":"RU","name":"X"}`, 422, "invalid_org_kind", ""},
			})
			r := owner.do("POST", "/api/v1/orgs", `{"kind":"legal","country":"RU","name":"ООО «Ромашка»","inn":"7707083893","kpp":"773601001","ogrn":"1027700132195"}`)
			if r.status != 201 || r.json["role"] != "owner" {
				t.Fatalf("create org: %d %s", r.status, r.body)
			}
			org := r.json["id"].(string)
			acct.run([]scenario{
				{"same identifiers again", "POST", "/api/v1/orgs", `{"kind":"legal","country":"RU","name":"Другая","inn":"7707083893","kpp":"773601001","ogrn":"1027700132195"}`, 409, "organization_exists", ""},
				{"not a member: not found", "GET", "/api/v1/orgs/" + org, "", 404, "not_found", ""},
				{"not a member: members not found", "GET", "/api/v1/orgs/" + org + "/members", "", 404, "not_found", ""},
			})
			r = owner.do("POST", "/api/v1/orgs/"+org+"/departments", `{"name":"Бухгалтерия"}`)
			if r.status != 201 {
				t.Fatalf("department: %d %s", r.status, r.body)
			}
			dept := r.json["id"].(string)
			owner.run([]scenario{
				{"member without phone", "POST", "/api/v1/orgs/" + org + "/members", `{"full_name":"Олена","email":"buh@example.com","role":"signer"}`, 422, "phone_required", `"field":"phone"`},
				{"member with a bad role", "POST", "/api/v1/orgs/" + org + "/members", `{"full_name":"Олена","email":"buh@example.com","phone":"+380501112233","role":"boss"}`, 422, "invalid_role", ""},
			})
			r = owner.do("POST", "/api/v1/orgs/"+org+"/members", `{"full_name":"Олена Коваленко","email":"buh@example.com","phone":"+380501112233","role":"signer","department_id":"`+dept+`","access_scope":"own"}`)
			if r.status != 201 || r.json["invited"] != false {
				t.Fatalf("add member: %d %s", r.status, r.body)
			}
			member := r.json["id"].(string)
			owner.run([]scenario{
				{"the same person twice", "POST", "/api/v1/orgs/" + org + "/members", `{"full_name":"Олена","email":"buh@example.com","phone":"+380501112233","role":"signer","department_id":"` + dept + `"}`, 409, "already_member", ""},
				{"delete a department with people", "DELETE", "/api/v1/orgs/" + org + "/departments/" + dept, "", 409, "department_not_empty", ""},
				{"search members", "GET", "/api/v1/orgs/" + org + "/members?q=олена", "", 200, "", "Олена Коваленко"},
			})
			acct.run([]scenario{
				{"member sees the organization", "GET", "/api/v1/orgs/" + org, "", 200, "", `"role":"signer"`},
				{"signer cannot add people", "POST", "/api/v1/orgs/" + org + "/members", `{"full_name":"X","email":"x@example.com","phone":"+79160001122","role":"employee","department_id":"` + dept + `"}`, 403, "", ""},
				{"across organizations", "GET", "/api/v1/members", "", 200, "", "Иван Смирнов"},
			})
			owner.run([]scenario{{"block", "PATCH", "/api/v1/orgs/" + org + "/members/" + member, `{"status":"blocked"}`, 200, "", `"status":"blocked"`}})
			acct.run([]scenario{
				{"blocked: organization refused", "GET", "/api/v1/orgs/" + org, "", 403, "blocked", ""},
				{"blocked: members refused", "GET", "/api/v1/orgs/" + org + "/members", "", 403, "blocked", ""},
				{"blocked: gone from the list", "GET", "/api/v1/orgs", "", 200, "", `"items":[]`},
			})
			owner.run([]scenario{{"unblock", "PATCH", "/api/v1/orgs/" + org + "/members/" + member, `{"status":"active"}`, 200, "", `"status":"active"`}})
			acct.run([]scenario{{"back after unblock", "GET", "/api/v1/orgs", "", 200, "", "ООО «Ромашка»"}})
			// Invitation of a person without an account.
			r = owner.do("POST", "/api/v1/orgs/"+org+"/members", `{"full_name":"Новенький","email":"new@example.com","phone":"+79160009988","role":"employee","department_id":"`+dept+`"}`)
			if r.status != 201 || r.json["invited"] != true {
				t.Fatalf("invite: %d %s", r.status, r.body)
			}
			env.RunJobs(t)
			msgs, _ := env.Svc.DevMessages(t.Context(), "new@example.com", 1)
			i := strings.Index(msgs[0].Body, "/invite/")
			token := strings.Fields(msgs[0].Body[i+len("/invite/"):])[0]
			anon := &client{t: t, base: env.URL}
			anon.run([]scenario{
				{"accept with a weak password", "POST", "/api/v1/invitations/accept", `{"token":"` + token + `","password":"123"}`, 422, "weak_password_short", ""},
				{"accept", "POST", "/api/v1/invitations/accept", `{"token":"` + token + `","password":"my new password 1"}`, 200, "", `"token":"ppb_`},
				{"accept again", "POST", "/api/v1/invitations/accept", `{"token":"` + token + `","password":"my new password 1"}`, 409, "invitation_used", ""},
				{"a made-up token", "POST", "/api/v1/invitations/accept", `{"token":"ppi_nope","password":"my new password 1"}`, 404, "invitation_not_found", ""},
			})
		})
	}
}
