package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"paraph"
	"paraph/internal/core"
	"paraph/internal/store"
)

// withDemoDefaults gives the demo a fresh temporary data dir unless --data
// (or PARAPH_DATA) names one, so a demo never touches real data.
func withDemoDefaults(args []string) []string {
	for _, a := range args {
		if a == "--data" || a == "-data" || strings.HasPrefix(a, "--data=") || strings.HasPrefix(a, "-data=") {
			return args
		}
	}
	if os.Getenv("PARAPH_DATA") != "" {
		return args
	}
	dir, err := os.MkdirTemp("", "paraph-demo-")
	if err != nil {
		return args
	}
	return append([]string{"--data", dir}, args...)
}

// DemoPassword is the password of every demo account.
const DemoPassword = "demo-paraph-2026"

type demoPerson struct {
	Login, Name, Language string
}

type demoMembership struct {
	Login, Role, Position, Department string
}

type demoOrg struct {
	Org         paraph.Organization
	Owner       string      // login of the person who registers it
	Departments [][2]string // name, parent name
	Members     []demoMembership
}

// The demo world: an accounting firm whose accountant serves three client
// companies (Russia, Ukraine, Belarus), each with departments and people of
// every role. Identifiers are made up but carry valid check digits.
var (
	demoPeople = []demoPerson{
		{"director@demo.paraph.local", "Иван Петрович Смирнов", "ru"},
		{"accountant@demo.paraph.local", "Олена Іванівна Коваленко", "uk"},
		{"junior@demo.paraph.local", "Анна Сергеевна Волкова", "ru"},
		{"romashka@demo.paraph.local", "Сергей Николаевич Орлов", "ru"},
		{"sales@demo.paraph.local", "Мария Андреевна Кузнецова", "ru"},
		{"+79161234567", "Дмитрий Олегович Лебедев", "ru"},
		{"kalyna@demo.paraph.local", "Тарас Григорович Бондар", "uk"},
		{"kalyna.sign@demo.paraph.local", "Ірина Петрівна Мельник", "uk"},
		{"zubr@demo.paraph.local", "Алесь Іванавіч Жук", "ru"},
		{"zubr.staff@demo.paraph.local", "John Client", "en"},
	}
	demoOrgs = []demoOrg{
		{Org: paraph.Organization{Kind: paraph.OrgLegal, Country: paraph.CountryRU, Name: "ООО «Бухгалтерия Плюс»",
			INN: "7712345671", KPP: "771201001", OGRN: "1027700123450", Email: "office@buh-plus.example", Address: "Москва, ул. Тверская, 1"},
			Owner:       "director@demo.paraph.local",
			Departments: [][2]string{{"Бухгалтерия", ""}, {"Зарплата", "Бухгалтерия"}},
			Members: []demoMembership{
				{"accountant@demo.paraph.local", "admin", "Главный бухгалтер", "Бухгалтерия"},
				{"junior@demo.paraph.local", "employee", "Бухгалтер", "Зарплата"},
			}},
		{Org: paraph.Organization{Kind: paraph.OrgLegal, Country: paraph.CountryRU, Name: "ООО «Ромашка»",
			INN: "5001123452", KPP: "500101001", OGRN: "1155000123453", Email: "info@romashka.example", Address: "Балашиха, ш. Энтузиастов, 7"},
			Owner:       "romashka@demo.paraph.local",
			Departments: [][2]string{{"Продажи", ""}, {"Продажи — Север", "Продажи"}, {"Склад", ""}},
			Members: []demoMembership{
				{"accountant@demo.paraph.local", "signer", "Бухгалтер (аутсорсинг)", ""},
				{"sales@demo.paraph.local", "admin", "Коммерческий директор", "Продажи"},
				{"+79161234567", "employee", "Менеджер", "Продажи — Север"},
			}},
		{Org: paraph.Organization{Kind: paraph.OrgLegal, Country: paraph.CountryUA, Name: "ТОВ «Калина»",
			EDRPOU: "38123450", Email: "office@kalyna.example", Address: "Київ, вул. Хрещатик, 10"},
			Owner:       "kalyna@demo.paraph.local",
			Departments: [][2]string{{"Фінансовий відділ", ""}, {"Логістика", ""}},
			Members: []demoMembership{
				{"accountant@demo.paraph.local", "signer", "Бухгалтер (аутсорсинг)", ""},
				{"kalyna.sign@demo.paraph.local", "signer", "Фінансовий директор", "Фінансовий відділ"},
			}},
		{Org: paraph.Organization{Kind: paraph.OrgLegal, Country: paraph.CountryBY, Name: "ООО «Зубр»",
			UNP: "191234563", Email: "office@zubr.example", Address: "Минск, пр. Независимости, 5"},
			Owner:       "zubr@demo.paraph.local",
			Departments: [][2]string{{"Администрация", ""}},
			Members: []demoMembership{
				{"accountant@demo.paraph.local", "signer", "Бухгалтер (аутсорсинг)", ""},
				{"zubr.staff@demo.paraph.local", "employee", "Assistant", "Администрация"},
			}},
	}
)

