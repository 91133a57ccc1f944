package partnergraph_test

import (
	"testing"

	pg "partnergraph"
)

// TestHTTPStatus is the one table of HTTP statuses every transport answers
// refusals from.
func TestHTTPStatus(t *testing.T) {
	for _, c := range []struct {
		err  *pg.Error
		want int
	}{
		{pg.Errorf(pg.Unauthenticated, "x"), 401},
		{pg.Errorf(pg.Forbidden, "x"), 403},
		{pg.NotFoundf("x"), 404},
		// A record the input names that does not exist is bad input.
		{&pg.Error{Code: pg.NotFound, Field: "tierId", Message: "x"}, 422},
		{pg.InvalidField("email", "x"), 422},
		{pg.Errorf(pg.BusinessRule, "x"), 422},
		{pg.Errorf(pg.Conflict, "x"), 409},
		{pg.Errorf(pg.RateLimited, "x"), 429},
		{pg.Errorf(pg.Unavailable, "x"), 503},
		{pg.InternalError(nil), 500},
		{pg.Errorf("SOMETHING_ELSE", "x"), 500},
	} {
		if got := c.err.HTTPStatus(); got != c.want {
			t.Errorf("%s (field %q): %d, want %d", c.err.Code, c.err.Field, got, c.want)
		}
	}
}
