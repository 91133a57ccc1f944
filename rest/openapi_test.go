package rest_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
)

var (
	openAPIOnce sync.Once
	openAPI     validator.Validator
	openAPIErr  string
)

// loadOpenAPI builds a validator of rest/openapi.json, the document the
// server serves at /openapi.json.
func loadOpenAPI(t *testing.T) validator.Validator {
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
func checkOpenAPI(t *testing.T, method, path string, status int, header http.Header, body []byte) {
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
