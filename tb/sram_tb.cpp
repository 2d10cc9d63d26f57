// The two-port SRAM (<cfg>_sram, docs/soc.md) on its own, against a word
// array: both ports at once, random reads and writes with random byte
// enables on random and on shared addresses.  A read's word is there the
// cycle after and holds while the port is idle or writing; it is the word
// before the writes of the same edge.  Two writes to one word in one cycle
// (the core and the DMA on one address) are left out: the SoC's driver never
// lets them meet, and the model takes port B's.  In the SoC the DMA writes
// whole words only; this harness reaches the byte enables of both ports.
#include "imnpu_config.h"
#include "Vsram.h"
#include "unit_tb.h"

#include <vector>

namespace {

struct Options : tb::Common {
	long cycles = 50000;
};

constexpr int kWords = 1024; // the module's default size

class Harness : tb::UnitHarness<Vsram, Options> {
public:
	Harness(const Options &o, int argc, char **argv) : UnitHarness("sram_tb", o, argc, argv) {}
	int run();
};

static uint32_t merge(uint32_t old, uint32_t v, uint32_t be)
{
	uint32_t m = 0;
	for (int b = 0; b < 4; b++)
		if (be >> b & 1)
			m |= 0xffu << (8 * b);
	return (old & ~m) | (v & m);
}

int Harness::run()
{
	std::printf("sram_tb: config %s, seed=%" PRIu64 ", %ld cycles\n", IMNPU_NAME, opt_.seed, opt_.cycles);
	const auto t0 = std::chrono::steady_clock::now();
	auto &m = top_;
	std::vector<uint32_t> mem(kWords);
	// the clock low and settled first (no reset to do it): the first rising
	// edge is then one
	m->clk_i = 0;
	m->a_en_i = m->b_en_i = 0;
	m.eval();
	// fill every word through port A, whole words
	for (int a = 0; a < kWords; a++) {
		mem[(size_t)a] = rnd32();
		m->a_en_i = 1;
		m->a_we_i = 1;
		m->a_be_i = 0xf;
		m->a_addr_i = (uint32_t)a;
		m->a_wdata_i = mem[(size_t)a];
		m->b_en_i = 0;
		m.clock();
	}
	uint32_t want_a = 0, want_b = 0;
	bool have_a = false, have_b = false;
	long reads = 0, partial = 0;
	for (long c = 0; c < opt_.cycles; c++) {
		// a small window of addresses now and then, so that the ports meet
		const uint32_t span = chance(30) ? 4 : kWords;
		const uint32_t aa = rnd32() % span, ba = rnd32() % span;
		const bool ae = chance(80), be = chance(80);
		bool aw = chance(50), bw = chance(50);
		if (ae && be && aw && bw && aa == ba)
			bw = false; // never two writes to one word in a cycle
		m->a_en_i = ae;
		m->a_we_i = aw;
		m->a_be_i = rnd32() & 15;
		m->a_addr_i = aa;
		m->a_wdata_i = rnd32();
		m->b_en_i = be;
		m->b_we_i = bw;
		m->b_be_i = rnd32() & 15;
		m->b_addr_i = ba;
		m->b_wdata_i = rnd32();
		m.eval();
		if (have_a && m->a_rdata_o != want_a) {
			fails_.at(top_.cycle(), "port A read 0x%08x, the array holds 0x%08x", m->a_rdata_o, want_a);
			break;
		}
		if (have_b && m->b_rdata_o != want_b) {
			fails_.at(top_.cycle(), "port B read 0x%08x, the array holds 0x%08x", m->b_rdata_o, want_b);
			break;
		}
		// reads see the words before this edge's writes
		if (ae && !aw) {
			want_a = mem[aa];
			have_a = true;
			reads++;
		}
		if (be && !bw) {
			want_b = mem[ba];
			have_b = true;
			reads++;
		}
		if (ae && aw) {
			mem[aa] = merge(mem[aa], m->a_wdata_i, m->a_be_i);
			partial += m->a_be_i != 0xf;
		}
		if (be && bw) {
			mem[ba] = merge(mem[ba], m->b_wdata_i, m->b_be_i);
			partial += m->b_be_i != 0xf;
		}
		m.clock();
	}
	// every word read back through port B at the end
	m->a_en_i = 0;
	for (int a = 0; a <= kWords && !fails_.count(); a++) {
		m->b_en_i = a < kWords;
		m->b_we_i = 0;
		m->b_addr_i = (uint32_t)(a < kWords ? a : 0);
		m.eval();
		if (a > 0 && m->b_rdata_o != mem[(size_t)a - 1]) {
			fails_.at(top_.cycle(), "word %d reads 0x%08x, the array holds 0x%08x", a - 1, m->b_rdata_o,
				  mem[(size_t)a - 1]);
			break;
		}
		m.clock();
	}
	const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	std::printf("sram_tb: %ld reads, %ld partial writes compared, every word read back, %" PRIu64 " cycles, %.1f s\n",
		    reads, partial, top_.cycle(), secs);
	char args[64];
	std::snprintf(args, sizeof args, "+seed=%" PRIu64 " +cycles=%ld", opt_.seed, opt_.cycles);
	return finish(args, nullptr);
}

} // namespace

int main(int argc, char **argv)
{
	Options o;
	o.parse("sram_tb", argc, argv, "build/" IMNPU_NAME "/sram.fst");
	o.cycles = tb::count_plusarg("sram_tb", argc, argv, "cycles", o.cycles, 1, 100000000);
	Harness h(o, argc, argv);
	return h.run();
}
