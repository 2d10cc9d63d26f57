// The AXI4-Lite slave adapter (<cfg>_axil_slave, docs/soc.md) on its own,
// against the AXI4-Lite rules and its register-bus contract: an AXI master
// that offers AW and W apart (either first, the other after random delays)
// or together, AR alone or while a write is half offered, and takes B and R
// after random delays; behind the adapter a unit that answers each request
// in the next cycle (random data, now and then an error) and holds the
// answer.  Checked every cycle: the adapter takes a write only with AW and W
// both offered and a read only when no whole write is; each transaction is
// one cycle of req_o with its address, data and strobes; B and R carry the
// unit's answer and stay until taken.  The SoC's bridge offers AW and W
// together and takes every response at once; this harness reaches the rest.
#include "imnpu_config.h"
#include "Vaxil_slave.h"
#include "unit_tb.h"

#include <deque>

namespace {

struct Options : tb::Common {
	long transactions = 20000;
};

struct Tx {
	bool we;
	uint32_t addr, data, be;
};

class Harness : tb::UnitHarness<Vaxil_slave, Options> {
public:
	Harness(const Options &o, int argc, char **argv) : UnitHarness("axil_slave_tb", o, argc, argv) {}
	int run();
};

int Harness::run()
{
	std::printf("axil_slave_tb: config %s, seed=%" PRIu64 ", %ld transactions, stall %u%%\n", IMNPU_NAME, opt_.seed,
		    opt_.transactions, opt_.stall);
	const auto t0 = std::chrono::steady_clock::now();
	auto &m = top_;
	m->s_awvalid_i = m->s_wvalid_i = m->s_arvalid_i = 0;
	m->s_bready_i = m->s_rready_i = 0;
	m->rdata_i = 0;
	m->err_i = 0;
	m.reset();
	const unsigned st = opt_.stall;
	// the master: a write (AW, W offered from given cycles) and a read
	bool w_on = false, r_on = false, aw_up = false, wd_up = false, ar_up = false;
	Tx wr{}, rd{};
	// the unit: the answer it holds (to the request of the cycle before)
	uint32_t ans_data = 0, ans_err = 0;
	// the response the adapter owes: the transaction it took
	bool owe = false;
	Tx taken{};
	uint32_t want_data = 0, want_err = 0;
	long done = 0, reads_beside = 0, stalls = 0, errors = 0;
	uint64_t idle = 0;
	while (done < opt_.transactions && !fails_.count()) {
		if (!w_on && chance(30)) {
			w_on = true;
			wr = {true, rnd32() & ~3u, rnd32(), 1 + rnd32() % 15};
			aw_up = wd_up = false;
		}
		if (!r_on && chance(30)) {
			r_on = true;
			rd = {false, rnd32() & ~3u, 0, 0xf};
			ar_up = false;
		}
		// each part goes up at random and stays up until taken
		if (w_on && !aw_up && chance(50))
			aw_up = true;
		if (w_on && !wd_up && chance(50))
			wd_up = true;
		if (r_on && !ar_up && chance(50))
			ar_up = true;
		m->s_awvalid_i = aw_up;
		m->s_awaddr_i = aw_up ? wr.addr : rnd32();
		m->s_wvalid_i = wd_up;
		m->s_wdata_i = wd_up ? wr.data : rnd32();
		m->s_wstrb_i = wd_up ? wr.be : rnd32() & 15;
		m->s_arvalid_i = ar_up;
		m->s_araddr_i = ar_up ? rd.addr : rnd32();
		m->s_bready_i = chance(100 - st);
		m->s_rready_i = chance(100 - st);
		m->rdata_i = ans_data;
		m->err_i = ans_err;
		m.eval();
		const bool aw_hs = m->s_awvalid_i && m->s_awready_o, w_hs = m->s_wvalid_i && m->s_wready_o;
		const bool ar_hs = m->s_arvalid_i && m->s_arready_o;
		if (aw_hs != w_hs) {
			fails_.at(top_.cycle(), "AW and W taken apart (AWREADY %d, WREADY %d)", m->s_awready_o, m->s_wready_o);
			break;
		}
		if (aw_hs && ar_hs) {
			fails_.at(top_.cycle(), "a write and a read taken in one cycle");
			break;
		}
		const bool free = !owe;
		if (free && aw_up && wd_up && !aw_hs) {
			fails_.at(top_.cycle(), "a whole write offered to an idle adapter, not taken");
			break;
		}
		if (free && ar_up && !(aw_up && wd_up) && !ar_hs) {
			fails_.at(top_.cycle(), "a read offered to an idle adapter without a whole write, not taken");
			break;
		}
		if (!free && (aw_hs || ar_hs)) {
			fails_.at(top_.cycle(), "a transaction taken while a response is owed");
			break;
		}
		const bool req_want = aw_hs || ar_hs;
		if (m->req_o != req_want) {
			fails_.at(top_.cycle(), "req_o %d for a handshake %d", m->req_o, req_want);
			break;
		}
		if (req_want) {
			const Tx &t = aw_hs ? wr : rd;
			if (m->we_o != t.we || m->addr_o != t.addr || (t.we && (m->wdata_o != t.data || m->be_o != t.be))) {
			fails_.at(top_.cycle(), "request we %d addr 0x%08x data 0x%08x be %x, the master offered we %d addr 0x%08x data 0x%08x be %x",
					    m->we_o, m->addr_o, m->wdata_o, m->be_o, t.we, t.addr, t.data, t.be);
			break;
		}
		}
		// the response owed: valid, with the unit's answer
		if (owe) {
			const bool bv = m->s_bvalid_o, rv = m->s_rvalid_o;
			if (bv != taken.we || rv != !taken.we) {
			fails_.at(top_.cycle(), "BVALID %d RVALID %d for a %s owed", bv, rv, taken.we ? "write" : "read");
			break;
		}
			const uint32_t resp = taken.we ? m->s_bresp_o : m->s_rresp_o;
			if (resp != (want_err ? 2u : 0u) || (!taken.we && m->s_rdata_o != want_data)) {
			fails_.at(top_.cycle(), "%s 0x%08x: response %u data 0x%08x, the unit answered err %u data 0x%08x",
					    taken.we ? "write" : "read", taken.addr, resp, m->s_rdata_o, want_err, want_data);
			break;
		}
		} else if (m->s_bvalid_o || m->s_rvalid_o) {
			{
			fails_.at(top_.cycle(), "BVALID or RVALID with no response owed");
			break;
		}
		}
		const bool b_hs = m->s_bvalid_o && m->s_bready_i, r_hs = m->s_rvalid_o && m->s_rready_i;
		if (owe && !(b_hs || r_hs))
			stalls++;
		m.clock();
		// after the edge
		if (owe && (b_hs || r_hs)) {
			owe = false;
			done++;
			idle = 0;
		}
		if (req_want) {
			owe = true;
			taken = aw_hs ? wr : rd;
			if (aw_hs) {
				w_on = aw_up = wd_up = false;
			} else {
				r_on = ar_up = false;
				reads_beside += aw_up || wd_up;
			}
			// the unit answers from the next cycle on, and holds it
			ans_data = want_data = rnd32();
			ans_err = want_err = chance(10);
			errors += ans_err;
		}
		if (++idle > 1000) {
			fails_.at(top_.cycle(), "no transaction completed in 1000 cycles");
			break;
		}
	}
	const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	std::printf("axil_slave_tb: %ld transactions (%ld reads taken beside a half-offered write, %ld error answers, "
		    "%ld cycles a response waited), %" PRIu64 " cycles, %.1f s\n",
		    done, reads_beside, errors, stalls, top_.cycle(), secs);
	char args[128];
	std::snprintf(args, sizeof args, "+seed=%" PRIu64 " +transactions=%ld +stall=%u", opt_.seed, opt_.transactions,
		      opt_.stall);
	return finish(args, reads_beside == 0 || stalls == 0 ? "no read beside a half-offered write, or no response waited"
							      : nullptr);
}

} // namespace

int main(int argc, char **argv)
{
	Options o;
	o.parse("axil_slave_tb", argc, argv, "build/" IMNPU_NAME "/axil_slave.fst");
	o.transactions = tb::count_plusarg("axil_slave_tb", argc, argv, "transactions", o.transactions, 1, 100000000);
	Harness h(o, argc, argv);
	return h.run();
}
