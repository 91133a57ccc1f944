package main

import (
	"io"
	"log/slog"
)

// newLogger writes JSON log lines at level and above. Durations are
// written as Go writes them, with their unit ("12.5ms", "1m30s"): slog's
// JSON handler would write bare nanoseconds.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: durationWithUnit}))
}

func durationWithUnit(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		a.Value = slog.StringValue(a.Value.Duration().String())
	}
	return a
}
