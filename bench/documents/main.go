// Command documents measures the funnel and the first page of a box of one
// organization with a million documents, through the use cases (no HTTP),
// on SQLite (temp dir) or PostgreSQL (-database postgres://…). The documents
// are inserted with plain SQL in batches (creating a million through the
// use cases would take an hour), spread over departments, states and
// dates; the running counts are rebuilt from them. It stops by itself.
//
//	go run ./bench/documents -database sqlite
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"

	"paraph"
	"paraph/bench/benchkit"
	"paraph/internal/blob"
	"paraph/internal/core"
	"paraph/internal/store"
)

func main() {
	database := flag.String("database", "sqlite", `"sqlite" (temp dir) or a postgres:// URL where a database may be created`)
	total := flag.Int("documents", 1_000_000, "documents in the organization")
	runs := flag.Int("runs", 300, "measured calls of each kind")
	flag.Parse()
	ctx := context.Background()
	db, closeDB := benchkit.Store(ctx, *database)
	defer closeDB()
	dir, _ := os.MkdirTemp("", "paraph-bench-blobs-")
	defer os.RemoveAll(dir)
	blobs, err := blob.NewDir(filepath.Join(dir, "blobs"))
	benchkit.Check(err)
	svc, err := core.New(ctx, db, paraph.SystemClock{}, slog.New(slog.DiscardHandler), core.Config{Blobs: blobs,
		Password: core.PasswordParams{MemoryKiB: 1024, Time: 1, Threads: 1}})
	benchkit.Check(err)
	benchkit.SignUp(ctx, svc, "owner@bench.example", "Владелец")
	owner, _ := benchkit.LogIn(ctx, svc, "owner@bench.example")
	org, depts := benchkit.Organization(owner, svc, "ООО «Миллион»")
	members, err := svc.Members(owner, core.MemberQuery{OrgID: org.ID})
	benchkit.Check(err)
	author := members.Members[0].ID

	start := time.Now()
	rng := rand.New(rand.NewPCG(7, 9))
	states := []struct{ state, step string }{{"draft", "draft"}, {"in_progress", "waiting_us"}, {"in_progress", "waiting_counterparty"},
		{"completed", "completed"}, {"completed", "completed"}, {"completed", "completed"}, {"declined", "declined_or_revoked"}, {"revoked", "declined_or_revoked"}}
	base := time.Now().UTC().AddDate(-3, 0, 0)
	const batch = 500
	for done := 0; done < *total; done += batch {
		n := min(batch, *total-done)
		var sb strings.Builder
		args := make([]any, 0, n*9)
		sb.WriteString(`INSERT INTO documents (id, org_id, author_member_id, department_id, title, kind, number, file_name, content_type,
			sha256, size, state, step, search_text, created_at, updated_at) VALUES `)
		for i := range n {
			st := states[rng.IntN(len(states))]
			at := base.Add(time.Duration(done+i) * 90 * time.Second)
			k := len(args)
			if i > 0 {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "($%d, $%d, $%d, $%d, $%d, 'act', $%d, 'act.pdf', 'application/pdf', 'e3b0c442', 1000, $%d, $%d, $%d, $%d, $%d)",
				k+1, k+2, k+3, k+4, k+5, k+6, k+7, k+8, k+9, k+10, k+10)
			num := fmt.Sprint(done + i)
			title := "Акт № " + num
			args = append(args, uuid.Must(uuid.NewV7()).String(), org.ID, author, depts[(done+i)%len(depts)], title, num,
				st.state, st.step, strings.ToLower(title+" "+num), at)
		}
		_, err := db.SQL().ExecContext(ctx, sb.String(), args...)
		benchkit.Check(err)
	}
	// The running counts, as the use cases would have kept them.
	_, err = db.SQL().ExecContext(ctx, `DELETE FROM document_counts WHERE org_id = $1`, org.ID)
	benchkit.Check(err)
	_, err = db.SQL().ExecContext(ctx, `INSERT INTO document_counts (org_id, department_id, step, n)
		SELECT org_id, COALESCE(department_id, ''), step, COUNT(*) FROM documents WHERE org_id = $1 GROUP BY org_id, COALESCE(department_id, ''), step`, org.ID)
	benchkit.Check(err)
	if db.Dialect() == store.Postgres {
		_, err = db.SQL().ExecContext(ctx, "ANALYZE")
		benchkit.Check(err)
	}
	fmt.Printf("Paraph documents bench: %s, %d documents inserted in %s\n", db.Dialect(), *total, time.Since(start).Round(time.Second))

	measure := func(name string, fn func() error) {
		var lat benchkit.Latencies
		t0 := time.Now()
		for range *runs {
			t := time.Now()
			benchkit.Check(fn())
			lat = append(lat, time.Since(t))
		}
		fmt.Printf("%-36s %s\n", name, lat.Summary(time.Since(t0)))
	}
	measure("funnel counts + 50 waiting", func() error { _, err := svc.DocumentFunnel(owner, org.ID); return err })
	measure("outgoing box, first page (50)", func() error {
		_, _, err := svc.Documents(owner, org.ID, core.DocumentQuery{Box: "outgoing", Limit: 50})
		return err
	})
	measure("drafts box, first page (50)", func() error {
		_, _, err := svc.Documents(owner, org.ID, core.DocumentQuery{Box: "drafts", Limit: 50})
		return err
	})
	measure("completed, first page (50)", func() error {
		_, _, err := svc.Documents(owner, org.ID, core.DocumentQuery{Box: "outgoing", State: "completed", Limit: 50})
		return err
	})
}
