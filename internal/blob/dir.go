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
	"syscall"
	"time"
	"unsafe"
)

// The upload pipeline's buffers: bufCount of bufSize each per upload in
// progress (8 MiB), so one buffer can be read into, one hashed, one written
// and one wait, each step on its own goroutine. Large, so a direct write is
// one big request to the disk and the per-chunk handoffs cost nothing; not
// larger: measured on 2 cores (a 1 GiB API upload), 1 and 2 MiB buffers
// cost the server less CPU (1.2-1.3 s against 1.4-1.5 s) and upload faster
// than 4 or 8 MiB ones (likely: a larger buffer has left the cache by the
// time it is hashed).
const (
	bufSize  = 2 << 20
	bufCount = 4
)

// directAlign is what O_DIRECT needs the buffers, lengths and offsets to be a
// multiple of: the device's logical block, 4 KiB at most on common disks.
const directAlign = 4096

// writebackEvery is, when the file system refuses O_DIRECT, how much written
// data the writer lets pile up in the page cache before asking the kernel to
// start writing it to disk, so the fsync at the end waits for the last few
// MiB rather than the whole file.
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
	d.bufs.New = func() any { b := alignedBuf(bufSize); return &b }
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

// stream copies r into tmp while hashing it, as a pipeline over bufCount
// buffers: the caller's goroutine reads the next buffer (and enforces the
// cap), a second hashes the one before, a third writes the one before that.
// On 2 cores the reading (a copy out of the socket), the hashing (one core at
// most: SHA-256 is sequential) and the writing overlap instead of adding up.
// (A plain io.Copy would also hand the work to the file's ReadFrom —
// sendfile/splice — bypassing both the hash and the cap.)
func (d *Dir) stream(ctx context.Context, r io.Reader, max int64, tmp *os.File) (size int64, sum string, err error) {
	// Buffers are taken from the pool only as the reader outruns the
	// hasher and the writer: a slow client's upload, whose every buffer
	// is hashed and written before the next one fills, holds one or two.
	var held [bufCount]*[]byte
	taken := 0
	free := make(chan []byte, bufCount)
	toHash := make(chan []byte, bufCount)
	toWrite := make(chan []byte, bufCount)
	failed := make(chan struct{}) // closed by the writer on its first error
	h := sha256.New()
	go func() {
		for c := range toHash {
			h.Write(c)
			toWrite <- c
		}
		close(toWrite)
	}()
	w := newFileWriter(tmp)
	var werr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		for c := range toWrite {
			if werr == nil {
				if werr = w.write(c); werr != nil {
					close(failed)
				}
			}
			free <- c[:cap(c)]
		}
	}()
	// finish stops both goroutines and waits for them; after it the hash is
	// complete and the buffers are free to go back to the pool.
	finished := false
	finish := func() error {
		if !finished {
			finished = true
			close(toHash)
			<-done
			for _, b := range held[:taken] {
				d.bufs.Put(b)
			}
		}
		return werr
	}
	defer finish()

	for {
		if err := ctx.Err(); err != nil {
			return 0, "", fmt.Errorf("blob: put: %w", err)
		}
		var buf []byte
		select {
		case buf = <-free:
		case <-failed:
			return 0, "", finish()
		default:
			if taken < bufCount {
				held[taken] = d.bufs.Get().(*[]byte)
				buf = *held[taken]
				taken++
				break
			}
			select {
			case buf = <-free:
			case <-failed:
				return 0, "", finish()
			}
		}
		// Full buffers: every chunk but the last is a multiple of
		// directAlign, as O_DIRECT needs.
		n, rerr := io.ReadFull(r, buf)
		if n > 0 {
			size += int64(n)
			if max > 0 && size > max {
				return 0, "", ErrTooLarge
			}
			toHash <- buf[:n]
		} else {
			free <- buf
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return 0, "", fmt.Errorf("blob: put: read: %w", rerr)
		}
	}
	if err := finish(); err != nil {
		return 0, "", err
	}
	// Cancelled while the last buffer filled: not kept either.
	if err := ctx.Err(); err != nil {
		return 0, "", fmt.Errorf("blob: put: %w", err)
	}
	if size == 0 {
		return 0, "", ErrEmpty
	}
	return size, hex.EncodeToString(h.Sum(nil)), nil
}

// alignedBuf returns n bytes starting at a multiple of directAlign. Go
// allocates buffers this large on page boundaries already; the padding is for
// a runtime that would not.
func alignedBuf(n int) []byte {
	if b := make([]byte, n); uintptr(unsafe.Pointer(&b[0]))%directAlign == 0 {
		return b
	}
	b := make([]byte, n+directAlign)
	off := directAlign - int(uintptr(unsafe.Pointer(&b[0]))%directAlign)
	return b[off : off+n : off+n]
}

// fileWriter writes the temp file front to back. Where the file system
// allows, it bypasses the page cache (O_DIRECT): the disk reads the pipeline's
// buffers itself, so the server neither copies each byte into the page cache
// (on a VM, into pages the host must first hand over: the upload's costliest
// step in the profile) nor leaves a gigabyte of dirty pages for the fsync to
// wait on. The fsync before the rename still makes the blob durable: O_DIRECT
// skips the cache, not the disk's own write cache nor the file's metadata.
type fileWriter struct {
	f       *os.File
	off     int64
	direct  bool
	started int64 // buffered: written up to here was handed to writeback
}

func newFileWriter(f *os.File) *fileWriter {
	return &fileWriter{f: f, direct: setDirect(f, true) == nil}
}

func (w *fileWriter) write(p []byte) error {
	if w.direct && len(p)%directAlign != 0 {
		w.buffered() // the unaligned tail goes through the page cache
	}
	_, err := w.f.WriteAt(p, w.off)
	if err != nil && w.direct && errors.Is(err, syscall.EINVAL) {
		// The file system took O_DIRECT but refuses this write (an
		// alignment it needs larger than ours): write it cached. At the
		// same offset, so a partial write is simply written again.
		w.buffered()
		_, err = w.f.WriteAt(p, w.off)
	}
	if err != nil {
		return fmt.Errorf("blob: put: write: %w", err)
	}
	w.off += int64(len(p))
	if !w.direct && w.off-w.started >= writebackEvery {
		startWriteback(w.f, w.started, w.off-w.started)
		w.started = w.off
	}
	return nil
}

// buffered turns O_DIRECT off for the rest of the file.
func (w *fileWriter) buffered() {
	if err := setDirect(w.f, false); err == nil {
		w.direct = false
		w.started = w.off
	}
}
