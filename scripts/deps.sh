#!/bin/sh
# Install, with apt-get and only when missing, the Debian packages a group of
# targets needs.
# Usage: scripts/deps.sh GROUP...         install what the groups miss
#        scripts/deps.sh --list GROUP...  print the groups' packages, one a line
# Groups: core riscv synth fpga waves bench data train fuzz all.  Every make target that needs a
# tool reaches it through here; nothing installed by hand is relied on.
#
# Why a lock: `make -j2` (the Makefile's default) starts order-only
# prerequisites such as deps-core and deps-riscv at the same time, another
# make or another clone may be installing too, and apt takes a machine-wide
# lock that a second apt-get fails on at once ("Could not get lock").  So
# the whole check-and-install runs under flock(1) on one machine-wide file:
# a second caller waits, then checks again what is missing (the first may
# have installed it) and installs only the rest.  At most one apt-get of
# ours runs at a time, however make schedules the deps targets.  Outside
# our own callers (unattended-upgrades, a user's apt), apt-get waits for
# dpkg's lock (DPkg::Lock::Timeout) instead of failing.
set -eu

# parallel (GNU): the test that spreads a --list of cases over slots (docs/sim-speed.md).
pkgs_core="build-essential pkg-config ccache tcl8.6-dev verilator zlib1g-dev libcmocka-dev nettle-dev libjansson-dev parallel"
# The firmware and the assembly tests: Debian's bare-metal RISC-V toolchain and picolibc.
pkgs_riscv="gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf picolibc-riscv64-unknown-elf"
# The readers of the language claim and the flows: Yosys, Icarus Verilog, and
# PyYAML for the test that parses the FuseSoC cores.
pkgs_synth="yosys iverilog python3-yaml"
pkgs_fpga="nextpnr-ice40 fpga-icestorm"
pkgs_waves="gtkwave"
pkgs_bench="gnuplot-nox"
# make fuzz: clang with libFuzzer and the sanitizers' runtimes.
pkgs_fuzz="clang libclang-rt-14-dev"
# Real data: Fashion-MNIST's four IDX files (docs/fashion.md).
pkgs_data="dataset-fashion-mnist"
# Training the shipped networks (make train): Debian's PyTorch and NumPy.
pkgs_train="python3-torch python3-numpy"
all_groups="core riscv synth fpga waves bench data train fuzz"

me=scripts/deps.sh
list=0
if [ "${1:-}" = --list ]; then
	list=1
	shift
fi
[ $# -gt 0 ] || { echo "$me: error: no group given (allowed: $all_groups all)" >&2; exit 2; }

groups=""
for g in "$@"; do
	case "$g" in
	core | riscv | synth | fpga | waves | bench | data | train | fuzz) groups="$groups $g" ;;
	all) groups="$groups $all_groups" ;;
	*) echo "$me: error: unknown group '$g' (allowed: $all_groups all)" >&2; exit 2 ;;
	esac
done

# each group once, in the order given
groups=$(for g in $groups; do echo "$g"; done | awk '!seen[$0]++' | tr '\n' ' ')

# group_pkgs GROUP: the group's packages
group_pkgs() { eval "echo \$pkgs_$1"; }

if [ $list = 1 ]; then
	for g in $groups; do group_pkgs "$g"; done | tr ' ' '\n' | sed '/^$/d'
	exit 0
fi

# missing_pkgs: the wanted packages dpkg does not report installed, as
# "GROUP:PACKAGE" words
missing_pkgs() {
	for g in $groups; do
		for p in $(group_pkgs "$g"); do
			st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
			[ "$st" = installed ] || printf ' %s:%s' "$g" "$p"
		done
	done
}

# The quick answer, without the lock, when nothing is missing (every make
# target calls this).
[ -n "$(missing_pkgs)" ] || exit 0

lock=${IMNPU_DEPS_LOCK:-${TMPDIR:-/tmp}/imnpu-deps.lock}
exec 9>>"$lock"
if ! flock -n 9; then
	echo "deps: waiting for another scripts/deps.sh to finish (lock $lock)"
fi
if ! flock -w 1800 9; then
	echo "$me: error: waited 30 minutes for $lock (another scripts/deps.sh); retry with 'make deps'" >&2
	exit 1
fi

missing=$(missing_pkgs)
[ -n "$missing" ] || exit 0
pkgs=$(for w in $missing; do printf ' %s' "${w#*:}"; done)
# the groups that miss something, each named once
ngroups=$(for w in $missing; do echo "${w%%:*}"; done | uniq | tr '\n' ' ' | sed 's/ $//')
case "$ngroups" in *" "*) gword=groups ;; *) gword=group ;; esac

if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp "${TMPDIR:-/tmp}/imnpu-deps.XXXXXX")
trap 'rm -f "$log"' EXIT

# fail STEP: apt's last lines, then one line naming the groups, the packages
# and how to retry; packages apt could not find are named.
fail() {
	echo "$me: apt-get $1 failed; its last lines:" >&2
	tail -n 15 "$log" | sed 's/^/    /' >&2
	notfound=$(sed -n 's/.*Unable to locate package \([^ ]*\).*/\1/p; s/.*Package \([^ ]*\) has no installation candidate.*/\1/p' "$log" |
		sort -u | tr '\n' ' ' | sed 's/ $//')
	echo "$me: error: could not install $gword $ngroups (packages:$pkgs)${notfound:+; apt cannot find: $notfound}; retry with 'make deps'" >&2
	exit 1
}

# One `apt-get update` a machine: the package lists are fetched again only
# when the last update of ours is older than a day.
stamp=$lock.updated
echo "deps: installing$pkgs ($gword $ngroups)"
if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
	$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq >"$log" 2>&1 || fail update
	touch "$stamp"
fi
# shellcheck disable=SC2086
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $pkgs >"$log" 2>&1 || fail install
