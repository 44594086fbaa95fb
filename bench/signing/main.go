// Command signing measures sustained qualified signing over real HTTP on
// loopback: each of -signers concurrent signers signs its own documents with
// the two-step flow (prepare, sign the attributes locally with ECDSA P-256,
// complete — the server assembles the CMS and verifies it fully: hash,
// chain, signer, authority). It reports signatures per second and the
// latency of one whole signature (prepare + complete). A whole server runs
// in this process on SQLite (temp dir) or PostgreSQL (-database
// postgres://…); it stops by itself.
//
//	go run ./bench/signing -database sqlite
//	go run ./bench/signing -database postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
package main

import (
	"bytes"
	"context"
	"crypto"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"paraph"
	"paraph/bench/benchkit"
	"paraph/client"
	"paraph/internal/blob"
	"paraph/internal/core"
	"paraph/internal/devpki"
	"paraph/internal/notify"
	"paraph/internal/server"
)

func main() {
	database := flag.String("database", "sqlite", `"sqlite" (temp dir) or a postgres:// URL where a database may be created`)
	signers := flag.Int("signers", 100, "concurrent signers")
	perSigner := flag.Int("docs", 40, "documents per signer")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the signing phase to this file")
	memprofile := flag.String("memprofile", "", "write a profile of the signing phase's allocations to this file")
	timeline := flag.Bool("timeline", false, "print the p50 and p99 of each second, by when the signature started")
	warmup := flag.Duration("warmup", time.Second, "signatures started this long after the start are figures of a cold server: reported apart")
	rate := flag.Int("rate", 0, "open loop: total signatures per second spread over the signers (0: each signer signs as fast as it can)")
	flag.Parse()
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "paraph-bench-")
	benchkit.Check(err)
	defer os.RemoveAll(dir)
	db, closeDB := benchkit.Store(ctx, *database)
	defer closeDB()
	blobs, err := blob.NewDir(filepath.Join(dir, "blobs"))
	benchkit.Check(err)
	off := core.RateLimit{Burst: -1}
	svc, err := core.New(ctx, db, paraph.SystemClock{}, slog.New(slog.DiscardHandler), core.Config{Blobs: blobs,
		LoginPerIP: off, LoginPerLogin: off, Password: core.PasswordParams{MemoryKiB: 1024, Time: 1, Threads: 1}})
	benchkit.Check(err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	benchkit.Check(err)
	base := "http://" + ln.Addr().String()
	srv, err := server.New(db, svc, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})), server.Options{BaseURL: base, Sender: notify.Discard{}})
	benchkit.Check(err)
	go http.Serve(ln, srv.Handler())
	// The audit chainer runs as in paraph serve: every second.
	chainCtx, stopChain := context.WithCancel(ctx)
	defer stopChain()
	go srv.ChainAudit(chainCtx)

	// Set up through the real use cases: an organization whose owner is the
	// instance admin and trusts the bench CA, and the signers with certificates.
	start := time.Now()
	as := func(login string) context.Context {
		c, _ := benchkit.LogIn(ctx, svc, login)
		return c
	}
	benchkit.SignUp(ctx, svc, "owner@bench.example", "Владелец")
	_, err = svc.SetInstanceAdmin(ctx, "owner@bench.example", true)
	benchkit.Check(err)
	owner := as("owner@bench.example")
	org, err := svc.CreateOrganization(owner, paraph.Organization{Kind: paraph.OrgLegal, Country: paraph.CountryRU, Name: "ООО «Скорость»",
		INN: "7712345671", KPP: "771201001", OGRN: "1027700123450"})
	benchkit.Check(err)
	ca, err := devpki.NewCA()
	benchkit.Check(err)
	_, err = svc.AddTrustRoot(owner, ca.RootPEM())
	benchkit.Check(err)
	type signer struct {
		token string
		cert  []byte
		key   crypto.Signer
		docs  []string
	}
	people := make([]*signer, *signers)
	for i := range people {
		login := fmt.Sprintf("signer%03d@bench.example", i)
		benchkit.SignUp(ctx, svc, login, fmt.Sprintf("Подписант %d", i))
		m, err := svc.AddMember(owner, org.ID, core.MemberInput{FullName: fmt.Sprintf("Подписант %d", i), Email: login,
			Phone: fmt.Sprintf("+7916%07d", i), Role: "signer", AccessScope: "all"})
		benchkit.Check(err)
		cert, key, err := ca.Issue(int64(1000+i), devpki.Identity{Name: fmt.Sprintf("Подписант %d", i), INNLE: org.INN, OGRN: org.OGRN})
		benchkit.Check(err)
		me, token := benchkit.LogIn(ctx, svc, login)
		_, err = svc.UploadCertificate(me, org.ID, m.ID, devpki.PEM(cert.Raw))
		benchkit.Check(err)
		p := &signer{token: token, cert: devpki.PEM(cert.Raw), key: key}
		for j := range *perSigner {
			d, err := svc.CreateDocument(owner, org.ID, paraph.DocumentMeta{Title: fmt.Sprintf("Акт %d-%d", i, j), Kind: "act"}, "",
				core.UploadedFile{Name: "act.pdf", Body: bytes.NewReader([]byte(fmt.Sprintf("%%PDF-1.4 act %d-%d", i, j)))})
			benchkit.Check(err)
			// A second stage that never signs keeps the document from
			// completing: the final PDF each completion makes is measured
			// by bench/finalpdf, not here.
			_, err = svc.SetRoute(owner, d.ID, []paraph.Stage{{Side: paraph.SideOwn, Signature: paraph.SigQualified, Signers: []paraph.Signer{{MemberID: m.ID}}},
				{Side: paraph.SideCounterparty, Signature: paraph.SigSimple, Signers: []paraph.Signer{{FullName: "Клиент", Email: "client@bench.example"}}}})
			benchkit.Check(err)
			_, err = svc.Send(owner, d.ID)
			benchkit.Check(err)
			p.docs = append(p.docs, d.ID)
		}
		people[i] = p
	}
	fmt.Printf("Paraph signing bench: %s, %d signers × %d documents set up in %s\n", db.Dialect(), *signers, *perSigner, time.Since(start).Round(time.Millisecond))

	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1000}}
	var mu sync.Mutex
	var lat, warm benchkit.Latencies // all, and those started after the warm-up
	bySecond := map[int]benchkit.Latencies{}
	var errs int
	var firstErr error
	var wg sync.WaitGroup
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		benchkit.Check(err)
		benchkit.Check(pprof.StartCPUProfile(f))
		defer pprof.StopCPUProfile()
	}
	if *memprofile != "" {
		runtime.MemProfileRate = 64 << 10
		defer func() {
			f, err := os.Create(*memprofile)
			benchkit.Check(err)
			benchkit.Check(pprof.Lookup("allocs").WriteTo(f, 0))
			f.Close()
		}()
	}
	cpu0 := measureCPU(ctx, db)
	start = time.Now()
	for _, p := range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, _ := client.New(base, p.token)
			c = c.WithHTTPClient(hc)
			// In the open loop each signer starts a signature on a fixed
			// schedule and latency counts from the scheduled moment, so a slow
			// answer is not hidden by the signer waiting for it.
			var every time.Duration
			if *rate > 0 {
				every = time.Duration(float64(time.Second) * float64(*signers) / float64(*rate))
			}
			offset := time.Duration(rand.Int64N(int64(every) + 1))
			for j, doc := range p.docs {
				t := time.Now()
				if every > 0 {
					t = start.Add(offset + time.Duration(j)*every)
					time.Sleep(time.Until(t))
				}
				res, err := c.SignDocument(ctx, doc, p.cert, p.key)
				d := time.Since(t)
				mu.Lock()
				if err != nil || res.Result != "passed" {
					errs++
					if firstErr == nil {
						firstErr = fmt.Errorf("%v %+v", err, res)
					}
				} else {
					lat = append(lat, d)
					if t.Sub(start) >= *warmup {
						warm = append(warm, d)
					}
					sec := int(t.Sub(start) / time.Second)
					bySecond[sec] = append(bySecond[sec], d)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu1 := measureCPU(ctx, db)
	mode := "closed loop"
	if *rate > 0 {
		mode = fmt.Sprintf("open loop at %d/s", *rate)
	}
	fmt.Printf("qualified signatures (prepare + complete), %s: %d in %s, errors %d\n", mode, len(lat), elapsed.Round(time.Millisecond), errs)
	fmt.Printf("  after the first %s (warm):  %s\n", *warmup, warm.Summary(elapsed-*warmup))
	fmt.Printf("  all, from a cold start:    %s\n", lat.Summary(elapsed))
	if n := float64(len(lat)); n > 0 {
		perSig := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / n }
		fmt.Printf("CPU per signature: %.2f ms in this process (server and load generator)", perSig(cpu1.self-cpu0.self))
		if cpu0.dbKnown && cpu1.dbKnown {
			fmt.Printf(", %.2f ms in PostgreSQL's backends", perSig(cpu1.db-cpu0.db))
		}
		fmt.Println()
	}
	if *timeline {
		for sec := 0; sec <= int(elapsed/time.Second); sec++ {
			l := benchkit.Latencies(bySecond[sec])
			fmt.Printf("  second %2d: %4d signatures   p50 %6.1f ms   p99 %6.1f ms\n", sec, len(l), l.Quantile(0.5), l.Quantile(0.99))
		}
	}
	if m := machineUse(cpu0, cpu1); m != "" {
		fmt.Println(m)
	}
	if firstErr != nil {
		fmt.Println("first error:", firstErr)
	}
}
