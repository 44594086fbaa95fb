package gost

import "testing"

func BenchmarkStreebog256(b *testing.B) {
	buf := make([]byte, 8192)
	h := NewStreebog256()
	b.SetBytes(int64(len(buf)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.Reset()
		h.Write(buf)
		h.Sum(nil)
	}
}

func BenchmarkStreebog512(b *testing.B) {
	buf := make([]byte, 8192)
	h := NewStreebog512()
	b.SetBytes(int64(len(buf)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.Reset()
		h.Write(buf)
		h.Sum(nil)
	}
}
