// Command cades measures the server's side of qualified signing with
// package cades, sustained, with concurrent signers, as core does it for
// one signature of the two-step flow: the stored certificate parsed
// (pki.Parse, at prepare, at complete and when the signer is bound),
// Prepare at both steps, Assemble (which verifies the client's value) and
// verify.Detached of the result against a trust store, for ECDSA P-256
// over a small document. The clients' signing is done in the same
// goroutines but not counted in the latency. Issue 5 needs 500 signatures
// per second including the database, so this part should be far above
// that.
//
//	go run ./bench/cades -duration 10s -signers 100
package main

import (
	"bytes"
	"context"
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
	"syscall"
	"time"

	"paraph/cades"
	"paraph/internal/verify"
	"paraph/pki"
)

func main() {
	duration := flag.Duration("duration", 10*time.Second, "how long to run")
	signers := flag.Int("signers", 100, "concurrent signers")
	cached := flag.Bool("cache", false, "parse certificates through a pki.Cache and keep a cades.SignatureCache, as core can")
	flag.Parse()

	rootKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	check(err)
	rootTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bench root CA", Organization: []string{"Paraph bench"}, Country: []string{"RU"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, IsCA: true, BasicConstraintsValid: true,
	}
	rootDER, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, &rootKey.PublicKey, rootKey)
	check(err)
	roots, err := pki.Parse(rootDER)
	check(err)
	trust := pki.NewTrustStore()
	check(trust.AddRoot(roots[0]))

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	check(err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject: pkix.Name{CommonName: "Тестов Пётр Сергеевич", Organization: []string{`ООО "Ромашка-Тест"`},
			Locality: []string{"Москва"}, Province: []string{"77 г. Москва"}, StreetAddress: []string{"ул. Тестовая, д. 1"}, Country: []string{"RU"}},
		EmailAddresses: []string{"petr.testov@example.com"},
		NotBefore:      time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment, BasicConstraintsValid: true,
	}
	stored, err := x509.CreateCertificate(rand.Reader, tmpl, rootTmpl, &key.PublicKey, rootKey)
	check(err)
	doc := []byte("Акт выполненных работ № 1")
	digest := sha256.Sum256(doc)
	var cache *pki.Cache
	var sigs *cades.SignatureCache
	parseFunc := pki.Parse
	if *cached {
		cache, sigs = pki.NewCache(1024), cades.NewSignatureCache(1024)
		parseFunc = cache.Parse
	}
	parse := func() *pki.Certificate {
		certs, err := parseFunc(stored)
		check(err)
		return certs[0]
	}
	ctx := context.Background()

	var mu sync.Mutex
	var latencies []time.Duration
	cpu0 := processCPU()
	deadline := time.Now().Add(*duration)
	var wg sync.WaitGroup
	for range *signers {
		wg.Go(func() {
			var mine []time.Duration
			for time.Now().Before(deadline) {
				at := time.Now()
				t0 := time.Now()
				p, err := cades.Prepare(parse().X509, digest[:], at)
				check(err)
				server := time.Since(t0)
				value, err := cades.SignPrepared(p, key, cades.SignOptions{}) // the client
				check(err)
				t1 := time.Now()
				cert := parse()
				parse()
				p, err = cades.Prepare(cert.X509, digest[:], at)
				check(err)
				sig, err := cades.AssembleWith(p, cert.X509, nil, value, cades.AssembleOptions{Signatures: sigs})
				check(err)
				rep, err := verify.Detached(ctx, bytes.NewReader(doc), sig, trust, verify.Options{Certificates: cache, Signatures: sigs})
				check(err)
				if rep.Result != verify.Passed {
					log.Fatal(rep.Signatures[0].Message)
				}
				mine = append(mine, server+time.Since(t1))
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	cpu := processCPU() - cpu0
	slices.Sort(latencies)
	n := len(latencies)
	var total time.Duration
	for _, l := range latencies {
		total += l
	}
	fmt.Printf("cades two-step ECDSA P-256, %d signers, %v, GOMAXPROCS %d, parse cache %v\n", *signers, *duration, runtime.GOMAXPROCS(0), *cached)
	fmt.Printf("signatures: %d (%.0f/s including the clients' signing)\n", n, float64(n)/duration.Seconds())
	fmt.Printf("server part (parse, prepare twice, assemble, verify), wall clock: mean %v\n", total/time.Duration(max(n, 1)))
	fmt.Printf("process CPU per signature (clients' signing included): %v\n", cpu/time.Duration(max(n, 1)))
	fmt.Printf("latency p50 %v p99 %v (with %d goroutines sharing the cores)\n", latencies[n/2], latencies[n*99/100], *signers)
}

// processCPU is the CPU time the process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	check(syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
