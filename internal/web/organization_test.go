package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"paraph/internal/servertest"
	"paraph/internal/store"
)

// legalRU returns valid identifiers of the n-th made-up Russian company:
// INN and OGRN with their check digits, and a KPP.
func legalRU(n int) (inn, kpp, ogrn string) {
	base := fmt.Sprintf("77%07d", 1000000+n)[:9]
	w := []int{2, 4, 10, 3, 5, 9, 4, 6, 8}
	sum := 0
	for i, c := range base {
		sum += int(c-'0') * w[i]
	}
	inn = base + fmt.Sprint(sum%11%10)
	o := fmt.Sprintf("10277%07d", 1000000+n)[:12]
	var rem int64
	for _, c := range o {
		rem = (rem*10 + int64(c-'0')) % 11
	}
	ogrn = o + fmt.Sprint(rem%10)
	return inn, "773601001", ogrn
}

// orgForm is the posted second step of the organization form for a Russian company.
func orgForm(name string, n int) url.Values {
	inn, kpp, ogrn := legalRU(n)
	return url.Values{"country": {"RU"}, "kind": {"legal"}, "name": {name}, "inn": {inn}, "kpp": {kpp}, "ogrn": {ogrn},
		"email": {""}, "address": {""}}
}

var orgURLRe = regexp.MustCompile(`/o/([0-9a-f-]{36})`)

// createOrg creates an organization through the form and returns its id.
func (c *client) createOrg(name string, n int) string {
	c.t.Helper()
	status, page := c.submit("/orgs/new?country=RU&kind=legal", "/orgs/new", orgForm(name, n))
	if status != http.StatusOK || !strings.Contains(page, "<h1>"+name+"</h1>") {
		c.t.Fatalf("create %s: status %d\n%s", name, status, squeeze(text(page)))
	}
	id := c.orgID(name)
	c.page = page
	return id
}

// orgID reads the id of one of my organizations from the switcher.
func (c *client) orgID(name string) string {
	c.t.Helper()
	_, page := c.get("/")
	m := regexp.MustCompile(`href="/o/([0-9a-f-]{36})"[^>]*>\s*<span class="switcher-org">` + regexp.QuoteMeta(name) + `<`).FindStringSubmatch(page)
	if m == nil {
		c.t.Fatalf("%s is not in the switcher", name)
	}
	return m[1]
}

var memberURLRe = regexp.MustCompile(`/o/[0-9a-f-]{36}/members/([0-9a-f-]{36})"`)

// addMember adds an employee through the form and returns the member id.
func (c *client) addMember(org string, v url.Values) (string, string) {
	c.t.Helper()
	for k, d := range map[string]string{"role": "signer", "access_scope": "all", "position": "", "department_id": ""} {
		if v.Get(k) == "" {
			v.Set(k, d)
		}
	}
	status, page := c.submit("/o/"+org+"/members/new", "/o/"+org+"/members/new", v)
	if status != http.StatusOK {
		c.t.Fatalf("add member: status %d\n%s", status, squeeze(text(page)))
	}
	m := regexp.MustCompile(`action="/o/[0-9a-f-]{36}/members/([0-9a-f-]{36})"`).FindStringSubmatch(page)
	if m == nil {
		c.t.Fatalf("add member: not on the member page\n%s", squeeze(text(page)))
	}
	return m[1], page
}

var inviteRe = regexp.MustCompile(`/invite/(ppi_[A-Za-z0-9_-]+)`)

// invitationLink reads the newest invitation link sent to an address.
func invitationLink(t *testing.T, env *servertest.Env, to string) string {
	t.Helper()
	env.RunJobs(t)
	msgs, err := env.Svc.DevMessages(t.Context(), to, 1)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("no message to %s (%v)", to, err)
	}
	m := inviteRe.FindStringSubmatch(msgs[0].Body)
	if m == nil {
		t.Fatalf("no invitation link in %q", msgs[0].Body)
	}
	return "/invite/" + m[1]
}

