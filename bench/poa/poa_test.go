// Package poa_test measures parsing a typical machine-readable power of
// attorney (one representative, five powers). The target (issue 4): 2,000
// parses per second or more on one core — run with -cpu 1.
package poa_test

import (
	"testing"
	"time"

	"paraph/internal/poa"
	"paraph/internal/poa/poatest"
)

func benchmarkParse(b *testing.B, encoding string) {
	d := poatest.Default()
	d.Encoding = encoding
	data := d.XML()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		p, err := poa.Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		if s, _ := p.Status(now); s != poa.StatusActive {
			b.Fatal(s)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "parses/s")
}

func BenchmarkParse(b *testing.B)     { benchmarkParse(b, "UTF-8") }
func BenchmarkParse1251(b *testing.B) { benchmarkParse(b, "windows-1251") }
