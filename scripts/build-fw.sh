#!/bin/sh
# Build the firmware (firmware/) for one generated configuration with a
# network linked in: Debian's gcc-riscv64-unknown-elf and picolibc, the
# configuration's generated linker script and register header.
# Usage: scripts/build-fw.sh RTL_DIR NAME IMAGE INPUTS OUT.elf [LABELS]
#        scripts/build-fw.sh RTL_DIR NAME --selftest OUT.elf   (firmware/selftest/)
#        scripts/build-fw.sh RTL_DIR NAME --cryptest BLOB KEYFILE OUT.elf   (firmware/cryptest/)
# LABELS: the inputs' Fashion-MNIST labels, a byte each: the firmware prints
# each image's class and the chip's answer by name.
set -eu
rtl=$1 name=$2 image=$3
top=$(cd "$(dirname "$0")/.." && pwd)
cc() {
	riscv64-unknown-elf-gcc -march=rv32im -mabi=ilp32 -misa-spec=2.2 --specs=picolibc.specs -nostartfiles \
		-O2 -g -std=c11 -Wall -Wextra -Werror -T "$rtl/${name}_soc.ld" -I "$top/firmware" -I "$rtl" \
		-DSOC_REGS_H="\"${name}_regs.h\"" -DSOC_PARAMS_H="\"${name}_params.h\"" "$@"
}
# --cryptest BLOB KEYFILE OUT.elf: firmware/cryptest/ with imnpu-golden
# crypt-windows' windows and their keys linked in (docs/crypt.md)
if [ "$image" = --cryptest ]; then
	blob=$4 key=$5 out=$6
	for f in "$blob" "$key"; do
		[ -f "$f" ] || { echo "build-fw: error: $f: no such file" >&2; exit 2; }
	done
	mkdir -p "$(dirname "$out")"
	cc -DCRYPT_BLOB="\"$(cd "$(dirname "$blob")" && pwd)/$(basename "$blob")\"" \
		-DKEY_FILE="\"$(cd "$(dirname "$key")" && pwd)/$(basename "$key")\"" \
		"$top/firmware/start.S" "$top/firmware/cryptest/blob.S" "$top/firmware/trap.c" "$top/firmware/console.c" \
		"$top/firmware/npu.c" "$top/firmware/cryptest/cryptest.c" -o "$out.tmp"
	mv "$out.tmp" "$out"
	exit 0
fi
if [ "$image" = --selftest ]; then
	out=$4
	mkdir -p "$(dirname "$out")"
	cc "$top/firmware/start.S" "$top/firmware/console.c" "$top/firmware/selftest/selftest.c" -o "$out.tmp"
	mv "$out.tmp" "$out"
	exit 0
fi
inputs=$4 out=$5 labels=${6:-}
abs() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd)" "$(basename "$1")"); }
for f in "$rtl/${name}_soc.ld" "$rtl/${name}_regs.h" "$image" "$inputs" ${labels:+"$labels"}; do
	[ -f "$f" ] || { echo "build-fw: error: $f: no such file" >&2; exit 2; }
done
mkdir -p "$(dirname "$out")"
# KEY=FILE: an encrypted image's key file, loaded before the image; DEBUG_READ=1:
# readback stays open (DEBUG before the keys); DIGEST=1: print a digest of the
# tiles' state before and after the load (docs/crypt.md).
key=${KEY:-}
[ -z "$key" ] || [ -f "$key" ] || { echo "build-fw: error: KEY=$key: no such file" >&2; exit 2; }
cc -DIMAGE_FILE="\"$(abs "$image")\"" -DINPUTS_FILE="\"$(abs "$inputs")\"" \
	${labels:+-DLABELS_FILE="\"$(abs "$labels")\""} ${key:+-DKEY_FILE="\"$(abs "$key")\""} \
	${DEBUG_READ:+-DDEBUG_READ} ${DIGEST:+-DDIGEST} \
	"$top/firmware/start.S" "$top/firmware/blob.S" "$top/firmware/trap.c" "$top/firmware/console.c" \
	"$top/firmware/npu.c" "$top/firmware/main.c" -o "$out.tmp"
mv "$out.tmp" "$out"
