#!/bin/sh
# make area: Yosys synthesis of every generated unit, on its own, for generic
# cells and for the iCE40, ECP5 and Xilinx 7-series libraries, for tiny and
# tile256 with the fpga crossbar macro (tile -macro fpga); writes OUT.md
# (docs/area.md) and OUT.csv beside it.
#
# Each module is synthesized with the modules it instantiates read as black
# boxes (read_verilog -lib), so a run counts the module's own cells and the
# instances of its children; a unit's total is its own cells plus its
# children's totals times their instances, and the SoC's is the top's.
#   generic: synth up to `fine`, memories kept as $mem cells (their bits
#            counted: an ASIC flow's SRAM macros), then techmap and abc
#   ice40:   synth_ice40 (no -dsp: Yosys 0.23's ice40_dsp asserts on the LDPU)
#   ecp5:    synth_ecp5
#   xilinx:  synth_xilinx (xc7)
# The SoC's two SRAMs (riscv -imem_kb, -dmem_kb) are kept out of the FPGA
# columns, which would spend their LUTs on 128 KiB: they are counted as memory
# bits in the generic column only.
# Usage: scripts/area.sh IMNPU_GEN OUT.md
#        AREA_WORK=DIR AREA_REUSE=1 scripts/area.sh IMNPU_GEN OUT.md
#            (the page again from DIR's runs, no synthesis)
#        scripts/area.sh --one RTLDIR NAME MODULE TARGET OUTDIR   (one run)
set -eu

if [ "${1:-}" = --one ]; then
	dir=$2 name=$3 mod=$4 target=$5 out=$6
	libs=$(sed -e '/^\/\//d' -e '/^$/d' "$dir/$name.f" | grep -vx "${name}_$mod.v" | sed "s|^|$dir/|" | tr '\n' ' ')
	case $target in
	generic) synth="synth -top ${name}_$mod -run :fine; opt -fast -full; techmap; opt -fast; abc -fast; opt -fast" ;;
	ice40) synth="synth_ice40 -top ${name}_$mod" ;;
	ecp5) synth="synth_ecp5 -top ${name}_$mod" ;;
	xilinx) synth="synth_xilinx -top ${name}_$mod" ;;
	*) echo "area: error: target '$target' (allowed: generic ice40 ecp5 xilinx)" >&2; exit 2 ;;
	esac
	t0=$(date +%s.%N)
	if ! yosys -q -p "read_verilog $dir/${name}_$mod.v; read_verilog -lib $libs; $synth; tee -q -o $out/$mod.$target.stat stat" \
		>"$out/$mod.$target.log" 2>&1; then
		echo "area: error: yosys failed on ${name}_$mod ($target); log $out/$mod.$target.log:" >&2
		tail -n 15 "$out/$mod.$target.log" >&2
		exit 1
	fi
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", b - a }' >"$out/$mod.$target.time"
	exit 0
fi

gen=$1 md=$2
csv=${md%.md}.csv
top=$(cd "$(dirname "$0")/.." && pwd)
# AREA_WORK: keep the runs' logs and statistics there (make area: build/area)
reuse=0
if [ -n "${AREA_WORK:-}" ]; then
	tmp=$AREA_WORK
	if [ "${AREA_REUSE:-0}" = 1 ] && [ -f "$tmp/wall" ]; then
		reuse=1
	else
		rm -rf "$tmp"
		mkdir -p "$tmp"
	fi
else
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
fi
targets="generic ice40 ecp5 xilinx"
cfgs="tiny tile256"
for c in $cfgs; do
	printf 'source configs/%s.tcl\nchip -name %s\ntile -macro fpga\n' "$c" "$c" >"$tmp/$c.tcl"
	"$gen" -o "$tmp/$c" "$tmp/$c.tcl" >/dev/null
	mkdir -p "$tmp/out/$c"
	# modules in the .f's order (leaves first)
	sed -e '/^\/\//d' -e '/^$/d' -e "s/^${c}_//" -e 's/\.v$//' "$tmp/$c/$c.f" >"$tmp/$c.mods"
done
# every run, two at a time
for c in $cfgs; do
	for m in $(cat "$tmp/$c.mods"); do
		for t in $targets; do
			case $t in generic) ;; *) [ "$m" = sram ] && continue ;; esac
			printf '%s %s %s %s %s\n' "$tmp/$c" "$c" "$m" "$t" "$tmp/out/$c"
		done
	done
done >"$tmp/jobs"
if [ $reuse = 0 ]; then
	start=$(date +%s)
	# shellcheck disable=SC2016 # expanded by the inner shell
	xargs -P 2 -L 1 sh -c '"$0" --one "$@"' "$top/scripts/area.sh" <"$tmp/jobs"
	echo $(($(date +%s) - start)) >"$tmp/wall"
