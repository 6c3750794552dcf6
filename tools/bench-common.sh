# shellcheck shell=bash
# Shared by tools/bench, tools/bench-adversarial and tools/bench-live
# (sourced, not run): the row format of the combined table and the helpers
# that fill it. A row is one line of tab-separated fields:
#
#   size  run  wall  peak-RSS  per-element  ratio  target  verdict
#
# appended to the file named by $BENCH_ROWS; tools/bench-table prints them
# as one table. Run on its own, each script sets BENCH_ROWS to a file of its
# own and prints its table at the end (bench_own_table). Figures are
# printed, never asserted: a verdict says "met" or "NOT met", and a script
# fails only when a run fails or gives a wrong result.

# bench_own_table DIR: when no driver collects the rows, keep them (and the
# notes, $BENCH_NOTES) in DIR, to be printed by bench_print_own.
bench_own_table() {
	bench_own=
	if [ -z "${BENCH_ROWS:-}" ]; then
		BENCH_ROWS=$1/rows
		BENCH_NOTES=$1/notes
		: >"$BENCH_ROWS"
		: >"$BENCH_NOTES"
		bench_own=1
	fi
	BENCH_NOTES=${BENCH_NOTES:-/dev/null}
	export BENCH_ROWS BENCH_NOTES
}

bench_print_own() {
	if [ -n "$bench_own" ]; then
		"$bench_tools/bench-table" "$BENCH_ROWS" "$BENCH_NOTES"
	fi
}

bench_tools=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# bench_row SIZE RUN WALL RSS PER RATIO TARGET VERDICT
bench_row() {
	local IFS=$'\t'
	printf '%s\n' "$*" >>"$BENCH_ROWS"
}

bench_note() { printf '%s\n' "$*" >>"$BENCH_NOTES"; }

# 1234567 -> 1,234,567
bench_int() {
	local s=$1 out=
	while [ ${#s} -gt 3 ]; do
		out=,${s: -3}$out
		s=${s:0:${#s}-3}
	done
	printf '%s' "$s$out"
}

# bench_calc EXPR [VAR=VALUE...]: awk arithmetic, printed as awk prints it
# (use sprintf in EXPR for a format).
bench_calc() {
	local expr=$1 args=()
	shift
	for a in "$@"; do args+=(-v "$a"); done
	awk "${args[@]}" "BEGIN { print ($expr) }"
}

bench_mb() { bench_calc 'k == "-" || k == "" ? "n/a" : sprintf("%.0f MB", k / 1024)' "k=$1"; }

# median of the first column of stdin (the middle value; the lower middle
# of an even count)
bench_median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'; }

# bench_verdict CONDITION-NAME=OK ...: "met" when every OK is 1, else
# "NOT met (names of the failed ones)".
bench_verdict() {
	local failed=() kv
	for kv in "$@"; do
		[ "${kv#*=}" = 1 ] || failed+=("${kv%=*}")
	done
	if [ ${#failed[@]} -eq 0 ]; then
		echo met
	else
		local list
		list=$(printf '%s, ' "${failed[@]}")
		echo "NOT met (${list%, })"
	fi
}

# bench_le A B: 1 when A <= B (numbers), else 0
bench_le() { bench_calc '(a + 0 <= b + 0) ? 1 : 0' "a=$1" "b=$2"; }
