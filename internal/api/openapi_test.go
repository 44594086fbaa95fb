package api_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"paraph/internal/api"
)

// Every route the API serves is in the OpenAPI document, and the document
// describes no route that does not exist.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPIDocument(), &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	served := map[string]bool{}
	for _, r := range api.Routes() {
		served[r[0]+" "+r[1]] = true
	}
	var missing, extra []string
	for k := range served {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !served[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("served but not in openapi.json: %v", missing)
	}
	if len(extra) > 0 {
		t.Errorf("in openapi.json but not served: %v", extra)
	}
}

func TestSafePathHidesSigningTokens(t *testing.T) {
	for in, want := range map[string]string{
		"/s/ppl_secret":                   "/s/…",
		"/s/ppl_secret/file":              "/s/…/file",
		"/api/v1/signing/ppl_secret/sign": "/api/v1/signing/…/sign",
		"/api/v1/me":                      "/api/v1/me",
	} {
		if got := api.SafePath(in); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}