func TestOrganizationForm(t *testing.T) {
	env := servertest.New(t, store.SQLite, nil)
	owner := registered(t, env, "ru", "owner@example.com")

	_, page := owner.get("/")
	mustContain(t, page, "У вас пока нет организаций", "попросите её владельца или администратора добавить вас", `href="/orgs/new"`)

	// Step one asks for the country and the kind; step two shows only their identifiers.
	_, page = owner.get("/orgs/new")
	mustContain(t, page, `name="country" value="RU" checked`, "Индивидуальный предприниматель")
	mustNotContain(t, page, `name="inn"`)
	_, page = owner.get("/orgs/new?country=RU&kind=legal")
	mustContain(t, page, `id="org-inn"`, `id="org-kpp"`, `id="org-ogrn"`, "Россия · Юридическое лицо")
	mustNotContain(t, page, `id="org-edrpou"`, `id="org-unp"`)
	_, page = owner.get("/orgs/new?country=RU&kind=individual")
	mustContain(t, page, "ОГРНИП", "Россия · ИП")
	mustNotContain(t, page, `id="org-kpp"`)
	_, page = owner.get("/orgs/new?country=UA&kind=individual")
	mustContain(t, page, `id="org-rnokpp"`, "Украина · ФОП")
	_, page = owner.get("/orgs/new?country=BY&kind=legal")
	mustContain(t, page, `id="org-unp"`)

	tests := []struct {
		name  string
		edit  func(url.Values)
		field string
		want  string
	}{
		{"wrong INN check digit", func(v url.Values) { v.Set("inn", "7707083894") }, "org-inn", "Неверное контрольное число ИНН"},
		{"short INN", func(v url.Values) { v.Set("inn", "77070") }, "org-inn", "ИНН организации состоит из 10 цифр"},
		{"wrong OGRN", func(v url.Values) { v.Set("ogrn", "1027700132196") }, "org-ogrn", "Неверное контрольное число ОГРН"},
		{"no KPP", func(v url.Values) { v.Set("kpp", "") }, "org-kpp", "Укажите КПП."},
		{"no name", func(v url.Values) { v.Set("name", " ") }, "org-name", "Укажите название организации."},
		{"bad email", func(v url.Values) { v.Set("email", "buh@") }, "org-email", "Это не похоже на адрес электронной почты."},
	}
	for _, tt := range tests {
		v := orgForm("ООО «Ромашка»", 1)
		tt.edit(v)
		status, page := owner.submit("/orgs/new?country=RU&kind=legal", "/orgs/new", v)
		if status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d", tt.name, status)
		}
		if got := fieldError(t, page, tt.field); !strings.Contains(got, tt.want) {
			t.Errorf("%s: error under %s is %q, want %q", tt.name, tt.field, got, tt.want)
		}
		if v.Get("name") != " " {
			mustContain(t, page, `value="ООО «Ромашка»"`) // nothing typed is lost
		}
	}

	id := owner.createOrg("ООО «Ромашка»", 1)
	mustContain(t, owner.page, "Организация создана", "Ваша роль: Владелец", "Изменить реквизиты")

	// The same identifiers again, by someone else: refused, with how to get access.
	other := registered(t, env, "ru", "other@example.com")
	status, page := other.submit("/orgs/new?country=RU&kind=legal", "/orgs/new", orgForm("ООО «Ромашка 2»", 1))
	if status != http.StatusConflict {
		t.Errorf("duplicate: status %d", status)
	}
	if got := fieldError(t, page, "org-inn"); !strings.Contains(got, "уже зарегистрирована в Paraph. Попросите её владельца добавить вас: Сотрудники → Добавить сотрудника.") {
		t.Errorf("duplicate: %q", got)
	}

	// Settings: the owner edits the details.
	status, page = owner.submit("/o/"+id+"/settings", "/o/"+id+"/settings", url.Values{"name": {"ООО «Ромашка и партнёры»"},
		"inn": {orgForm("", 1).Get("inn")}, "kpp": {"773601001"}, "ogrn": {orgForm("", 1).Get("ogrn")},
		"email": {"buh@romashka.ru"}, "address": {"Москва,\nул. Ленина, 1"}})
	if status != http.StatusOK {
		t.Fatalf("settings: %d", status)
	}
	mustContain(t, page, "Реквизиты сохранены", "ООО «Ромашка и партнёры»", "buh@romashka.ru", "Москва, ул. Ленина, 1")
	status, page = owner.submit("/o/"+id+"/settings", "/o/"+id+"/settings", url.Values{"name": {"x"}, "inn": {"1234567890"}})
	if got := fieldError(t, page, "org-inn"); status != http.StatusUnprocessableEntity || !strings.Contains(got, "контрольное число ИНН") {
		t.Errorf("settings with a wrong INN: %d %q", status, got)
	}

	// The home page lists it as a card, with identifiers and my role.
	_, page = owner.get("/")
	mustContain(t, page, "ООО «Ромашка и партнёры»", "ИНН", orgForm("", 1).Get("inn"), "Владелец")
	_, page = owner.get("/profile")
	mustContain(t, page, "ООО «Ромашка и партнёры»", "Владелец")

	// Somebody else's organization does not exist for them.
	if status, _ := other.get("/o/" + id); status != http.StatusNotFound {
		t.Errorf("a stranger opens the organization: %d", status)
	}
	if status, _ := other.get("/o/" + id + "/members"); status != http.StatusNotFound {
		t.Errorf("a stranger opens the members: %d", status)
	}
}

