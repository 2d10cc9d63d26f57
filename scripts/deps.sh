#!/bin/sh
# Install, with apt-get and only when missing, the Debian packages a group of
# targets needs.  Usage: scripts/deps.sh GROUP...   (groups: core riscv synth waves bench all)
# Every make target that needs a tool reaches it through here; nothing
# installed by hand is relied on.
set -eu

pkgs_core="build-essential pkg-config ccache tcl8.6-dev verilator zlib1g-dev libcmocka-dev nettle-dev libjansson-dev"
# The firmware and the assembly tests: Debian's bare-metal RISC-V toolchain and picolibc.
pkgs_riscv="gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf picolibc-riscv64-unknown-elf"
pkgs_synth="yosys"
pkgs_waves="gtkwave"
pkgs_bench="gnuplot-nox"

want=""
for g in "$@"; do
	case "$g" in
	core)  want="$want $pkgs_core" ;;
	riscv) want="$want $pkgs_riscv" ;;
	synth) want="$want $pkgs_synth" ;;
	waves) want="$want $pkgs_waves" ;;
	bench) want="$want $pkgs_bench" ;;
	all)   want="$want $pkgs_core $pkgs_riscv $pkgs_synth $pkgs_waves $pkgs_bench" ;;
	*) echo "scripts/deps.sh: unknown group '$g' (allowed: core riscv synth waves bench all)" >&2; exit 2 ;;
	esac
done

missing=""
for p in $want; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing"
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
