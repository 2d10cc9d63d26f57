// The AXI4-Lite bridge (<cfg>_axil_bridge, docs/soc.md) on its own, against
// the AXI4-Lite rules and the core's data-port contract: random loads and
// stores from the core's side; on the AXI side a slave that takes AW, W and
// AR after random delays (AW and W in either order or together) and answers
// B and R after random delays with OKAY, SLVERR or DECERR.  Checked every
// cycle: a valid stays up with its payload until taken; AW and W are each
// taken once a store and carry its address, data and strobes, AR once a
// load; the core sees d_ready_o exactly on the response's handshake, with
// the response's data and d_err_o = resp[1].  In the SoC the bridge only
// ever meets slaves that take AW and W together and answer at once; this
// harness reaches the rest of it.
#include "imnpu_config.h"
#include "Vaxil_bridge.h"
#include "unit_tb.h"

namespace {

struct Options : tb::Common {
	long transactions = 20000;
};

class Harness : tb::UnitHarness<Vaxil_bridge, Options> {
public:
	Harness(const Options &o, int argc, char **argv) : UnitHarness("axil_bridge_tb", o, argc, argv) {}
	int run();
};

int Harness::run()
{
	std::printf("axil_bridge_tb: config %s, seed=%" PRIu64 ", %ld transactions, stall %u%%\n", IMNPU_NAME, opt_.seed,
		    opt_.transactions, opt_.stall);
	const auto t0 = std::chrono::steady_clock::now();
	auto &m = top_;
	m->d_valid_i = 0;
	m->m_awready_i = m->m_wready_i = m->m_arready_i = 0;
	m->m_bvalid_i = m->m_rvalid_i = 0;
	m->m_bresp_i = m->m_rresp_i = 0;
	m->m_rdata_i = 0;
	m.reset();
	const unsigned st = opt_.stall;
	long done = 0, stores = 0, errors = 0, split = 0;
	// the core's request, the slave's state
	bool busy = false, we = false;
	uint32_t addr = 0, wdata = 0, be = 0;
	bool aw_taken = false, w_taken = false, ar_taken = false;
	int resp_wait = -1; // cycles until the slave answers
	uint32_t resp_data = 0, resp = 0;
	bool resp_valid = false;
	// the previous cycle's AXI outputs, for the stability rule
	bool p_aw = false, p_w = false, p_ar = false;
	uint32_t p_awaddr = 0, p_wdata = 0, p_wstrb = 0, p_araddr = 0;
	uint64_t idle = 0;
	while (done < opt_.transactions && !fails_.count()) {
		if (!busy && chance(100 - st / 2)) {
			busy = true;
			we = chance(50);
			addr = rnd32() & ~3u;
			wdata = rnd32();
			be = we ? 1 + rnd32() % 15 : 0xf;
			aw_taken = w_taken = ar_taken = false;
			resp_wait = -1;
			resp_valid = false;
		}
		m->d_valid_i = busy;
		m->d_we_i = we;
		m->d_addr_i = addr;
		m->d_wdata_i = wdata;
		m->d_be_i = be;
		// the slave: readies at random; a response after the request's parts
		m->m_awready_i = chance(100 - st);
		m->m_wready_i = chance(100 - st);
		m->m_arready_i = chance(100 - st);
		m->m_bvalid_i = resp_valid && we;
		m->m_rvalid_i = resp_valid && !we;
		m->m_bresp_i = resp;
		m->m_rresp_i = resp;
		m->m_rdata_i = resp_valid && !we ? resp_data : rnd32(); // R's data: only valid with rvalid
		m.eval();
		// AXI rules: a valid stays with its payload until its handshake
		if (p_aw && !(m->m_awvalid_o && m->m_awaddr_o == p_awaddr)) {
			fails_.at(top_.cycle(), "AWVALID or AWADDR changed before AWREADY");
			break;
		}
		if (p_w && !(m->m_wvalid_o && m->m_wdata_o == p_wdata && m->m_wstrb_o == p_wstrb)) {
			fails_.at(top_.cycle(), "WVALID, WDATA or WSTRB changed before WREADY");
			break;
		}
		if (p_ar && !(m->m_arvalid_o && m->m_araddr_o == p_araddr)) {
			fails_.at(top_.cycle(), "ARVALID or ARADDR changed before ARREADY");
			break;
		}
		// what the bridge offers belongs to the core's request, once
		if (m->m_awvalid_o && (!busy || !we || aw_taken || m->m_awaddr_o != addr)) {
			fails_.at(top_.cycle(), "AW 0x%08x offered without a store waiting for it", m->m_awaddr_o);
			break;
		}
		if (m->m_wvalid_o && (!busy || !we || w_taken || m->m_wdata_o != wdata || m->m_wstrb_o != be)) {
			fails_.at(top_.cycle(), "W 0x%08x/%x offered without a store waiting for it", m->m_wdata_o, m->m_wstrb_o);
			break;
		}
		if (m->m_arvalid_o && (!busy || we || ar_taken || m->m_araddr_o != addr)) {
			fails_.at(top_.cycle(), "AR 0x%08x offered without a load waiting for it", m->m_araddr_o);
			break;
		}
		const bool aw_hs = m->m_awvalid_o && m->m_awready_i, w_hs = m->m_wvalid_o && m->m_wready_i;
		const bool ar_hs = m->m_arvalid_o && m->m_arready_i;
		const bool b_hs = m->m_bvalid_i && m->m_bready_o, r_hs = m->m_rvalid_i && m->m_rready_o;
		const bool want_ready = b_hs || r_hs;
		if (m->d_ready_o != want_ready) {
			fails_.at(top_.cycle(), "d_ready_o %d, the response handshake %d", m->d_ready_o, want_ready);
			break;
		}
		if (want_ready) {
			if (!we && m->d_rdata_o != resp_data) {
			fails_.at(top_.cycle(), "load 0x%08x: data 0x%08x, the slave sent 0x%08x", addr, m->d_rdata_o, resp_data);
			break;
		}
			if (m->d_err_o != ((resp >> 1) & 1)) {
			fails_.at(top_.cycle(), "%s 0x%08x: d_err_o %d for response %u", we ? "store" : "load", addr, m->d_err_o,
					    resp);
			break;
		}
		}
		p_aw = m->m_awvalid_o && !aw_hs;
		p_w = m->m_wvalid_o && !w_hs;
		p_ar = m->m_arvalid_o && !ar_hs;
		p_awaddr = m->m_awaddr_o;
		p_wdata = m->m_wdata_o;
		p_wstrb = m->m_wstrb_o;
		p_araddr = m->m_araddr_o;
		m.clock();
		// the slave's side after the edge
		if (aw_hs)
			aw_taken = true;
		if (w_hs)
			w_taken = true;
		if (ar_hs)
			ar_taken = true;
		if (aw_hs != w_hs && (aw_hs || w_hs))
			split++;
		if (want_ready) {
			busy = false;
			resp_valid = false;
			done++;
			stores += we;
			errors += (resp >> 1) & 1;
			idle = 0;
			continue;
		}
		const bool parts = we ? aw_taken && w_taken : ar_taken;
		if (parts && !resp_valid) {
			if (resp_wait < 0)
				resp_wait = chance(st) ? (int)(rnd32() % 4) : 0;
			if (resp_wait-- == 0) {
				resp_valid = true;
				const uint32_t r = rnd32() % 8;
				resp = r < 6 ? 0u : r == 6 ? 2u : 3u; // OKAY, SLVERR, DECERR
				resp_data = rnd32();
			}
		}
		if (++idle > 1000) {
			fails_.at(top_.cycle(), "a %s to 0x%08x waits for 1000 cycles", we ? "store" : "load", addr);
			break;
		}
	}
	const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	std::printf("axil_bridge_tb: %ld transactions (%ld stores, %ld error responses, %ld with AW and W taken apart), "
		    "%" PRIu64 " cycles, %.1f s\n",
		    done, stores, errors, split, top_.cycle(), secs);
	char args[128];
	std::snprintf(args, sizeof args, "+seed=%" PRIu64 " +transactions=%ld +stall=%u", opt_.seed, opt_.transactions,
		      opt_.stall);
	return finish(args, split == 0 || errors == 0 ? "no AW and W taken apart, or no error response" : nullptr);
}

} // namespace

int main(int argc, char **argv)
{
	Options o;
	o.parse("axil_bridge_tb", argc, argv, "build/" IMNPU_NAME "/axil_bridge.fst");
	o.transactions = tb::count_plusarg("axil_bridge_tb", argc, argv, "transactions", o.transactions, 1, 100000000);
	Harness h(o, argc, argv);
	return h.run();
}