func TestMembersAndBlocking(t *testing.T) {
	env := servertest.New(t, store.SQLite, nil)
	owner := registeredAs(t, env, "ru", "owner@example.com", "Петров Пётр Петрович")
	org := owner.createOrg("ООО «Ромашка»", 1)
	acct := registeredAs(t, env, "ru", "buh@example.com", "Бухгалтерова Анна Сергеевна")
	own := acct.createOrg("ИП Бухгалтер", 2) // the accountant's own company

	// Add the accountant, who has an account: access at once.
	_, page := owner.get("/o/" + org + "/members/new")
	mustContain(t, page, "Ко всем документам организации", "Своего подразделения и дочерних", `<option value="admin"`)
	mustNotContain(t, page, `<option value="owner"`) // ownership is handed over, not given
	acctID, page := owner.addMember(org, url.Values{"full_name": {"Бухгалтерова Анна"}, "email": {"buh@example.com"},
		"phone": {"+7 912 000-00-01"}, "role": {"signer"}, "position": {"Бухгалтер"}})
	mustContain(t, page, "Сотрудник добавлен. У него уже есть учётная запись", "Сотрудник с правом подписи", "Бухгалтер")

	// The same person again: a conflict next to the email.
	status, page := owner.submit("/o/"+org+"/members/new", "/o/"+org+"/members/new", url.Values{"full_name": {"Анна"},
		"email": {"buh@example.com"}, "phone": {"+7 912 000-00-01"}, "role": {"signer"}, "access_scope": {"all"}})
	if got := fieldError(t, page, "member-email"); status != http.StatusConflict || !strings.Contains(got, "уже работает в организации") {
		t.Errorf("adding twice: %d %q", status, got)
	}
	// Email and phone are both required.
	status, page = owner.submit("/o/"+org+"/members/new", "/o/"+org+"/members/new", url.Values{"full_name": {"Пётр"},
		"email": {"petr@example.com"}, "phone": {""}, "role": {"signer"}, "access_scope": {"all"}})
	if got := fieldError(t, page, "member-phone"); status != http.StatusUnprocessableEntity || got != "Укажите телефон сотрудника." {
		t.Errorf("no phone: %d %q", status, got)
	}

	// The accountant now switches between two organizations.
	_, page = acct.get("/")
	mustContain(t, page, "ООО «Ромашка»", "ИП Бухгалтер", "Мои организации: 2")
	_, page = acct.get("/o/" + org + "/members")
	mustContain(t, page, "Бухгалтерова Анна", "Петров Пётр Петрович", `href="/o/`+own+`/members"`)
	// An accountant (signer) sees no management buttons.
	mustNotContain(t, page, "/members/new")
	_, page = acct.get("/o/" + org + "/members/" + acctID)
	mustNotContain(t, page, "/block", "Роль и доступ")

	// Search and filters.
	_, page = owner.get("/o/" + org + "/members?q=" + url.QueryEscape("бухгалт"))
	mustContain(t, page, "Бухгалтерова Анна", "Найдено: 1")
	mustNotContain(t, page, "Петров Пётр Петрович")
	_, page = owner.get("/o/" + org + "/members?role=owner")
	mustContain(t, page, "Петров Пётр Петрович")
	mustNotContain(t, page, "Бухгалтерова Анна")
	_, page = owner.get("/o/" + org + "/members?q=nobody-like-this")
	mustContain(t, page, "Никого не нашли", "Сбросить фильтры")
	if status, _ := owner.get("/o/" + org + "/members?role=boss"); status != http.StatusBadRequest {
		t.Errorf("an unknown role in the URL: %d", status)
	}

	// Block: the accountant loses this organization at once, not the other.
	status, page = owner.submit("/o/"+org+"/members/"+acctID, "/o/"+org+"/members/"+acctID+"/block", url.Values{})
	if status != http.StatusOK {
		t.Fatalf("block: %d", status)
	}
	mustContain(t, page, "Сотрудник заблокирован: доступ к организации закрыт сразу", "заблокирован", "Разблокировать")
	for _, path := range []string{"/o/" + org, "/o/" + org + "/members", "/o/" + org + "/departments", "/o/" + org + "/members/" + acctID} {
		status, page := acct.get(path)
		if status != http.StatusForbidden {
			t.Errorf("blocked %s: %d", path, status)
		}
		mustContain(t, page, "Доступ к организации закрыт", "закрыл вам доступ к ней", "Ваша работа в других организациях не затронута")
	}
	_, page = acct.get("/")
	mustNotContain(t, page, "ООО «Ромашка»")
	mustContain(t, page, "ИП Бухгалтер")
	if status, _ := acct.get("/o/" + own); status != http.StatusOK {
		t.Errorf("the accountant's other organization: %d", status)
	}
	// Blocked people leave the default list; "show blocked" brings them back.
	_, page = owner.get("/o/" + org + "/members")
	mustNotContain(t, page, "Бухгалтерова Анна")
	_, page = owner.get("/o/" + org + "/members?blocked=1")
	mustContain(t, page, "Бухгалтерова Анна", "заблокирован")

	status, page = owner.submit("/o/"+org+"/members/"+acctID, "/o/"+org+"/members/"+acctID+"/unblock", url.Values{})
	mustContain(t, page, "доступ к организации восстановлен")
	if status, _ := acct.get("/o/" + org); status != http.StatusOK {
		t.Errorf("unblocked: %d", status)
	}

	// The owner cannot demote themselves, nor block themselves; the page says why.
	ownerID := regexp.MustCompile(`/members/([0-9a-f-]{36})">Петров`).FindStringSubmatch(func() string { _, p := owner.get("/o/" + org + "/members"); return p }())
	if ownerID == nil {
		t.Fatal("no owner in the list")
	}
	_, page = owner.get("/o/" + org + "/members/" + ownerID[1])
	mustNotContain(t, page, `/block"`, `name="role"`)
	status, page = owner.submit("/o/"+org+"/members/"+ownerID[1], "/o/"+org+"/members/"+ownerID[1], url.Values{"role": {"employee"}})
	if status != http.StatusForbidden {
		t.Errorf("demoting oneself: %d", status)
	}
	mustContain(t, page, "Свою роль изменить нельзя")
	status, page = owner.submit("/o/"+org+"/members/"+ownerID[1], "/o/"+org+"/members/"+ownerID[1]+"/block", url.Values{})
	if status != http.StatusForbidden {
		t.Errorf("blocking oneself: %d", status)
	}
	mustContain(t, page, "Нельзя заблокировать или разблокировать самого себя")

	// Edit: role and scope; own_and_selected needs a selection.
	_, page = owner.submit("/o/"+org+"/departments", "/o/"+org+"/departments", url.Values{"name": {"Бухгалтерия"}, "parent_id": {""}})
	dept := regexp.MustCompile(`members\?department=([0-9a-f-]{36})">Бухгалтерия`).FindStringSubmatch(page)
	if dept == nil {
		t.Fatalf("no department on the page:\n%s", squeeze(text(page)))
	}
	status, page = owner.submit("/o/"+org+"/members/"+acctID, "/o/"+org+"/members/"+acctID, url.Values{"role": {"admin"},
		"position": {"Главный бухгалтер"}, "department_id": {dept[1]}, "access_scope": {"own_and_selected"}})
	if status != http.StatusUnprocessableEntity {
		t.Errorf("own_and_selected without departments: %d", status)
	}
	mustContain(t, page, "Отметьте подразделения, документы которых будет видеть сотрудник.", `value="Главный бухгалтер"`)
	status, page = owner.submit("/o/"+org+"/members/"+acctID, "/o/"+org+"/members/"+acctID, url.Values{"role": {"admin"},
		"position": {"Главный бухгалтер"}, "department_id": {dept[1]}, "access_scope": {"own_and_children"}})
	if status != http.StatusOK {
		t.Fatalf("edit: %d\n%s", status, squeeze(text(page)))
	}
	mustContain(t, page, "Изменения сохранены", "Администратор", "Главный бухгалтер", "Своего подразделения и дочерних")

	// Ownership handed over: the old owner becomes an administrator, and the
	// new owner cannot be blocked by them.
	status, page = owner.submit("/o/"+org+"/members/"+acctID, "/o/"+org+"/members/"+acctID+"/transfer", url.Values{})
	mustContain(t, page, "Права владельца переданы")
	_, page = owner.get("/o/" + org)
	mustContain(t, page, "Ваша роль: Администратор")
	_, page = owner.get("/o/" + org + "/members/" + acctID)
	mustNotContain(t, page, `/block"`, "Роль и доступ")
	status, page = owner.submit("/o/"+org+"/members/"+acctID, "/o/"+org+"/members/"+acctID+"/block", url.Values{})
	if status != http.StatusForbidden {
		t.Errorf("an admin blocks the owner: %d", status)
	}
	mustContain(t, page, "Владельца заблокировать нельзя")
}

