// Command verify measures the public verification of an uploaded file with
// its detached signature, over real HTTP on loopback: POST /api/v1/verify
// with a -size MiB file and its CMS signature (ECDSA P-256, a trusted
// chain), answered with the full report. A whole server runs in this
// process on SQLite in a temp dir, its seal made there; -cpus limits the Go
// scheduler (GOMAXPROCS) for client and server alike.
//
//	go run ./bench/verify -size 10 -n 50 -cpus 1
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"paraph"
	"paraph/bench/benchkit"
	"paraph/cades"
	"paraph/internal/blob"
	"paraph/internal/core"
	"paraph/internal/devpki"
	"paraph/internal/notify"
	"paraph/internal/seal"
	"paraph/internal/server"
)

func main() {
	sizeMiB := flag.Int("size", 10, "file size, MiB")
	n := flag.Int("n", 50, "verifications, one after another")
	cpus := flag.Int("cpus", runtime.GOMAXPROCS(0), "GOMAXPROCS")
	flag.Parse()
	runtime.GOMAXPROCS(*cpus)
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "paraph-bench-verify-")
	benchkit.Check(err)
	defer os.RemoveAll(dir)
	db, closeDB := benchkit.Store(ctx, "sqlite")
	defer closeDB()
	blobs, err := blob.NewDir(filepath.Join(dir, "blobs"))
	benchkit.Check(err)
	sealer, err := seal.Open(ctx, seal.Config{Dir: dir})
	benchkit.Check(err)
	off := core.RateLimit{Burst: -1}
	svc, err := core.New(ctx, db, paraph.SystemClock{}, slog.New(slog.DiscardHandler), core.Config{Blobs: blobs, Seal: sealer,
		LoginPerIP: off, LoginPerLogin: off, VerifyPerIP: off, MaxDocumentSize: int64(*sizeMiB+1) << 20,
		Password: core.PasswordParams{MemoryKiB: 1024, Time: 1, Threads: 1}})
	benchkit.Check(err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	benchkit.Check(err)
	base := "http://" + ln.Addr().String()
	srv, err := server.New(db, svc, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
		server.Options{BaseURL: base, Sender: notify.Discard{}})
	benchkit.Check(err)
	go http.Serve(ln, srv.Handler())

	// The signer's CA is trusted by the instance, as a qualified CA would be.
	benchkit.SignUp(ctx, svc, "admin@bench.example", "Администратор")
	_, err = svc.SetInstanceAdmin(ctx, "admin@bench.example", true)
	benchkit.Check(err)
	admin, _ := benchkit.LogIn(ctx, svc, "admin@bench.example")
	ca, err := devpki.NewCA()
	benchkit.Check(err)
	_, err = svc.AddTrustRoot(admin, ca.RootPEM())
	benchkit.Check(err)
	cert, key, err := ca.Issue(1001, devpki.Identity{Name: "Подписант Проверки"})
	benchkit.Check(err)
	file := make([]byte, *sizeMiB<<20)
	rand.Read(file)
	sig, err := cades.Sign(bytes.NewReader(file), cert, key, cades.SignOptions{})
	benchkit.Check(err)

	hc := &http.Client{}
	once := func() (time.Duration, error) {
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		go func() {
			w, _ := mw.CreateFormFile("file", "big.bin")
			w.Write(file)
			w, _ = mw.CreateFormFile("signature", "big.bin.sig")
			w.Write(sig)
			pw.CloseWithError(mw.Close())
		}()
		req, _ := http.NewRequest("POST", base+"/api/v1/verify", pr)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		start := time.Now()
		res, err := hc.Do(req)
		if err != nil {
			return 0, err
		}
		defer res.Body.Close()
		var rep struct {
			Result string `json:"result"`
		}
		if err := json.NewDecoder(res.Body).Decode(&rep); err != nil {
			return 0, err
		}
		d := time.Since(start)
		if res.StatusCode != 200 || rep.Result != "passed" {
			return 0, fmt.Errorf("status %d, result %q", res.StatusCode, rep.Result)
		}
		return d, nil
	}
	if _, err := once(); err != nil { // warm-up, and a check that it passes
		benchkit.Check(err)
	}
	var lat benchkit.Latencies
	start := time.Now()
	for range *n {
		d, err := once()
		benchkit.Check(err)
		lat = append(lat, d)
	}
	fmt.Printf("Paraph verify bench: POST /api/v1/verify, %d MiB file + CMS signature (ECDSA P-256, trusted chain), GOMAXPROCS=%d, %d in a row\n",
		*sizeMiB, *cpus, *n)
	fmt.Println(lat.Summary(time.Since(start)))
}
