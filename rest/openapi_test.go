package rest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"partnergraph/pgtest"
)

var (
	openAPIOnce sync.Once
	openAPI     validator.Validator
	openAPIErr  string
)

// loadOpenAPI builds a validator of rest/openapi.json, the document the
// server serves at /openapi.json.
func loadOpenAPI(t testing.TB) validator.Validator {
	t.Helper()
	openAPIOnce.Do(func() {
		spec, err := os.ReadFile("openapi.json")
		if err != nil {
			openAPIErr = err.Error()
			return
		}
		doc, err := libopenapi.NewDocument(spec)
		if err != nil {
			openAPIErr = err.Error()
			return
		}
		v, errs := validator.NewValidator(doc)
		if len(errs) > 0 {
			openAPIErr = errs[0].Error()
			return
		}
		openAPI = v
	})
	if openAPIErr != "" {
		t.Fatalf("openapi.json: %s", openAPIErr)
	}
	return openAPI
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	v := loadOpenAPI(t)
	if ok, errs := v.ValidateDocument(); !ok {
		for _, e := range errs {
			t.Errorf("%s: %s", e.Message, e.Reason)
		}
	}
	spec, _ := os.ReadFile("openapi.json")
	if !bytes.Contains(spec, []byte(`"openapi": "3.1.0"`)) {
		t.Fatal("the document must declare OpenAPI 3.1")
	}
}

// checkOpenAPI validates a response the shim gave against the document.
func checkOpenAPI(t testing.TB, method, path string, status int, header http.Header, body []byte) {
	t.Helper()
	if strings.HasPrefix(path, "/graphql") {
		return
	}
	v := loadOpenAPI(t)
	req := httptest.NewRequest(method, path, nil)
	resp := &http.Response{StatusCode: status, Header: header, Body: io.NopCloser(bytes.NewReader(body)), Request: req}
	if ok, errs := v.ValidateHttpResponse(req, resp); !ok {
		for _, e := range errs {
			t.Errorf("%s %s %d does not conform to openapi.json: %s (%s) %v", method, path, status, e.Message, e.Reason, e.SchemaValidationErrors)
		}
		t.FailNow()
	}
}

// TestOpenAPIDocumentAnswersByAccept fetches the document with the Accept
// headers clients send: JSON or a wildcard gets it, anything else a 406 in
// the documented error format (checked against the document by client.do).
func TestOpenAPIDocumentAnswersByAccept(t *testing.T) {
	c := client{env: pgtest.New(t, "sqlite"), t: t}
	for _, tc := range []struct {
		accept string
		status int
	}{
		{"", http.StatusOK},
		{"application/json", http.StatusOK},
		{"text/html, application/xhtml+xml, */*;q=0.8", http.StatusOK},
		{"application/*", http.StatusOK},
		{"text/html", http.StatusNotAcceptable},
		{"application/json;q=0, text/plain", http.StatusNotAcceptable},
		{"application/yaml", http.StatusNotAcceptable},
	} {
		var r response
		if tc.accept == "" {
			r = c.do("GET", "/openapi.json", "", "")
		} else {
			r = c.do("GET", "/openapi.json", "", "", "Accept", tc.accept)
		}
		if tc.status == http.StatusOK {
			r.expect(t, http.StatusOK, `"openapi": "3.1.0"`)
		} else {
			r.expect(t, tc.status, `"code":"BAD_USER_INPUT"`, "accept application/json")
		}
	}
}

// TestOpenAPIDocumentPassesRedocly lints the document with Redocly's
// recommended rules: no error and no warning. It runs where redocly is
// installed (npm install -g @redocly/cli, as .ci/run does);
// PARTNERGRAPH_TEST_REDOCLY=1 makes its absence a failure.
func TestOpenAPIDocumentPassesRedocly(t *testing.T) {
	bin, err := exec.LookPath("redocly")
	if err != nil {
		if os.Getenv("PARTNERGRAPH_TEST_REDOCLY") != "" {
			t.Fatal("PARTNERGRAPH_TEST_REDOCLY is set but redocly is not installed: npm install -g @redocly/cli")
		}
		t.Skip("redocly is not installed (npm install -g @redocly/cli): skipping the OpenAPI lint")
	}
	cmd := exec.Command(bin, "lint", "--format", "json", "openapi.json")
	// Offline: no usage report, no check for a newer version.
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true")
	out, err := cmd.Output()
	var report struct {
		Totals   struct{ Errors, Warnings int }
		Problems []struct {
			RuleID, Message string
		}
	}
	if jerr := json.Unmarshal(out, &report); jerr != nil {
		t.Fatalf("redocly lint: %v %v: %s", err, jerr, out)
	}
	for _, p := range report.Problems {
		t.Errorf("%s: %s", p.RuleID, p.Message)
	}
	if err != nil || report.Totals.Errors+report.Totals.Warnings > 0 {
		t.Fatalf("redocly lint: %v, %d errors, %d warnings", err, report.Totals.Errors, report.Totals.Warnings)
	}
}