func TestInvitation(t *testing.T) {
	env := servertest.New(t, store.SQLite, nil)
	owner := registered(t, env, "ru", "owner@example.com")
	org := owner.createOrg("ООО «Ромашка»", 1)

	id, page := owner.addMember(org, url.Values{"full_name": {"Новикова Ольга"}, "email": {"olga@example.com"},
		"phone": {"+7 912 000-00-02"}})
	mustContain(t, page, "Мы отправили ему на почту приглашение", "приглашён", "Отправить приглашение ещё раз")
	link := invitationLink(t, env, "olga@example.com")

	// Too soon to resend; a minute later it goes.
	_, page = owner.submit("/o/"+org+"/members/"+id, "/o/"+org+"/members/"+id+"/invitation", url.Values{})
	mustContain(t, page, "Приглашение уже отправлено недавно")
	env.Clock.Advance(2 * time.Minute)
	_, page = owner.submit("/o/"+org+"/members/"+id, "/o/"+org+"/members/"+id+"/invitation", url.Values{})
	mustContain(t, page, "Приглашение отправлено ещё раз")

	olga := newClient(t, env, "ru")
	status, page := olga.get(link)
	if status != http.StatusOK {
		t.Fatalf("invitation page: %d", status)
	}
	mustContain(t, page, "Вас пригласили в организацию «ООО «Ромашка»»", "Новикова Ольга", "olga@example.com")
	status, page = olga.submit(link, link, url.Values{"password": {goodPassword}, "password2": {"other password"}})
	if got := fieldError(t, page, "invite-password2"); status != http.StatusUnprocessableEntity || got == "" {
		t.Errorf("different passwords: %d %q", status, got)
	}
	status, page = olga.submit(link, link, url.Values{"password": {"short"}, "password2": {"short"}})
	if got := fieldError(t, page, "invite-password"); status != http.StatusUnprocessableEntity || got != "Пароль должен быть не короче 10 символов." {
		t.Errorf("weak password: %d %q", status, got)
	}
	_, page = olga.submit(link, link, url.Values{"password": {goodPassword}, "password2": {goodPassword}})
	mustContain(t, page, "Пароль установлен", "<h1>ООО «Ромашка»</h1>", "Ваша роль: Сотрудник с правом подписи")

	// Used link: a clear page with what to do.
	other := newClient(t, env, "ru")
	status, page = other.get(link)
	if status != http.StatusGone {
		t.Errorf("used link: %d", status)
	}
	mustContain(t, page, "Это приглашение уже использовано", `href="/reset"`)
	status, page = other.get("/invite/ppi_nonsense")
	if status != http.StatusNotFound {
		t.Errorf("unknown link: %d", status)
	}
	mustContain(t, page, "Ссылка приглашения недействительна")

	// Expired link.
	owner.addMember(org, url.Values{"full_name": {"Сидоров Пётр"}, "email": {"petr@example.com"}, "phone": {"+7 912 000-00-03"}})
	link = invitationLink(t, env, "petr@example.com")
	env.Clock.Advance(8 * 24 * time.Hour)
	status, page = other.get(link)
	if status != http.StatusGone {
		t.Errorf("expired link: %d", status)
	}
	mustContain(t, page, "Срок действия приглашения истёк", "Отправить приглашение ещё раз")
}

