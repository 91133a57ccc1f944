# Reads go test -json events (slurped); prints each reason tests were
# skipped for, with how many, then the totals line.
(map(select(.Action == "skip" and .Test)) | map({key: (.Package + " " + .Test), value: true}) | from_entries) as $skipped
| (map(select(.Action == "output" and .Test and $skipped[.Package + " " + .Test]
      and (.Output | test("^\\s+\\S+\\.go:[0-9]+: "))))
   | group_by(.Package + " " + .Test)
   | map(last.Output | sub("^\\s+\\S+\\.go:[0-9]+: "; "") | rtrimstr("\n"))
   | group_by(.) | map("  \(length) × \(.[0])")) as $reasons
| (if ($reasons | length) > 0 then "Skipped, by reason:" else "Nothing skipped." end),
  $reasons[],
  "",
  "tests: \(map(select(.Action == "pass" and .Test)) | length) passed, \(map(select(.Action == "fail" and .Test)) | length) failed, \(map(select(.Action == "skip" and .Test)) | length) skipped"
