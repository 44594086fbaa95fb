// Command cades measures the server's side of qualified signing with
// package cades, sustained, with concurrent signers: Prepare, Assemble
// (which verifies the client's value) and Parse+Verify of the result, for
// ECDSA P-256 over a small document. The clients' signing is done in the
// same goroutines but not counted in the latency. Issue 5 needs 500
// signatures per second including the database, so this part should be
// far above that.
//
//	go run ./bench/cades -duration 10s -signers 100
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"flag"
	"fmt"
	"log"
	"math/big"
	"runtime"
	"slices"
	"sync"
	"time"

	"paraph/cades"
)

func main() {
	duration := flag.Duration("duration", 10*time.Second, "how long to run")
	signers := flag.Int("signers", 100, "concurrent signers")
	flag.Parse()

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	check(err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bench signer"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	check(err)
	cert, err := x509.ParseCertificate(der)
	check(err)
	digest := sha256.Sum256([]byte("Акт выполненных работ № 1"))

	var mu sync.Mutex
	var latencies []time.Duration
	deadline := time.Now().Add(*duration)
	var wg sync.WaitGroup
	for range *signers {
		wg.Go(func() {
			var mine []time.Duration
			for time.Now().Before(deadline) {
				t0 := time.Now()
				p, err := cades.Prepare(cert, digest[:], time.Now())
				check(err)
				server := time.Since(t0)
				value, err := cades.SignPrepared(p, key, cades.SignOptions{}) // the client
				check(err)
				t1 := time.Now()
				sig, err := cades.Assemble(p, cert, nil, value)
				check(err)
				sd, err := cades.Parse(sig)
				check(err)
				if r := sd.VerifyDigest(cades.SHA256, digest[:]); r[0].Indication != cades.Passed {
					log.Fatal(r[0].Err)
				}
				mine = append(mine, server+time.Since(t1))
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(latencies)
	n := len(latencies)
	var total time.Duration
	for _, l := range latencies {
		total += l
	}
	fmt.Printf("cades two-step ECDSA P-256, %d signers, %v, GOMAXPROCS %d\n", *signers, *duration, runtime.GOMAXPROCS(0))
	fmt.Printf("signatures: %d (%.0f/s including the clients' signing)\n", n, float64(n)/duration.Seconds())
	fmt.Printf("server part (prepare+assemble+verify), wall clock: mean %v\n", total/time.Duration(max(n, 1)))
	fmt.Printf("latency p50 %v p99 %v (with %d goroutines sharing the cores)\n", latencies[n/2], latencies[n*99/100], *signers)
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
