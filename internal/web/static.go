package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"time"
)

// asset is one embedded static file with its content hash. Pages link to
// /static/<name>?v=<hash>: a new build changes the URL, so browsers may keep
// a file for a year without ever showing a stale one.
type asset struct {
	body  []byte
	hash  string
	ctype string
}

func loadStatic(fsys fs.FS) (map[string]*asset, error) {
	names, err := fs.Glob(fsys, "static/*")
	if err != nil {
		return nil, err
	}
	out := map[string]*asset{}
	for _, file := range names {
		b, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("static %s: %w", file, err)
		}
		sum := sha256.Sum256(b)
		ctype := mime.TypeByExtension(path.Ext(file))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		out[path.Base(file)] = &asset{body: b, hash: hex.EncodeToString(sum[:8]), ctype: ctype}
	}
	return out, nil
}

func (w *Web) serveStatic(rw http.ResponseWriter, r *http.Request) {
	a := w.static[r.PathValue("name")]
	if a == nil {
		w.wrap(anyone, w.notFound).ServeHTTP(rw, r)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("ETag", `"`+a.hash+`"`)
	if r.URL.Query().Get("v") == a.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache") // revalidate by ETag
	}
	http.ServeContent(rw, r, "", time.Time{}, bytes.NewReader(a.body))
}
