package blob

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestFileWriterCached: on a file system that refuses O_DIRECT the writer
// goes through the page cache (and starts writeback every writebackEvery);
// the file must hold the same bytes. The test forces that path, since the
// test's own disk may well take O_DIRECT; and the direct one, where it does.
func TestFileWriterCached(t *testing.T) {
	for _, direct := range []bool{false, true} {
		f, err := os.Create(filepath.Join(t.TempDir(), "f"))
		if err != nil {
			t.Fatal(err)
		}
		w := newFileWriter(f)
		if !direct {
			w.buffered()
		}
		var want []byte
		for i, n := range []int{bufSize, bufSize, bufSize, bufSize, 12345} {
			p := alignedBuf(n)
			for j := range p {
				p[j] = byte(i + j)
			}
			if err := w.write(p); err != nil {
				t.Fatal(err)
			}
			want = append(want, p...)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("direct %v: file holds %d bytes, want the %d written", direct, len(got), len(want))
		}
	}
}