fi
wall=$(cat "$tmp/wall")

# The CSV: config, module, target, then own counts: cells lut ff bram dsp
# membits, the synthesis seconds, then child=count pairs.
for c in $cfgs; do
	for t in $targets; do
		for m in $(cat "$tmp/$c.mods"); do
			f=$tmp/out/$c/$m.$t.stat
			[ -f "$f" ] || continue
			awk -v c="$c" -v m="$m" -v t="$t" -v pre="${c}_" -v secs="$(cat "$tmp/out/$c/$m.$t.time")" '
			/Number of cells:/ { on = 1; next }
			on && NF == 2 && $2 ~ /^[0-9]+$/ {
				ty = $1; n = $2
				if (index(ty, pre) == 1) { kids = kids sprintf(" %s=%d", substr(ty, length(pre) + 1), n); next }
				cells += n
				if (t == "generic") {
					if (ty ~ /^\$_(S?DFF|DFFE|SDFFE|SDFFCE|DLATCH|ALDFF)/) ff += n
				} else if (t == "ice40") {
					if (ty == "SB_LUT4") lut += n
					else if (ty ~ /^SB_DFF/) ff += n
					else if (ty ~ /^SB_RAM40/) bram += n
					else if (ty == "SB_MAC16") dsp += n
				} else if (t == "ecp5") {
					if (ty == "LUT4") lut += n
					else if (ty == "CCU2C") lut += 2 * n
					else if (ty == "TRELLIS_DPR16X4") lut += 4 * n
					else if (ty == "TRELLIS_FF") ff += n
					else if (ty ~ /^(DP16KD|PDPW16KD)$/) bram += n
					else if (ty ~ /^(MULT18X18D|ALU54B)$/) dsp += n
				} else {
					if (ty ~ /^LUT[1-6]$/) lut += n
					else if (ty ~ /^RAM(32|64|128|256)/) lut += n
					else if (ty ~ /^FD[RSCP]E?$/) ff += n
					else if (ty == "RAMB18E1") bram += n
					else if (ty == "RAMB36E1") bram += 2 * n
					else if (ty ~ /^DSP48/) dsp += n
				}
			}
			on && /^$/ && cells > 0 { on = 0 }
			END { printf "%s,%s,%s,%d,%d,%d,%d,%d,%d,%s,%s\n", c, m, t, cells, lut, ff, bram, dsp, 0, secs, kids }' "$f"
		done
	done
done >"$tmp/own.csv"
# memory bits: what `proc; memory -nomap` infers in each module (scripts/memories.sh)
for c in $cfgs; do
	for m in $(cat "$tmp/$c.mods"); do
		if [ "$m" = sram ]; then
			# parameterized per instance (Words): the SoC's two, from the register header
			ib=$(sed -n 's/^#define SOC_IMEM_BYTES *\(0x[0-9a-fA-F]*\)u.*/\1/p' "$tmp/$c/${c}_regs.h")
			db=$(sed -n 's/^#define SOC_DMEM_BYTES *\(0x[0-9a-fA-F]*\)u.*/\1/p' "$tmp/$c/${c}_regs.h")
			bits=$(((ib + db) * 8 / 2))
		else
			bits=$("$top/scripts/memories.sh" "$tmp/$c" "${c}_$m" | awk '{ s += $2 * $3 } END { print s + 0 }')
		fi
		echo "$c,$m,$bits"
	done
done >"$tmp/mem.csv"
echo "config,module,target,cells,luts,ffs,brams,dsps,mem_bits,seconds,children" >"$tmp/area.csv"
awk -F, 'NR == FNR { mb[$1 "," $2] = $3; next }
	{ if ($3 == "generic") $9 = mb[$1 "," $2]; print }' OFS=, "$tmp/mem.csv" "$tmp/own.csv" >>"$tmp/area.csv"