func TestDepartments(t *testing.T) {
	env := servertest.New(t, store.SQLite, nil)
	owner := registered(t, env, "ru", "owner@example.com")
	org := owner.createOrg("ООО «Ромашка»", 1)
	_, page := owner.get("/o/" + org + "/departments")
	mustContain(t, page, "Подразделений пока нет", "Новое подразделение")

	deptID := func(page, name string) string {
		t.Helper()
		m := regexp.MustCompile(`members\?department=([0-9a-f-]{36})">` + regexp.QuoteMeta(name) + `<`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no %s on the page:\n%s", name, squeeze(text(page)))
		}
		return m[1]
	}
	_, page = owner.submit("/o/"+org+"/departments", "/o/"+org+"/departments", url.Values{"name": {"Бухгалтерия"}, "parent_id": {""}})
	mustContain(t, page, "Подразделение добавлено")
	buh := deptID(page, "Бухгалтерия")
	_, page = owner.submit("/o/"+org+"/departments", "/o/"+org+"/departments", url.Values{"name": {"Расчётный отдел"}, "parent_id": {buh}})
	calc := deptID(page, "Расчётный отдел")
	_, page = owner.submit("/o/"+org+"/departments", "/o/"+org+"/departments", url.Values{"name": {"Продажи"}, "parent_id": {""}})
	sales := deptID(page, "Продажи")
	// Nested: the child sits in its parent's list.
	if !regexp.MustCompile(`(?s)>Бухгалтерия<.*<ul>.*>Расчётный отдел<`).MatchString(page) {
		t.Error("the tree is not nested")
	}
	status, page := owner.submit("/o/"+org+"/departments", "/o/"+org+"/departments", url.Values{"name": {""}, "parent_id": {""}})
	if got := fieldError(t, page, "dept_new-name"); status != http.StatusUnprocessableEntity || got != "Укажите название подразделения." {
		t.Errorf("no name: %d %q", status, got)
	}

	// A department cannot move into its own child; the move select does not even offer it.
	if regexp.MustCompile(`(?s)id="dept-`+buh+`-parent".*?</select>`).FindString(page) != "" &&
		strings.Contains(regexp.MustCompile(`(?s)id="dept-`+buh+`-parent".*?</select>`).FindString(page), calc) {
		t.Error("Бухгалтерия may be moved into its own child")
	}
	status, page = owner.submit("/o/"+org+"/departments", "/o/"+org+"/departments/"+buh, url.Values{"name": {"Бухгалтерия"}, "parent_id": {calc}})
	if status != http.StatusUnprocessableEntity {
		t.Errorf("cycle: %d", status)
	}
	mustContain(t, page, "Нельзя переместить подразделение внутрь самого себя")
	// Rename and move.
	_, page = owner.submit("/o/"+org+"/departments", "/o/"+org+"/departments/"+calc, url.Values{"name": {"Зарплата"}, "parent_id": {sales}})
	mustContain(t, page, "Подразделение сохранено")
	if !regexp.MustCompile(`(?s)>Продажи<.*<ul>.*>Зарплата<`).MatchString(page) {
		t.Error("the moved department is not under its new parent")
	}
	// Deleting a department with a sub-department is refused, with the reason.
	status, page = owner.submit("/o/"+org+"/departments", "/o/"+org+"/departments/"+sales+"/delete", url.Values{})
	if status != http.StatusConflict {
		t.Errorf("delete non-empty: %d", status)
	}
	mustContain(t, page, "В подразделении есть сотрудники или дочерние подразделения")
	_, page = owner.submit("/o/"+org+"/departments", "/o/"+org+"/departments/"+calc+"/delete", url.Values{})
	mustContain(t, page, "Подразделение удалено")
	mustNotContain(t, page, ">Зарплата<")

	// The members filter offers the departments.
	_, page = owner.get("/o/" + org + "/members")
	mustContain(t, page, `<option value="`+buh+`"`)
}

