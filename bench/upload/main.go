// Command upload measures blob.Dir.Put on a real file next to a plain SHA-256
// of the same file, so compare.sh can print both beside openssl dgst.
//
// Usage: go run ./bench/upload -file F [-dir D] [-n 3]
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"paraph/internal/blob"
)

func main() {
	file := flag.String("file", "", "file to store")
	dir := flag.String("dir", "", "where to put the blob stores (default: a temp dir next to -file)")
	n := flag.Int("n", 3, "rounds; the best is printed")
	flag.Parse()
	if *file == "" {
		log.Fatal("upload: -file is required")
	}
	fi, err := os.Stat(*file)
	if err != nil {
		log.Fatal(err)
	}
	if *dir == "" {
		*dir = filepath.Dir(*file)
	}
	size := float64(fi.Size())

	// best runs f n times; f returns how long its measured part took.
	best := func(f func() (time.Duration, string)) (time.Duration, string) {
		var b time.Duration
		var out string
		for i := 0; i < *n; i++ {
			var d time.Duration
			if d, out = f(); b == 0 || d < b {
				b = d
			}
		}
		return b, out
	}
	report := func(name string, d time.Duration, sum string) {
		fmt.Printf("%-34s %8.0f MB/s  %s\n", name, size/d.Seconds()/1e6, sum)
	}

	// The same work openssl dgst does: read and hash.
	d, sum := best(func() (time.Duration, string) {
		start := time.Now()
		f, err := os.Open(*file)
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.CopyBuffer(h, f, make([]byte, 1<<20)); err != nil {
			log.Fatal(err)
		}
		return time.Since(start), hex.EncodeToString(h.Sum(nil))
	})
	report("go sha256 (read+hash)", d, sum)

	// Put: read, hash, write to a temp file, fsync, rename. A fresh store
	// each round, or deduplication would skip the write; only Put is timed,
	// not the removal of the store after it (a gigabyte's extents to free).
	d, sum = best(func() (time.Duration, string) {
		root, err := os.MkdirTemp(*dir, "paraph-upload-bench-")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(root)
		s, err := blob.NewDir(root)
		if err != nil {
			log.Fatal(err)
		}
		start := time.Now()
		f, err := os.Open(*file)
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		sum, _, err := s.Put(context.Background(), f, 0)
		if err != nil {
			log.Fatal(err)
		}
		return time.Since(start), sum
	})
	report("go blob.Put (hash+write+fsync)", d, sum)
	fmt.Printf("%-34s %8s       %s\n", "peak RSS of this process", peakRSS(), "")
}

// peakRSS reads VmHWM: the most resident memory this process ever had.
func peakRSS() string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return "n/a"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "n/a"
}
