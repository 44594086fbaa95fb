package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"paraph/internal/servertest"
	"paraph/internal/store"
)

// TestBrowserAccountant is issue 3's accountant story in a real Chromium:
// the owners of three organizations add one accountant as a signer (the
// first before the accountant has an account: an invitation link), the
// accountant switches among the three, owner 2 blocks them — organization 2
// vanishes from the list and the switcher, its pages and its API refuse —
// and unblocking brings it back. Owner 1 works through the browser too, so
// the members, add-member, member and departments pages are shot.
func TestBrowserAccountant(t *testing.T) {
	bin := chromium(t)
	env := servertest.New(t, store.SQLite, nil)
	dir := screenshotDir(t)
	b := startBrowser(t, bin, dir)
	step, read, shoot := b.step, b.read, b.shoot
	const acctEmail, acctPhone = "buh@outsource.ru", "+7 912 555-00-01"
	acctAdd := url.Values{"full_name": {"Смирнова Ольга Викторовна"}, "email": {acctEmail}, "phone": {acctPhone},
		"role": {"signer"}, "position": {"Бухгалтер на аутсорсе"}}
	clone := func(v url.Values) url.Values {
		c := url.Values{}
		for k, s := range v {
			c[k] = append([]string(nil), s...)
		}
		return c
	}

	// Owner 3 adds the accountant before she has an account: an invitation.
	owner3 := registeredAs(t, env, "ru", "owner3@gamma.ru", "Гаммов Георгий")
	org3 := owner3.createOrg("ООО «Гамма»", 3)
	owner3.addMember(org3, clone(acctAdd))
	link := invitationLink(t, env, acctEmail)

	step("open the invitation", b.phone, chromedp.Navigate(env.URL+link), chromedp.WaitVisible(chromedp.ID("invite-password")))
	if got := read("main .lead"); !strings.Contains(got, "ООО «Гамма»") {
		t.Errorf("invitation lead: %q", got)
	}
	shoot("invite")
	step("set the password",
		chromedp.SendKeys(chromedp.ID("invite-password"), goodPassword),
		chromedp.SendKeys(chromedp.ID("invite-password2"), goodPassword),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.orgnav`)),
	)
	if got := read("main h1"); got != "ООО «Гамма»" {
		t.Errorf("after the invitation: %q", got)
	}
	step("log out", chromedp.Click(chromedp.CSS(`header form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS(`header a[href="/login"]`)))

	// Owner 1 works in the browser: creates the organization (first with a
	// wrong INN), departments, and adds the accountant, who now has an account.
	registeredAs(t, env, "ru", "owner1@alfa.ru", "Альфин Андрей")
	login := func(who string) {
		t.Helper()
		step("log in as "+who,
			chromedp.Navigate(env.URL+"/login"),
			chromedp.WaitVisible(chromedp.ID("login-login")),
			chromedp.SendKeys(chromedp.ID("login-login"), who),
			chromedp.SendKeys(chromedp.ID("login-password"), goodPassword),
			chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`header form[action="/logout"]`)),
		)
	}
	login("owner1@alfa.ru")
	shoot("orgs-empty")
	inn, kpp, ogrn := legalRU(1)
	step("choose the country and kind",
		chromedp.Navigate(env.URL+"/orgs/new"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=country][value=RU]`)),
	)
	shoot("org-new-step1")
	step("next", chromedp.Click(chromedp.CSS(`main form button[type=submit]`)), chromedp.WaitVisible(chromedp.ID("org-inn")))
	step("a wrong INN",
		chromedp.SendKeys(chromedp.ID("org-name"), "ООО «Альфа»"),
		chromedp.SendKeys(chromedp.ID("org-inn"), inn[:9]+string('0'+(inn[9]-'0'+1)%10)),
		chromedp.SendKeys(chromedp.ID("org-kpp"), kpp),
		chromedp.SendKeys(chromedp.ID("org-ogrn"), ogrn),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("org-inn-error")),
	)
	if got := read("#org-inn-error"); !strings.HasPrefix(got, "Неверное контрольное число ИНН") {
		t.Errorf("INN error: %q", got)
	}
	shoot("org-new-errors")
	step("create the organization",
		chromedp.SetValue(chromedp.ID("org-inn"), inn),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.orgnav`)),
	)
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	org1 := strings.TrimPrefix(loc, env.URL+"/o/")
	shoot("org")

	step("open departments", chromedp.Navigate(env.URL+"/o/"+org1+"/departments"), chromedp.WaitVisible(chromedp.ID("dept_new-name")))
	for _, d := range []struct{ name, parent string }{{"Бухгалтерия", ""}, {"Продажи", ""}, {"Филиал в Казани", "Продажи"}} {
		actions := []chromedp.Action[chromedp.Void]{chromedp.SendKeys(chromedp.ID("dept_new-name"), d.name)}
		if d.parent != "" {
			actions = append(actions, chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("dept_new-parent_id");
				for (const o of s.options) if (o.text.trim() === `+jsString(d.parent)+`) s.value = o.value; })()`))
		}
		actions = append(actions, chromedp.Click(chromedp.CSS(`form[action$="/departments"] button[type=submit]`)))
		step("add department "+d.name, actions...)
		// Wait for the new department in the tree, not for a flash: the
		// previous page's flash is still visible while the form submits.
		b.until("department "+d.name+" listed", `[...document.querySelectorAll(".tree")].some(t => t.textContent.includes(`+jsString(d.name)+`))`)
	}
	step("open a department's edit form", chromedp.Click(chromedp.CSS(`.tree .dept-edit summary`)))
	shoot("departments")

	step("open the add member form", chromedp.Navigate(env.URL+"/o/"+org1+"/members/new"), chromedp.WaitVisible(chromedp.ID("member-full_name")))
	step("fill it",
		chromedp.SendKeys(chromedp.ID("member-full_name"), "Смирнова Ольга Викторовна"),
		chromedp.SendKeys(chromedp.ID("member-email"), acctEmail),
		chromedp.SendKeys(chromedp.ID("member-phone"), acctPhone),
		chromedp.SetValue(chromedp.ID("member-role"), "signer"),
		chromedp.SendKeys(chromedp.ID("member-position"), "Бухгалтер на аутсорсе"),
	)
	shoot("member-new")
	step("add the accountant", chromedp.Click(chromedp.CSS(`main form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := read(".flash"); !strings.Contains(got, "уже есть учётная запись") {
		t.Errorf("added: %q", got)
	}
	shoot("member")
	step("members", chromedp.Navigate(env.URL+"/o/"+org1+"/members"), chromedp.WaitVisible(chromedp.CSS(".people")))
	shoot("members")
	step("log out", chromedp.Click(chromedp.CSS(`header form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS(`header a[href="/login"]`)))

	// Owner 2 adds her through plain HTTP.
	owner2 := registeredAs(t, env, "ru", "owner2@beta.ru", "Бетов Борис")
	org2 := owner2.createOrg("ООО «Бета»", 2)
	acct2, _ := owner2.addMember(org2, clone(acctAdd))

	// The accountant: three organizations, switching among them.
	login(acctEmail)
	for _, name := range []string{"ООО «Альфа»", "ООО «Бета»", "ООО «Гамма»"} {
		if got := read("main .orgs"); !strings.Contains(got, name) {
			t.Errorf("the accountant's list lacks %s: %q", name, got)
		}
	}
	shoot("orgs")
	for _, org := range []string{org1, org2, org3} {
		step("switch to "+org,
			chromedp.Click(chromedp.CSS(`details.switcher summary`)),
			chromedp.WaitVisible(chromedp.CSS(`details.switcher a[href="/o/`+org+`"]`)),
		)
		if org == org2 {
			shoot("switcher")
		}
		step("choose "+org, chromedp.Click(chromedp.CSS(`details.switcher a[href="/o/`+org+`"]`)), chromedp.WaitVisible(chromedp.CSS(".orgnav")))
		if loc, _ := chromedp.Run(b.ctx, chromedp.Location()); loc != env.URL+"/o/"+org {
			t.Errorf("switched to %s, want /o/%s", loc, org)
		}
		if got := read("main .badge-role"); !strings.Contains(got, "Сотрудник с правом подписи") {
			t.Errorf("role in %s: %q", org, got)
		}
	}
	// The switcher keeps the section: from members to members.
	step("members of Гамма", chromedp.Navigate(env.URL+"/o/"+org3+"/members"), chromedp.WaitVisible(chromedp.CSS(".people")),
		chromedp.Click(chromedp.CSS(`details.switcher summary`)),
		chromedp.Click(chromedp.CSS(`details.switcher a[href="/o/`+org1+`/members"]`)),
		chromedp.WaitVisible(chromedp.CSS(".people")),
	)
	if got := read(".switcher-name"); got != "ООО «Альфа»" {
		t.Errorf("switcher after switching: %q", got)
	}

	token := apiLogin(t, env, acctEmail)
	if got := apiStatus(t, env, token, "/api/v1/orgs/"+org2); got != http.StatusOK {
		t.Errorf("API before the block: %d", got)
	}

	// Owner 2 blocks the accountant: organization 2 is gone for her at once.
	if status, page := owner2.submit("/o/"+org2+"/members/"+acct2, "/o/"+org2+"/members/"+acct2+"/block", url.Values{}); status != http.StatusOK {
		t.Fatalf("block: %d %s", status, squeeze(text(page)))
	}
	step("reload the list", chromedp.Navigate(env.URL+"/"), chromedp.WaitVisible(chromedp.CSS("main .orgs")))
	if got := read("main .orgs"); strings.Contains(got, "ООО «Бета»") || !strings.Contains(got, "ООО «Альфа»") {
		t.Errorf("after the block the list reads %q", got)
	}
	if got := read("details.switcher .switcher-menu"); strings.Contains(got, "ООО «Бета»") {
		t.Errorf("after the block the switcher reads %q", got)
	}
	for _, path := range []string{"/o/" + org2, "/o/" + org2 + "/members", "/o/" + org2 + "/departments", "/o/" + org2 + "/members/" + acct2} {
		step("open "+path, chromedp.Navigate(env.URL+path), chromedp.WaitVisible(chromedp.CSS(".error-page")))
		if got := read("main h1"); got != "Доступ к организации закрыт" {
			t.Errorf("%s: %q", path, got)
		}
	}
	shoot("blocked")
	if got := apiStatus(t, env, token, "/api/v1/orgs/"+org2); got != http.StatusForbidden {
		t.Errorf("API after the block: %d", got)
	}
	if got := apiStatus(t, env, token, "/api/v1/orgs/"+org1); got != http.StatusOK {
		t.Errorf("API of another organization after the block: %d", got)
	}

	// Unblocking brings it back.
	owner2.submit("/o/"+org2+"/members/"+acct2, "/o/"+org2+"/members/"+acct2+"/unblock", url.Values{})
	step("reload the list again", chromedp.Navigate(env.URL+"/"), chromedp.WaitVisible(chromedp.CSS("main .orgs")))
	if got := read("main .orgs"); !strings.Contains(got, "ООО «Бета»") {
		t.Errorf("after unblocking the list reads %q", got)
	}
	step("open organization 2", chromedp.Navigate(env.URL+"/o/"+org2), chromedp.WaitVisible(chromedp.CSS(".orgnav")))
	if got := apiStatus(t, env, token, "/api/v1/orgs/"+org2); got != http.StatusOK {
		t.Errorf("API after unblocking: %d", got)
	}
	step("all people", chromedp.Navigate(env.URL+"/members"), chromedp.WaitVisible(chromedp.CSS(".people")))
	shoot("members-all")
	step("profile", chromedp.Navigate(env.URL+"/profile"), chromedp.WaitVisible(chromedp.ID("orgs")))
	if got := read("#orgs"); !strings.Contains(got, "ООО «Гамма»") {
		t.Errorf("profile organizations: %q", got)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// apiLogin returns a bearer token from POST /api/v1/auth/login.
func apiLogin(t *testing.T, env *servertest.Env, login string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"login": login, "password": goodPassword})
	res, err := http.Post(env.URL+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || out.Token == "" {
		t.Fatalf("API login: %d %v", res.StatusCode, err)
	}
	return out.Token
}

func apiStatus(t *testing.T, env *servertest.Env, token, path string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", env.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
