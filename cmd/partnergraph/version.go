package main

import (
	"fmt"
	"io"
	"runtime/debug"
)

// version describes this binary from the build information the Go
// toolchain stamps into it (runtime/debug.ReadBuildInfo): the module's
// version, the version control revision and time of the checkout it was
// built from, and whether that checkout had uncommitted changes. `go run`
// and builds outside a checkout carry no revision, and say so.
func version(info *debug.BuildInfo, ok bool) string {
	if !ok {
		return "partnergraph: no build information"
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	s := fmt.Sprintf("partnergraph %s", info.Main.Version)
	if rev := settings["vcs.revision"]; rev != "" {
		s += " revision " + rev
		if t := settings["vcs.time"]; t != "" {
			s += " (" + t + ")"
		}
		if settings["vcs.modified"] == "true" {
			s += " with uncommitted changes"
		}
	} else {
		s += " revision unknown (built without version control information)"
	}
	return s + ", " + info.GoVersion
}

func printVersion(stdout io.Writer) {
	fmt.Fprintln(stdout, version(debug.ReadBuildInfo()))
}