func TestAllMembers(t *testing.T) {
	env := servertest.New(t, store.SQLite, nil)
	acct := registered(t, env, "ru", "buh@example.com")
	a := acct.createOrg("ООО «Альфа»", 1)
	b := acct.createOrg("ООО «Бета»", 2)
	acct.addMember(a, url.Values{"full_name": {"Альфин Алексей"}, "email": {"alf@example.com"}, "phone": {"+7 912 000-00-11"}})
	acct.addMember(b, url.Values{"full_name": {"Бетов Борис"}, "email": {"bet@example.com"}, "phone": {"+7 912 000-00-12"}})

	_, page := acct.get("/members")
	mustContain(t, page, "Альфин Алексей", "Бетов Борис", "ООО «Альфа»", "ООО «Бета»")
	_, page = acct.get("/members?org=" + b)
	mustContain(t, page, "Бетов Борис")
	mustNotContain(t, page, "Альфин Алексей")
	_, page = acct.get("/members?q=" + url.QueryEscape("alf@"))
	mustContain(t, page, "Альфин Алексей")
	mustNotContain(t, page, "Бетов Борис")

	// The switcher keeps the section: from Альфа's members to Бета's members.
	_, page = acct.get("/o/" + a + "/members")
	mustContain(t, page, `href="/o/`+b+`/members"`)
}

func TestMembersPagination(t *testing.T) {
	env := servertest.New(t, store.SQLite, nil)
	owner := registered(t, env, "ru", "owner@example.com")
	org := owner.createOrg("ООО «Ромашка»", 1)
	ctx := authed(t, env, sessionOf(t, owner))
	for i := range 60 {
		if _, err := env.Svc.AddMember(ctx, org, memberInput(i)); err != nil {
			t.Fatal(err)
		}
	}
	_, page := owner.get("/o/" + org + "/members")
	mustContain(t, page, "На странице: 50", "Следующая страница")
	next := regexp.MustCompile(`href="([^"]+)">Следующая страница`).FindStringSubmatch(page)
	if next == nil {
		t.Fatal("no next page link")
	}
	status, page := owner.get(html.UnescapeString(next[1]))
	if status != http.StatusOK {
		t.Fatalf("next page: %d", status)
	}
	mustContain(t, page, "На странице: 11", "В начало")
	mustNotContain(t, page, "Следующая страница")
}
