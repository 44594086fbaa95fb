package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"strings"

	"paraph"
	"paraph/internal/core"
)

// catalogs holds the UI's strings: language → key → text. Texts may hold
// {name} placeholders filled from the caller's name, value pairs.
type catalogs map[string]map[string]string

// loadCatalogs reads i18n/<lang>.json for every language Paraph speaks.
func loadCatalogs(fsys fs.FS) (catalogs, error) {
	c := catalogs{}
	for _, lang := range paraph.Languages {
		b, err := fs.ReadFile(fsys, "i18n/"+lang+".json")
		if err != nil {
			return nil, fmt.Errorf("catalog %s: %w", lang, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("catalog %s: %w", lang, err)
		}
		c[lang] = m
	}
	return c, nil
}

// has reports whether key exists (in English, the catalog the tests compare
// the others with).
func (c catalogs) has(key string) bool {
	_, ok := c["en"][key]
	return ok
}

// text translates key into lang, falling back to English and then to the
// key itself, so a missing string shows up on screen instead of a blank.
func (c catalogs) text(lang, key string, args ...any) string {
	s, ok := c[lang][key]
	if !ok {
		if s, ok = c["en"][key]; !ok {
			return key
		}
	}
	for i := 0; i+1 < len(args); i += 2 {
		s = strings.ReplaceAll(s, "{"+fmt.Sprint(args[i])+"}", fmt.Sprint(args[i+1]))
	}
	return s
}

// errorText translates an error for a person: by its Reason when the
// catalog knows it, else its safe English Message, else a generic text by
// its Code. Rate limits always say how long to wait.
func (c catalogs) errorText(lang string, err error) string {
	e := paraph.AsError(err)
	seconds := core.RetryAfter(e)
	if n := core.TriesLeft(e); e.Reason == "wrong_code" && n >= 0 {
		return c.text(lang, "reason.wrong_code_tries", "tries", n)
	}
	if key := "reason." + e.Reason; e.Reason != "" && c.has(key) {
		return c.text(lang, key, "seconds", seconds)
	}
	if e.Code == paraph.ETOOMANY {
		return c.text(lang, "code.rate_limited", "seconds", seconds)
	}
	if e.Message != "" && e.Code != paraph.EINTERNAL {
		return e.Message
	}
	if key := "code." + e.Code; c.has(key) {
		return c.text(lang, key)
	}
	return c.text(lang, "code.internal")
}

// chooseLanguage picks the page language: the switch's cookie, else the
// account's language, else the browser's (Accept-Language, as the server
// read it), else Russian.
func (w *Web) chooseLanguage(r *http.Request, p *core.Principal) string {
	if c, err := r.Cookie(langCookie); err == nil {
		if l := paraph.NormalizeLanguage(c.Value); l != "" {
			return l
		}
	}
	if p != nil {
		if l := paraph.NormalizeLanguage(p.Account.Language); l != "" {
			return l
		}
	}
	if l := paraph.NormalizeLanguage(core.ClientFrom(r.Context()).Language); l != "" {
		return l
	}
	return paraph.Languages[0]
}
