# shellcheck shell=bash disable=SC2034  # settings used by the scripts that source this file
# Shared settings of the Samba AD DC test harness (sourced by start, stop,
# populate, dump and selftest; not run on its own).
#
# One private DC per directory: every path Samba writes (pid, lock, state,
# cache, private, ncalrpc, winbindd socket, log) lives under $SAMBA_DIR, so
# it never collides with a system samba or with another instance.

SAMBA_HARNESS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SAMBA_TOP=$(cd "$SAMBA_HARNESS/../.." && pwd)

SAMBA_REALM=CORP.EXAMPLE.TEST
SAMBA_DNSDOMAIN=corp.example.test
SAMBA_NETBIOS=CORP
SAMBA_HOSTNAME=dc1
SAMBA_HOST=dc1.corp.example.test
SAMBA_DOMAIN_DN=DC=corp,DC=example,DC=test
SAMBA_ADMIN_UPN=Administrator@corp.example.test
SAMBA_AUDITOR=auditor
SAMBA_AUDITOR_PRINCIPAL=auditor@CORP.EXAMPLE.TEST
# The domain partition's own TDB, opened raw (without Samba's modules) by
# populate for the one attribute the modules refuse to take: whenChanged.
SAMBA_PARTITION_FILE="DC=CORP,DC=EXAMPLE,DC=TEST.ldb"
# Debian's python: it sees python3-samba and friends.
PY=/usr/bin/python3

# samba_dir [DIR]: the instance directory, absolute.
samba_dir() {
	local d=${1:-${PRIVAUDIT_SAMBA_DIR:-$SAMBA_TOP/build/samba}}
	mkdir -p "$d"
	(cd "$d" && pwd)
}

# The /etc/hosts line of the instance in DIR: the marker names the
# directory, so stop removes exactly the line its start added.
hosts_marker() {
	printf '# privaudit-samba-test %s' "$1"
}

hosts_add() {
	local dir=$1 marker
	marker=$(hosts_marker "$dir")
	grep -qxF "127.0.0.1 $SAMBA_HOST $SAMBA_HOSTNAME $marker" /etc/hosts &&
		return 0
	printf '127.0.0.1 %s %s %s\n' "$SAMBA_HOST" "$SAMBA_HOSTNAME" \
		"$marker" >>/etc/hosts
}

hosts_remove() {
	local dir=$1 marker tmp
	marker=$(hosts_marker "$dir")
	grep -qF "$marker" /etc/hosts || return 0
	tmp=$(mktemp)
	grep -vxF "127.0.0.1 $SAMBA_HOST $SAMBA_HOSTNAME $marker" /etc/hosts >"$tmp" || true
	# Rewrite in place (not rename): /etc/hosts may be a bind mount.
	cat "$tmp" >/etc/hosts
	rm -f "$tmp"
}

# samba_pid DIR: the PID of this instance's samba if it is running, else
# nothing. The PID file is trusted only when that process runs the samba
# binary and its standard output is this instance's log (start redirects
# it there): samba rewrites its command line ("samba: root process"), so
# the command line cannot tell one instance from another.
samba_pid() {
	local dir=$1 pid exe out
	[ -s "$dir/samba.pid" ] || return 0
	pid=$(cat "$dir/samba.pid")
	case $pid in '' | *[!0-9]*) return 0 ;; esac
	exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 0
	[ "$(basename "$exe")" = samba ] || return 0
	out=$(readlink "/proc/$pid/fd/1" 2>/dev/null) || return 0
	[ "$out" = "$dir/log/samba.out" ] || return 0
	printf '%s\n' "$pid"
}

# A random password that satisfies AD complexity (upper, lower, digit,
# symbol) and has no characters that need quoting anywhere.
random_password() {
	printf 'Aa1-%s' "$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')"
}

die() {
	printf '%s: %s\n' "$(basename "$0")" "$*" >&2
	exit 1
}

need_tools() {
	local t missing=
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
	done
	[ -z "$missing" ] ||
		die "missing:$missing (run tools/install-deps-test as root)"
}