// seedDemo creates the demo world through the same use cases people use. On
// a data dir that has it already, it changes nothing.
func seedDemo(ctx context.Context, svc *core.Service, dataDir string) error {
	as := map[string]context.Context{}
	for _, p := range demoPeople {
		_, err := svc.CreateActiveAccount(ctx, core.Registration{Login: p.Login, Password: DemoPassword, FullName: p.Name, Language: p.Language})
		if paraph.ErrorReason(err) == "login_taken" {
			return nil // seeded before
		}
		if err != nil {
			return fmt.Errorf("account %s: %w", p.Login, err)
		}
		_, tok, err := svc.Login(ctx, p.Login, DemoPassword, store.TokenBearer)
		if err != nil {
			return err
		}
		pr, err := svc.Authenticate(ctx, tok.Secret)
		if err != nil {
			return err
		}
		as[p.Login] = core.WithPrincipal(ctx, pr)
	}
	person := map[string]demoPerson{}
	phone := map[string]string{}
	for i, p := range demoPeople {
		person[p.Login] = p
		phone[p.Login] = fmt.Sprintf("+7900000%04d", i) // made up, unique
	}
	orgIDs := map[string]string{}
	for _, d := range demoOrgs {
		owner := as[d.Owner]
		o, err := svc.CreateOrganization(owner, d.Org)
		if err != nil {
			return fmt.Errorf("organization %s: %w", d.Org.Name, err)
		}
		orgIDs[d.Org.Name] = o.ID
		depts := map[string]string{}
		for _, dep := range d.Departments {
			created, err := svc.CreateDepartment(owner, o.ID, dep[0], depts[dep[1]])
			if err != nil {
				return fmt.Errorf("department %s: %w", dep[0], err)
			}
			depts[dep[0]] = created.ID
		}
		for _, m := range d.Members {
			p := person[m.Login]
			email, tel := m.Login, phone[m.Login]
			if strings.HasPrefix(m.Login, "+") { // a phone login: the phone finds the account
				email, tel = "lebedev@demo.paraph.local", m.Login
			}
			scope := "own"
			if m.Department == "" {
				scope = "all"
			}
			if _, err := svc.AddMember(owner, o.ID, core.MemberInput{FullName: p.Name, Email: email, Phone: tel,
				Role: m.Role, Position: m.Position, DepartmentID: depts[m.Department], AccessScope: scope}); err != nil {
				return fmt.Errorf("member %s of %s: %w", m.Login, d.Org.Name, err)
			}
		}
	}
	return seedDemoDocuments(ctx, svc, as, orgIDs, filepath.Join(dataDir, "demo-keys"))
}

func printDemo(w io.Writer, c *Config) {
	fmt.Fprintf(w, "\nParaph demo is running at %s\n", c.BaseURL)
	fmt.Fprintf(w, "Data: %s (delete it when done)\n", c.Data)
	fmt.Fprintf(w, "Dev mailbox (codes and links the server sends): %s/dev/mailbox\n\n", c.BaseURL)
	fmt.Fprintln(w, "Log in as (password for all: "+DemoPassword+"):")
	roles := map[string][]string{}
	for _, d := range demoOrgs {
		roles[d.Owner] = append(roles[d.Owner], "owner of "+d.Org.Name)
		for _, m := range d.Members {
			roles[m.Login] = append(roles[m.Login], m.Role+" in "+d.Org.Name)
		}
	}
	for _, p := range demoPeople {
		fmt.Fprintf(w, "  %-30s %s — %s\n", p.Login, p.Name, strings.Join(roles[p.Login], "; "))
	}
	fmt.Fprintf(w, "\nSigning keys of the demo people (certificate .pem + key .key, issued by a demo CA the instance trusts):\n  %s\n",
		filepath.Join(c.Data, "demo-keys"))
	fmt.Fprintln(w, "Documents wait at every step of the funnel; sign with: paraph login … && paraph sign DOC --cert X.pem --key X.key")
	fmt.Fprintf(w, "Act 104 is signed by both parties: its signed PDF checks at %s/verify, or offline with\n  paraph verify --trust %s --trust %s akt-104.signed.pdf\n",
		c.BaseURL, filepath.Join(c.Data, "seal", "root.pem"), filepath.Join(c.Data, "demo-keys", "demo-ca.pem"))
	fmt.Fprintln(w, "\nStop with Ctrl+C.")
}
