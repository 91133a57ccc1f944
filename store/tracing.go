package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"

	"github.com/XSAM/otelsql"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"
)

// opener opens a database/sql handle on a driver's connector.
type opener func(driver.Connector) *sql.DB

// opener opens handles plainly, or, with a TracerProvider, through otelsql:
// every statement, transaction begin and commit is a span, a child of the
// span of the context it was sent with (the operation's, or a loader
// batch's, a webhook delivery's). Statements carry their text, whose values
// are all bound arguments, never recorded. Statements sent outside any trace
// (the dispatcher's polling, migrations) make no spans: each would be a
// trace of its own, every second. Rows, session resets and prepares make no
// spans either: they would only repeat their statement's.
func (o Options) opener(system string) opener {
	if o.TracerProvider == nil {
		return sql.OpenDB
	}
	opts := []otelsql.Option{
		otelsql.WithTracerProvider(o.TracerProvider),
		otelsql.WithMeterProvider(noop.NewMeterProvider()),
		otelsql.WithAttributes(attribute.String("db.system.name", system)),
		otelsql.WithSpanNameFormatter(statementSpanName),
		otelsql.WithSpanOptions(otelsql.SpanOptions{
			DisableErrSkip: true, OmitConnResetSession: true, OmitRows: true, OmitConnPrepare: true,
			SpanFilter: func(ctx context.Context, _ otelsql.Method, _ string, _ []driver.NamedValue) bool {
				return trace.SpanContextFromContext(ctx).IsValid()
			},
		}),
	}
	return func(c driver.Connector) *sql.DB { return otelsql.OpenDB(c, opts...) }
}

// statementSpanName names a statement's span by its first keyword (SELECT,
// INSERT, WITH, SAVEPOINT …), as OpenTelemetry's database conventions ask
// for a name of low cardinality; other calls keep otelsql's method name.
func statementSpanName(_ context.Context, method otelsql.Method, query string) string {
	if query == "" {
		return string(method)
	}
	word, _, _ := strings.Cut(strings.TrimSpace(query), " ")
	return strings.ToUpper(word)
}
