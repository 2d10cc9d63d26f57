// SoC testbench (docs/soc.md): loads a RISC-V ELF into the SoC's SRAMs
// through the boot port, runs it, shows what the program prints on the
// console, and ends when the program writes the console's EXIT register.
// With +image and +inputs (the program image and the input vectors the
// firmware was built with) it checks every "inference K: ..." line the
// firmware prints against the golden model's layer-level run of the same
// network on the same input.
//
// Plusargs:
//   +elf=FILE          the program (required)
//   +image=FILE        the program image the firmware loads (imnpu-map)
//   +inputs=FILE       its input vectors: int8, the image's input length each
//   +max_cycles=N      give up after N cycles (default 50,000,000)
//   +seed=N +trace[=F] +quiet   as every harness
#include "imnpu_config.h"
#include "Vsoc.h"
#include "imnpu_elf.h"
#include "imnpu_golden.h"
#include "imnpu_image.h"
#include "imnpu_net.h"
#include "tb_common.h"
#include "chip_params.h"

#include <cstdio>
#include <string>
#include <vector>

namespace {

struct Options : tb::Common {
	std::string elf, image, inputs;
	long max_cycles = 50000000;
};

[[noreturn]] void usage_error(const char *fmt, const std::string &a)
{
	std::fprintf(stderr, "soc_tb: error: ");
	std::fprintf(stderr, fmt, a.c_str());
	std::fprintf(stderr, "\n");
	std::exit(2);
}

// A failed run's replay and make waves lines.
void replay_lines(const Options &o, const char *argv0)
{
	std::string args = "+elf=" + o.elf;
	if (!o.image.empty())
		args += " +image=" + o.image + " +inputs=" + o.inputs;
	std::printf("soc_tb: replay: %s %s +trace\n", argv0, args.c_str());
	std::printf("soc_tb: waves: make waves CFG=%s WHAT=soc REPLAY=\"%s\"\n", IMNPU_NAME, args.c_str());
}

// The golden outputs of every input vector, one printed line each as the
// firmware prints them (without its cycle count).
std::vector<std::string> golden_lines(const Options &o)
{
	std::vector<std::string> lines;
	if (o.image.empty())
		return lines;
	imnpu_image img;
	char err[512];
	if (imnpu_image_load_run(&img, o.image.c_str(), err, sizeof err)) {
		std::fprintf(stderr, "soc_tb: error: +image=%s\n", err);
		std::exit(2);
	}
	if (std::string(img.config) != IMNPU_NAME || std::string(img.hash) != IMNPU_CONFIG_HASH)
		usage_error("+image=%s: made for another configuration than " IMNPU_NAME " (" IMNPU_CONFIG_HASH ")",
			    o.image);
	{
		const imnpu_chip_params cp = tb::chip_params();
		if (imnpu_net_check_formats(&img.net, &cp.tp, err, sizeof err) != 0) {
			std::fprintf(stderr, "soc_tb: error: +image=%s: %s\n", o.image.c_str(), err);
			std::exit(2);
		}
	}
	FILE *f = std::fopen(o.inputs.c_str(), "rb");
	if (!f)
		usage_error("+inputs=%s: cannot open", o.inputs);
	std::vector<int8_t> all;
	int c;
	while ((c = std::fgetc(f)) != EOF)
		all.push_back((int8_t)c);
	std::fclose(f);
	if (all.empty() || all.size() % (size_t)img.in_len)
		usage_error("+inputs=%s: not a whole number of input vectors", o.inputs);
	const imnpu_chip_params gp = tb::chip_params();
	// a pcm layer runs on its tiles' macros, built from the image's layout
	imnpu_net_devices dev{};
	if (imnpu_net_devices_init(&dev, &gp.pp, &img.net, &img.lay) != 0)
		usage_error("+image=%s: out of memory building the layer-level model's devices", o.image);
	std::vector<int8_t> y((size_t)img.out_len);
	for (size_t k = 0; k < all.size() / (size_t)img.in_len; k++) {
		imnpu_net_run_stream(&gp.tp, &gp.gp, &img.net, &dev, k, &all[k * (size_t)img.in_len], y.data());
		std::string s = "inference " + std::to_string(k) + ":";
		for (int8_t v : y)
			s += " " + std::to_string(v);
		lines.push_back(s);
	}
	imnpu_net_devices_free(&dev);
	imnpu_image_free(&img);
	return lines;
}

int run(const Options &o, int argc, char **argv)
{
	imnpu_elf e;
	char err[256];
	if (imnpu_elf_read(o.elf.c_str(), &e, err, sizeof err)) {
		std::fprintf(stderr, "soc_tb: error: +elf=%s\n", err);
		return 2;
	}
	if (e.entry != IMNPU_RV_RESET_PC) {
		std::fprintf(stderr, "soc_tb: error: +elf=%s: entry point 0x%08x is not the reset vector 0x%08x\n",
			     o.elf.c_str(), e.entry, (unsigned)IMNPU_RV_RESET_PC);
		imnpu_elf_free(&e);
		return 2;
	}
	const std::vector<std::string> want = golden_lines(o);

	tb::Clocked<Vsoc> top(o, argc, argv, 500000u / IMNPU_CLOCK_MHZ);
	top->boot_i = 1;
	top->boot_we_i = 0;
	top->dbg_link_i = 0;
	top->dbg_flip_i = 0;
	top.reset();
	// The boot port: every word of every loadable segment.
	long words = 0;
	for (int i = 0; i < e.nseg; i++) {
		const imnpu_elf_seg &s = e.seg[i];
		for (uint32_t a = 0; a < s.size; a += 4) {
			uint32_t w = 0;
			for (uint32_t b = 0; b < 4 && a + b < s.size; b++)
				w |= (uint32_t)s.data[a + b] << (8 * b);
			top->boot_we_i = 1;
			top->boot_addr_i = s.addr + a;
			top->boot_wdata_i = w;
			top->eval();
			if (top->boot_err_o) {
				std::fprintf(stderr, "soc_tb: error: +elf=%s: segment %d at 0x%08x reaches 0x%08x, outside both SRAMs\n",
					     o.elf.c_str(), i, s.addr, s.addr + a);
				imnpu_elf_free(&e);
				return 2;
			}
			top.clock();
			words++;
		}
	}
	imnpu_elf_free(&e);
	top->boot_we_i = 0;
	top->boot_i = 0;
	const uint64_t start = top.cycle();
	std::printf("soc_tb: config %s (gen %s, config %s): %s, %ld words loaded\n", IMNPU_NAME, IMNPU_GEN_VERSION,
		    IMNPU_CONFIG_HASH, o.elf.c_str(), words);
	std::fflush(stdout);

	std::string line;
	size_t matched = 0;
	long retired = 0, failures = 0;
	for (long c = 0; c < o.max_cycles; c++) {
		top.clock();
		retired += top->ret_valid_o;
		if (top->console_valid_o) {
			const char ch = (char)top->console_char_o;
			if (ch != '\n') {
				line += ch;
				continue;
			}
			if (!o.quiet || line.rfind("inference ", 0) != 0)
				std::printf("| %s\n", line.c_str());
			if (line.rfind("inference ", 0) == 0 && !want.empty()) {
				// the firmware's line, its cycle count cut off
				const size_t paren = line.find(" (");
				const std::string got = line.substr(0, paren);
				if (matched >= want.size()) {
					std::printf("soc_tb: FAIL: an inference line beyond the %zu inputs\n", want.size());
					failures++;
				} else if (got != want[matched]) {
					std::printf("soc_tb: FAIL at cycle %" PRIu64 ": the firmware prints\n  %s\nsoc_tb: the golden model says\n  %s\n",
						    top.cycle(), got.c_str(), want[matched].c_str());
					failures++;
				}
				matched++;
			}
			std::fflush(stdout);
			line.clear();
		}
		if (top->exit_valid_o) {
			const uint32_t code = top->exit_code_o;
			std::printf("soc_tb: the program exits with %u after %" PRIu64 " cycles, %ld instructions\n", code,
				    top.cycle() - start, retired);
			if (!want.empty()) {
				if (matched != want.size()) {
					std::printf("soc_tb: FAIL: %zu inference lines, %zu inputs\n", matched, want.size());
					failures++;
				} else if (!failures) {
					std::printf("soc_tb: %zu inferences identical to the golden model\n", matched);
				}
			}
			if (code != 0 || failures) {
				replay_lines(o, argv[0]);
				std::printf("soc_tb: FAILED\n");
				return 1;
			}
			std::printf("soc_tb: PASSED\n");
			return 0;
		}
	}
	std::printf("soc_tb: FAIL: no exit in %ld cycles (%ld instructions retired)\n", o.max_cycles, retired);
	replay_lines(o, argv[0]);
	return 1;
}

} // namespace

int main(int argc, char **argv)
{
	Options o;
	o.parse("soc_tb", argc, argv, "build/" IMNPU_NAME "/" IMNPU_NAME "_soc.fst");
	{
		VerilatedContext probe;
		probe.commandArgs(argc, argv);
		std::string v;
		if (tb::plusarg(probe, "elf", v))
			o.elf = v;
		if (tb::plusarg(probe, "image", v))
			o.image = v;
		if (tb::plusarg(probe, "inputs", v))
			o.inputs = v;
		if (tb::plusarg(probe, "max_cycles", v))
			o.max_cycles = tb::parse_long("soc_tb", "max_cycles", v, 1, 2000000000);
	}
	if (o.elf.empty()) {
		std::fprintf(stderr, "soc_tb: error: +elf=FILE is required (the program to run)\n");
		return 2;
	}
	if (o.image.empty() != o.inputs.empty()) {
		std::fprintf(stderr, "soc_tb: error: +image and +inputs go together (the network and its input vectors)\n");
		return 2;
	}
	return run(o, argc, argv);
}
