package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// bufSize is one copy buffer: large enough that the per-call overhead of
// read, hash and write disappears next to SHA-256 itself (SHA-NI hashes a
// MiB in well under a millisecond), small enough to keep two per upload.
const bufSize = 1 << 20

// writebackEvery is how much written data the writer lets pile up before
// asking the kernel to start writing it to disk, so the fsync at the end
// waits for the last few MiB rather than the whole file.
const writebackEvery = 8 << 20

// staleTemp is how old a temp file must be before NewDir removes it: older
// than any upload in progress, so only a crash's leftovers go.
const staleTemp = 24 * time.Hour

// Dir is a Store on the local disk: root/ab/cd/<sum>. A blob is written to a
// temp file in root/tmp, fsync'ed, then renamed into place, so a crash leaves
// either the whole blob or no blob — never a truncated file under a hash.
type Dir struct {
	root string
	bufs sync.Pool
}

var _ Store = (*Dir)(nil)

// NewDir opens (creating if needed) a blob directory. Files are 0600 and
// directories 0700: documents are for Paraph's process alone.
func NewDir(root string) (*Dir, error) {
	if root == "" {
		return nil, errors.New("blob: empty root directory")
	}
	root = filepath.Clean(root)
	if err := os.MkdirAll(filepath.Join(root, "tmp"), 0o700); err != nil {
		return nil, fmt.Errorf("blob: create %s: %w", root, err)
	}
	d := &Dir{root: root}
	d.bufs.New = func() any { return &[2][]byte{make([]byte, bufSize), make([]byte, bufSize)} }
	if err := d.removeStaleTemp(time.Now().Add(-staleTemp)); err != nil {
		return nil, err
	}
	return d, nil
}

// Root returns the directory the store lives in.
func (d *Dir) Root() string { return d.root }

func (d *Dir) path(sum string) string {
	return filepath.Join(d.root, sum[0:2], sum[2:4], sum)
}

// Put implements Store.
func (d *Dir) Put(ctx context.Context, r io.Reader, max int64) (sum string, size int64, err error) {
	if max < 0 {
		return "", 0, fmt.Errorf("blob: negative size cap %d", max)
	}
	if err := ctx.Err(); err != nil {
		return "", 0, fmt.Errorf("blob: put: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Join(d.root, "tmp"), "put-*")
	if err != nil {
		return "", 0, fmt.Errorf("blob: put: %w", err)
	}
	// Until the rename succeeds the temp file is ours to remove: on any
	// error (cap, empty, reader failure, cancellation, full disk) nothing
	// is left behind.
	renamed := false
	defer func() {
		if !renamed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()

	size, sum, err = d.stream(ctx, r, max, tmp)
	if err != nil {
		return "", 0, err
	}

	final := d.path(sum)
	if _, err := os.Stat(final); err == nil {
		return sum, size, nil // stored before: the bytes under a hash never change
	}
	// The data must be on disk before the name points at it, or a crash
	// could leave a complete name over incomplete bytes.
	if err := tmp.Sync(); err != nil {
		return "", 0, fmt.Errorf("blob: put: sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", 0, fmt.Errorf("blob: put: close: %w", err)
	}
	dir := filepath.Dir(final)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", 0, fmt.Errorf("blob: put: %w", err)
	}
	// Two uploads of the same bytes may race here; rename is atomic and both
	// files hold the same bytes, so whichever lands last is as good.
	if err := os.Rename(tmp.Name(), final); err != nil {
		return "", 0, fmt.Errorf("blob: put: rename: %w", err)
	}
	renamed = true
	if err := syncDir(dir); err != nil {
		return "", 0, err
	}
	return sum, size, nil
}

// Open implements Store. The returned *os.File reads the immutable blob; the
// caller closes it.
func (d *Dir) Open(ctx context.Context, sum string) (io.ReadSeekCloser, int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, fmt.Errorf("blob: open: %w", err)
	}
	if !validSum(sum) {
		return nil, 0, fmt.Errorf("blob: open %q: malformed sum: %w", sum, ErrNotFound)
	}
	f, err := os.Open(d.path(sum))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, fmt.Errorf("blob: open %s: %w", sum, ErrNotFound)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("blob: open %s: %w", sum, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("blob: open %s: %w", sum, err)
	}
	return f, fi.Size(), nil
}

// Exists implements Store. A malformed sum is simply not stored.
func (d *Dir) Exists(ctx context.Context, sum string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("blob: exists: %w", err)
	}
	if !validSum(sum) {
		return false, nil
	}
	_, err := os.Stat(d.path(sum))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	default:
		return false, fmt.Errorf("blob: exists %s: %w", sum, err)
	}
}

// syncDir makes a rename in dir durable: on Linux the new directory entry
// survives a power loss only once the directory itself is fsync'ed.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("blob: sync dir: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("blob: sync dir: %w", err)
	}
	return nil
}

// removeStaleTemp deletes temp files left by a crash mid-upload.
func (d *Dir) removeStaleTemp(before time.Time) error {
	tmpDir := filepath.Join(d.root, "tmp")
	entries, err := os.ReadDir(tmpDir)
	if err != nil {
		return fmt.Errorf("blob: read %s: %w", tmpDir, err)
	}
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() || fi.ModTime().After(before) {
			continue
		}
		if err := os.Remove(filepath.Join(tmpDir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("blob: remove stale temp: %w", err)
		}
	}
	return nil
}

type chunk struct {
	buf []byte
	n   int
}

// stream copies r into tmp while hashing it, with the hashing and the disk
// writes on two goroutines over two buffers: the caller's goroutine reads
// and hashes one buffer while the writer writes the other. Sequentially an
// upload costs hash + write; overlapped it costs the larger of the two.
// (A plain io.Copy would also hand the work to the file's ReadFrom —
// sendfile/splice — bypassing both the hash and the cap.)
func (d *Dir) stream(ctx context.Context, r io.Reader, max int64, tmp *os.File) (size int64, sum string, err error) {
	bufs := d.bufs.Get().(*[2][]byte)
	free := make(chan []byte, 2)
	free <- bufs[0]
	free <- bufs[1]
	work := make(chan chunk, 1)
	failed := make(chan struct{}) // closed by the writer on its first error
	var werr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		var written, kicked int64
		for c := range work {
			if werr == nil {
				if _, err := tmp.Write(c.buf[:c.n]); err != nil {
					werr = fmt.Errorf("blob: put: write: %w", err)
					close(failed)
				} else if written += int64(c.n); written-kicked >= writebackEvery {
					startWriteback(tmp, kicked, written-kicked)
					kicked = written
				}
			}
			free <- c.buf
		}
	}()
	// The buffers go back to the pool only once the writer is done with them.
	defer func() {
		close(work)
		<-done
		if err == nil {
			err = werr
		}
		d.bufs.Put(bufs)
	}()

	h := sha256.New()
	for {
		if err := ctx.Err(); err != nil {
			return 0, "", fmt.Errorf("blob: put: %w", err)
		}
		var buf []byte
		select {
		case buf = <-free:
		case <-failed:
			return 0, "", nil // the deferred func reports werr
		}
		n, rerr := io.ReadFull(r, buf)
		if n > 0 {
			size += int64(n)
			if max > 0 && size > max {
				return 0, "", ErrTooLarge
			}
			h.Write(buf[:n])
			work <- chunk{buf, n}
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return 0, "", fmt.Errorf("blob: put: read: %w", rerr)
		}
	}
	if size == 0 {
		return 0, "", ErrEmpty
	}
	return size, hex.EncodeToString(h.Sum(nil)), nil
}
