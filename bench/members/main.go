// Command members measures the members list of one organization with 10,000
// members over real HTTP on loopback: the first page, a name search, a phone
// search, a department filter and blocked members included, each with its
// p50/p99. It runs a whole server in this process on SQLite (temp dir) or
// PostgreSQL (-database postgres://…), and stops by itself.
//
//	go run ./bench/members -database sqlite
//	go run ./bench/members -database postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib"

	"paraph"
	"paraph/bench/benchkit"
	"paraph/internal/core"
	"paraph/internal/notify"
	"paraph/internal/server"
	"paraph/internal/store"
)

var (
	firstNames = []string{"Иван", "Пётр", "Анна", "Мария", "Олена", "Тарас", "Сергей", "Ольга", "Дмитрий", "Ірина", "Алесь", "Наталья"}
	lastNames  = []string{"Смирнов", "Коваленко", "Волкова", "Кузнецова", "Бондар", "Мельник", "Жук", "Лебедев", "Орлова", "Шевченко", "Попов", "Новикова"}
)

func main() {
	database := flag.String("database", "sqlite", `"sqlite" (temp dir) or a postgres:// URL of a server where a database may be created`)
	members := flag.Int("members", 10000, "members in the organization")
	clients := flag.Int("clients", 8, "concurrent clients")
	duration := flag.Duration("duration", 5*time.Second, "length of each query's run")
	flag.Parse()

	ctx := context.Background()
	db, closeDB := benchkit.Store(ctx, *database)
	defer closeDB()
	svc, err := core.New(ctx, db, paraph.SystemClock{}, slog.New(slog.DiscardHandler), core.Config{})
	benchkit.Check(err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	benchkit.Check(err)
	base := "http://" + ln.Addr().String()
	srv, err := server.New(db, svc, slog.New(slog.DiscardHandler), server.Options{BaseURL: base, Sender: notify.Discard{}})
	benchkit.Check(err)
	go http.Serve(ln, srv.Handler())

	// The owner, through the real use cases.
	benchkit.SignUp(ctx, svc, "owner@bench.example", "Владелец")
	octx, token := benchkit.LogIn(ctx, svc, "owner@bench.example")
	org, depts := benchkit.Organization(octx, svc, "ООО «Большая»")

	// The crowd, in one transaction straight through the store (adding them
	// one by one through core works too, but takes minutes, not seconds).
	start := time.Now()
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Now().UTC()
	benchkit.Check(db.Write(ctx, func(tx *store.Tx) error {
		for i := range *members {
			a := &store.AccountRecord{Account: paraph.Account{ID: uuid.Must(uuid.NewV7()).String(),
				FullName: fmt.Sprintf("%s %s %d", lastNames[rng.IntN(len(lastNames))], firstNames[rng.IntN(len(firstNames))], i),
				Email:    fmt.Sprintf("person%05d@bench.example", i), Phone: fmt.Sprintf("+7916%07d", i),
				Language: "ru", Status: paraph.AccountActive, CreatedAt: now}, PasswordChangedAt: now}
			if err := tx.CreateAccount(ctx, a); err != nil {
				return err
			}
			status := paraph.MemberActive
			if i%20 == 0 {
				status = paraph.MemberBlocked
			}
			if err := tx.CreateMember(ctx, &paraph.Member{ID: uuid.Must(uuid.NewV7()).String(), OrgID: org.ID, AccountID: a.ID,
				Role: paraph.RoleEmployee, Status: status, DepartmentID: depts[i%len(depts)], AccessScope: paraph.ScopeOwn, CreatedAt: now}); err != nil {
				return err
			}
		}
		return nil
	}))
	if db.Dialect() == store.Postgres {
		// Autovacuum analyzes a table this much changed within a minute or
		// so; do it now so the planner sees the real table, not an empty one.
		_, err := db.SQL().ExecContext(ctx, "ANALYZE")
		benchkit.Check(err)
	}
	fmt.Printf("Paraph members bench: %s, %d members seeded in %s, %d clients\n", db.Dialect(), *members, time.Since(start).Round(time.Millisecond), *clients)

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 100}}
	path := "/api/v1/orgs/" + org.ID + "/members"
	// The cursor of page 50, to measure deep pages too.
	deep := ""
	for range 50 {
		var page struct {
			Next string `json:"next_cursor"`
		}
		get(client, token, base+path+"?limit=50&cursor="+url.QueryEscape(deep), &page)
		deep = page.Next
	}
	for _, q := range []struct{ name, query string }{
		{"first page (50)", "?limit=50"},
		{"page 51 by cursor", "?limit=50&cursor=" + url.QueryEscape(deep)},
		{"search name «коваленко»", "?q=" + url.QueryEscape("коваленко")},
		{"search phone 79160012", "?q=79160012"},
		{"search email person09", "?q=person09"},
		{"department filter", "?department_id=" + depts[2]},
		{"with blocked, role", "?blocked=true&role=employee"},
	} {
		res := benchkit.Closed(*clients, *duration, func(int, int) error { return get(client, token, base+path+q.query, nil) })
		res.Print(q.name, *clients)
	}
}

func get(c *http.Client, token, u string, into any) error {
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	if into != nil {
		return json.NewDecoder(resp.Body).Decode(into)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}