# The page: per configuration, a row per unit with its totals (children
# included) in each target, and the SoC's.
ver=$(yosys -V | sed 's/ (.*//')
{
	echo "# Area: every unit in generic cells and on three FPGA families"
	echo
	echo "Generated by \`make area\` (scripts/area.sh, $ver), which also writes \`docs/area.csv\`."
	echo "tiny and tile256 (configs/) with the synthesizable crossbar macro (\`tile -macro fpga\`,"
	echo "docs/flows.md). Each module is synthesized on its own, the modules it instantiates"
	echo "read as black boxes; a unit's figures include its children's (the tile node: the"
	echo "tile, its network interface and ECC; the tile: crossbar, controller, LDPU), and the"
	echo "SoC's are the whole design. A unit's slowest run is its own module's, children"
	echo "excluded (each module is one run a target)."
	echo
	echo "- **generic**: Yosys \`synth\` up to technology mapping, memories kept as memory cells"
	echo "  (bits below: what an ASIC flow puts in SRAM macros; the read-only tables, the GDPU's"
	echo "  functions and the AES S-box, in ROM macros or logic), then \`techmap\` and \`abc\`:"
	echo "  cells are Yosys's one- and two-input gates, multiplexers and flip-flops."
	echo "- **iCE40** \`synth_ice40\`: LUT4s, flip-flops, 4 Kbit block RAMs (no DSP mapping:"
	echo "  Yosys 0.23's \`ice40_dsp\` fails an assertion on the LDPU's multiplier)."
	echo "- **ECP5** \`synth_ecp5\`: LUT4s (a carry cell counts 2, a distributed RAM 4),"
	echo "  flip-flops, 18 Kbit block RAMs, 18x18 multipliers."
	echo "- **Xilinx 7** \`synth_xilinx\`: LUTs (LUT RAM included), flip-flops, 18 Kbit block"
	echo "  RAMs (a 36 Kbit one counts 2), DSP48E1."
	echo
	echo "The SoC's instruction and data SRAMs (\`riscv -imem_kb\`, \`-dmem_kb\`; 64 KiB each on both"
	echo "configurations) are counted in the generic memory bits only (the sram row: an"
	echo "instance's share); the FPGA columns leave them out. \`make verify-full\` checks this"
	echo "page against a fresh synthesis; this one took ${wall} s on 2 cores."
	for c in $cfgs; do
		echo
		echo "## $c (tile -macro fpga)"
		echo
		echo "| unit | in the SoC | generic cells | generic FFs | memory bits | iCE40 LUT | FF | BRAM | ECP5 LUT | FF | BRAM | DSP | Xilinx LUT | FF | BRAM | DSP | slowest own run (s) |"
		echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
		awk -F, -v c="$c" -v soc=soc '
		NR > 1 && $1 == c {
			k = $2 SUBSEP $3
			own[k, 1] = $4; own[k, 2] = $5; own[k, 3] = $6; own[k, 4] = $7; own[k, 5] = $8; own[k, 6] = $9
			kids[k] = $11; mods[$2] = 1
			if ($10 + 0 > slow[$2]) slow[$2] = $10 + 0
		}
		function tot(m, t, i,    k, n, j, p, q, s) {
			k = m SUBSEP t
			if ((k, i) in memo) return memo[k, i]
			if (!((k, 1) in own)) return 0
			s = own[k, i]
			n = split(kids[k], p, " ")
			for (j = 1; j <= n; j++) {
				split(p[j], q, "=")
				s += q[2] * tot(q[1], t, i)
			}
			memo[k, i] = s
			return s
		}
		function inst(m, under,    k, n, j, p, q, s) {
			if (m == under) return 1
			k = under SUBSEP "generic"
			s = 0
			n = split(kids[k], p, " ")
			for (j = 1; j <= n; j++) {
				split(p[j], q, "=")
				s += q[2] * inst(m, q[1])
			}
			return s
		}
		END {
			split("router ni ecc_enc ecc_dec ldpu tile_ctrl xbar tile node_tile gdpu node_gdpu mesh chip rv32 axil_bridge axil_xbar axil_slave aes npu_crypt npu_ctrl timer console sram soc", order, " ")
			for (o = 1; o in order; o++) {
				m = order[o]
				if (!(m in mods)) continue
				line = sprintf("| %s | %d | %d | %d | %d", (m == soc ? "**SoC**" : m), inst(m, soc),
					tot(m, "generic", 1), tot(m, "generic", 3), tot(m, "generic", 6))
				line = line sprintf(" | %d | %d | %d", tot(m, "ice40", 2), tot(m, "ice40", 3), tot(m, "ice40", 4))
				line = line sprintf(" | %d | %d | %d | %d", tot(m, "ecp5", 2), tot(m, "ecp5", 3), tot(m, "ecp5", 4), tot(m, "ecp5", 5))
				line = line sprintf(" | %d | %d | %d | %d", tot(m, "xilinx", 2), tot(m, "xilinx", 3), tot(m, "xilinx", 4), tot(m, "xilinx", 5))
				print line sprintf(" | %.1f |", slow[m])
			}
		}' "$tmp/area.csv"
	done
} >"$tmp/area.md"
# the run times vary: the CSV keeps them, the page's slowest-run column and
# total are rounded so that a fresh synthesis compares equal
cut -d, -f1-9,11 "$tmp/area.csv" >"$tmp/area-counts.csv"
mv "$tmp/area.md" "$md"
mv "$tmp/area-counts.csv" "$csv"
