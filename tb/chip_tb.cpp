// Whole-chip testbench (docs/chip.md): the host port of the generated chip
// and the golden chip model (golden/imnpu_chip.c) take the same packets; every
// packet that reaches the host from the RTL must equal the golden model's
// next packet from the same source.
//
// A run maps random multi-layer perceptrons with the mapper
// (the mapper library, map/plan.h), or takes a program image from imnpu-map, and replays the
// image: the configuration stream over the mesh (packed weight bursts, LDPU
// constants, output tables; with the pcm macro: programming, drift time),
// then inferences one at a time (the host's rule).  Results are compared
// packet by packet with the transaction-level golden model and value by value
// with the layer-level one (golden/imnpu_net.c; a pcm layer on macros built
// from the image's tile layout, golden/imnpu_layout.c).
//
// Plusargs:
//   +seed=N         random seed (printed)
//   +nets=N         networks mapped and run one after the other (default 3)
//   +inferences=N   inferences per network (default 10)
//   +pcm            the pcm macro's 1-phase/4-phase modes (random per layer)
//   +estimate_tolerance=P  fail when the measured cycles an inference are more
//                   than P percent from the mapper's estimate
//   +image=F        run the program image F (imnpu-map's output) instead of
//                   random networks: +inferences random inputs
//   +inputs=F       with +image: the inputs from F (int8 vectors of the image's
//                   input length, one after the other: imnpu-run
//                   --write-inputs), all of them or the first +inferences
//   +outputs=F      with +image: write the RTL's outputs to F (int8 vectors,
//                   one an inference, in order), whole or not at all
//   +stall=P        percent of cycles the host does not take a beat (default 30)
//   +load=backdoor  put the image's weights (and the pcm macro's device
//                   targets) into the tiles' memories directly instead of
//                   sending their packets over the mesh; the golden model
//                   takes every packet as before (docs/sim-speed.md)
//   +readback       after loading, read every used tile's weights, targets,
//                   constants and registers back over the mesh, compare them
//                   with the golden model and print their digest
//   +idle=N         only reset the chip and clock it N cycles with nothing to
//                   do: the simulation speed of an idle chip (make bench-sim)
//   +trace[=F], +quiet
// Each network's run prints its load and inference cycles, their wall time,
// and the MAC rate of the RTL (with its checks) beside the layer-level golden
// model's on the same inputs ("bench:" line, make bench-sim).
#include "imnpu_config.h"
#include "Vchip.h"
#include "imnpu_chip.h"
#include "imnpu_golden.h"
#include "imnpu_image.h"
#include "imnpu_map.h"
#include "tb_common.h"
#include "chip_params.h"
#include "verilated_syms.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <vector>

namespace {

struct Options : tb::Common {
	long nets = 3;
	long inferences = 10;
	bool pcm = false;
	std::string image;
	long est_tol = -1; // percent; -1: the estimate is printed, not checked
	long idle = 0;     // +idle: cycles of an idle chip, then exit
	bool backdoor = false;
	bool readback = false;
	std::string readback_file; // +readback=F: every word read, a line each
	std::string inputs_file, outputs_file; // +inputs=F, +outputs=F
	bool inferences_given = false;
};

double seconds_since(std::chrono::steady_clock::time_point t0)
{
	return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct Pkt {
	int src = 0, dest = 0, mcast = 0;
	uint64_t mask = 0;
	uint32_t info = 0;
	std::vector<uint64_t> beats;
};

const int kNodes = IMNPU_NOC_NODES;
const uint64_t kPayMask = IMNPU_NOC_PAYLOAD_BITS >= 64 ? ~0ull : (1ull << IMNPU_NOC_PAYLOAD_BITS) - 1;

class Harness {
public:
	Harness(const Options &o, int argc, char **argv)
		: opt_(o), top_(o, argc, argv, 500000 / IMNPU_CLOCK_MHZ), argv0_(argv[0])
	{
		imnpu_rng_seed(&rng_, o.seed);
		const unsigned char kinds[] = IMNPU_NODE_KINDS;
		for (int n = 0; n < kNodes; n++) {
			kind_[n] = kinds[n];
			if (kinds[n] == IMNPU_NODE_TILE)
				tiles_.push_back(n);
		}
		gp_ = tb::chip_params();
	}
	int run();
	const imnpu_image *image_ = nullptr; // +image: run this instead of random networks
	const std::vector<int8_t> *inputs_ = nullptr; // +inputs: the image's inputs, one after the other
	std::vector<int8_t> outputs_;                 // +outputs: the RTL's, one after the other

private:
	void clock();
	void send(const Pkt &p, bool poll = false);
	uint32_t poll_read(int node, uint32_t addr);
	bool run_ops(const imnpu_prog_op *ops, int n, std::vector<bool> *used, const char *what);
	bool take_mask(Pkt &p, const uint64_t *mask, const char *what);
	bool drain(size_t want_rtl, const char *what, uint64_t idle_limit = 50000);
	bool compare(const char *what);
	bool fail(const char *fmt, ...) __attribute__((format(printf, 2, 3)));
	bool one_net(long net);
	bool run_image(const imnpu_image &img, long net);
	bool send_inject(const imnpu_inject &in, const int8_t *x, const char *what);
	std::string random_cnn();
	uint64_t mvm_busy(const std::vector<bool> &used);
	std::vector<int8_t> input(const imnpu_image &img, long i);
	bool check_layer_level(const imnpu_image &img, const imnpu_net_devices *dev, long k, const std::vector<int8_t> &x,
			       const std::vector<int> &y, const char *what);
	bool run_stream(const imnpu_image &img, long net, const std::vector<bool> &used,
			std::vector<std::vector<int8_t>> &inputs, const imnpu_net_devices *dev,
			uint64_t *cycles);
	bool backdoor_find();
	bool bulk(const imnpu_prog_op &o) const;
	void backdoor_flush();
	bool read_block(int node, uint32_t addr, int n, std::vector<uint32_t> &out);
	bool readback(const std::vector<bool> &used);

	Options opt_;
	tb::Clocked<Vchip> top_;
	const char *argv0_;
	imnpu_rng rng_;
	imnpu_chip_params gp_;    // this configuration, as the golden model and the mapper take it
	imnpu_chip *g_ = nullptr;
	int kind_[kNodes];
	std::vector<int> tiles_;
	std::deque<Pkt> txq_;     // packets the host is sending
	size_t tx_beat_ = 0;      // next beat of txq_.front() (0: the head)
	std::map<int, Pkt> rx_;   // packets arriving, by channel
	std::vector<uint64_t> got_cycle_; // the cycle each packet of got_ arrived
	std::vector<Pkt> got_;    // complete packets from the RTL (polls excluded)
	std::vector<Pkt> polls_;  // complete poll replies
	int polls_due_ = 0;
	std::vector<bool> gskip_; // golden host packets that are poll replies
	std::map<int, size_t> gnext_; // per source: next golden host packet to match
	size_t matched_ = 0;
	long failures_ = 0, compared_ = 0;
	uint64_t idle_ = 0;
	// +load=backdoor: each tile's memories in the model, and the weight
	// packets the golden model took that the RTL node has not yet
	struct Door {
		uint8_t *w = nullptr, *tgt = nullptr;
		uint32_t *pin = nullptr;
		long pending = 0;
	};
	std::vector<Door> door_;
	bool loading_ = false;
	uint64_t backdoor_pkts_ = 0;
};

// The model's public memories (tb/backdoor.vlt) by scope name.
bool Harness::backdoor_find()
{
	door_.assign((size_t)kNodes, Door{});
	VerilatedContext *ctx = top_.context();
	// a hierarchical model's blocks (scripts/build-model.sh) are models of
	// their own, created when the initial blocks run: at the first evaluation
	top_->eval();
	const std::string chip = std::string("TOP.") + IMNPU_NAME + "_chip.u_n";
	for (int n : tiles_) {
		std::string node = chip + std::to_string(n);
		// a node verilated as a hierarchy block is a model named after its
		// instance, whose scopes start with its module's name
		const std::string block = node + "." + IMNPU_NAME + "_node_tile";
		if (ctx->scopeFind(block.c_str()))
			node = block;
		const VerilatedScope *ns = ctx->scopeFind(node.c_str());
		const VerilatedScope *xs = ctx->scopeFind((node + ".u_tile.u_xbar").c_str());
		const VerilatedVar *w = xs ? xs->varFind("w_q") : nullptr;
		const VerilatedVar *t = xs ? xs->varFind("tgt_q") : nullptr;
		const VerilatedVar *pin = ns ? ns->varFind("pin_q") : nullptr;
		if (!w || !pin || (IMNPU_MACRO_PCM && !t) || w->vltype() != VLVT_UINT8 || pin->vltype() != VLVT_UINT32 ||
		    (t && t->vltype() != VLVT_UINT8))
			return false;
		door_[(size_t)n].w = static_cast<uint8_t *>(w->datap());
		door_[(size_t)n].tgt = t ? static_cast<uint8_t *>(t->datap()) : nullptr;
		door_[(size_t)n].pin = static_cast<uint32_t *>(pin->datap());
	}
	return true;
}

// A packet the backdoor takes: weights written to one tile.
bool Harness::bulk(const imnpu_prog_op &o) const
{
	if (!opt_.backdoor || !loading_ || o.op == IMNPU_PROG_WAIT || o.pkt.mcast || kind_[o.pkt.dest] != IMNPU_NODE_TILE ||
	    (o.pkt.info & 7) != IMNPU_PKT_CFG_WR || o.pkt.nbeats < 2)
		return false;
	const uint32_t a = (uint32_t)o.pkt.beats[0];
	return a >> (gp_.region_w + gp_.idx_w) == 0 && a >> gp_.idx_w == IMNPU_REGION_WEIGHT;
}

// The weight packets the golden model took, into the RTL: every weight and
// device target of the tiles concerned copied from the golden model, their
// packet counters advanced as the packets would have.
void Harness::backdoor_flush()
{
	const int RC = IMNPU_ROWS * IMNPU_XCOLS; // every physical column
	const uint8_t wmask = (uint8_t)((1u << IMNPU_WEIGHT_BITS) - 1);
	for (int n : tiles_) {
		Door &d = door_[(size_t)n];
		if (!d.pending)
			continue;
		for (int k = 0; k < RC; k++)
			d.w[k] = (uint8_t)(imnpu_chip_read(g_, n, imnpu_chip_tile_addr(&gp_, IMNPU_REGION_WEIGHT, k)) & wmask);
		if (d.tgt) {
			const imnpu_pcm *m = imnpu_chip_pcm(g_, n);
			for (int k = 0; k < 4 * RC; k++)
				d.tgt[k] = (uint8_t)m->target[k];
		}
		*d.pin += (uint32_t)d.pending;
		backdoor_pkts_ += (uint64_t)d.pending;
		d.pending = 0;
	}
}


bool Harness::fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tb::fail_report("chip_tb", top_.cycle(), fmt, ap);
	va_end(ap);
	failures_++;
	return false;
}

// One cycle of the host port: drive the next beat, take one arriving beat
// (unless stalling), clock.
void Harness::clock()
{
	auto *t = top_.operator->();
	const bool txv = !txq_.empty();
	t->host_tx_valid_i = txv;
	if (txv) {
		const Pkt &p = txq_.front();
		t->host_tx_last_i = tx_beat_ == p.beats.size();
		t->host_tx_mcast_i = p.mcast;
		t->host_tx_dest_i = (uint32_t)imnpu_chip_addr(&gp_, p.dest);
		for (int n = 0; n < kNodes; n++) // a port of any width (66 nodes on hermes64)
			tb::set_bit(t->host_tx_mask_i, n, n < 64 && (p.mask >> n & 1));
		t->host_tx_info_i = p.info;
		t->host_tx_data_i = tx_beat_ ? p.beats[tx_beat_ - 1] : 0;
	}
	const bool take = !imnpu_rng_chance(&rng_, opt_.stall, 100);
	t->host_rx_ready_i = take;
	top_.eval();
	const bool txdone = txv && t->host_tx_ready_o;
	if (t->host_rx_valid_o && take) {
		const int ch = t->host_rx_chan_o;
		if (t->host_rx_head_o) {
			Pkt p;
			p.src = imnpu_chip_node(&gp_, t->host_rx_src_o);
			p.info = t->host_rx_info_o;
			rx_[ch] = p;
		} else {
			rx_[ch].beats.push_back((uint64_t)t->host_rx_data_o & kPayMask);
		}
		if (t->host_rx_last_o) {
			if ((rx_[ch].info & 7) == IMNPU_PKT_RDATA && polls_due_ > 0) {
				polls_.push_back(rx_[ch]);
				polls_due_--;
			} else {
				got_.push_back(rx_[ch]);
				got_cycle_.push_back(top_.cycle());
			}
			rx_.erase(ch);
		}
		idle_ = 0;
	}
	top_.clock();
	if (txdone) {
		idle_ = 0;
		if (tx_beat_ == txq_.front().beats.size()) {
			txq_.pop_front();
			tx_beat_ = 0;
		} else {
			tx_beat_++;
		}
	}
	idle_++;
}

void Harness::send(const Pkt &p, bool poll)
{
	txq_.push_back(p);
	imnpu_pkt g = {};
	g.dest = p.dest;
	g.mcast = p.mcast;
	g.mask[0] = p.mask;
	g.info = p.info;
	g.nbeats = (int)p.beats.size();
	std::vector<uint64_t> b(p.beats);
	g.beats = b.data();
	const int before = imnpu_chip_host_count(g_);
	imnpu_chip_send(g_, &g);
	const int after = imnpu_chip_host_count(g_);
	gskip_.resize((size_t)after, false);
	if (poll)
		for (int i = before; i < after; i++)
			gskip_[(size_t)i] = true;
}

// A read the harness waits on (not compared: timing decides it).
uint32_t Harness::poll_read(int node, uint32_t addr)
{
	std::vector<uint32_t> w;
	return read_block(node, addr, 1, w) ? w[0] : 0;
}

// An image's multicast mask (nodes 0..255) into a packet, which carries
// nodes 0..63: the mapper never multicasts to the host or a GDPU, the only
// nodes above 63 (hermes64's edge nodes).
bool Harness::take_mask(Pkt &p, const uint64_t *mask, const char *what)
{
	p.mask = mask[0];
	if (mask[1] | mask[2] | mask[3])
		return fail("%s: a multicast to nodes above 63, which this harness does not drive", what);
	return true;
}

// Replay configuration operations: packets sent, waits polled (the nodes
// written to marked in used).
bool Harness::run_ops(const imnpu_prog_op *ops, int n, std::vector<bool> *used, const char *what)
{
	for (int i = 0; i < n && !failures_; i++) {
		const imnpu_prog_op &o = ops[i];
		if (bulk(o)) { // the golden model takes it now, the RTL's memories at the next flush
			imnpu_chip_send(g_, &o.pkt);
			gskip_.resize((size_t)imnpu_chip_host_count(g_), false);
			door_[(size_t)o.pkt.dest].pending++;
			if (used)
				(*used)[(size_t)o.pkt.dest] = true;
			continue;
		}
		if (opt_.backdoor)
			backdoor_flush();
		if (o.op == IMNPU_PROG_WAIT) {
			if (!drain(got_.size(), what))
				return false;
			while (poll_read(o.node, o.addr) & o.mask)
				if (failures_)
					return false;
			continue;
		}
		Pkt p;
		p.dest = o.pkt.dest;
		p.mcast = o.pkt.mcast;
		if (!take_mask(p, o.pkt.mask, what))
			return false;
		p.info = o.pkt.info;
		p.beats.assign(o.pkt.beats, o.pkt.beats + o.pkt.nbeats);
		if (used && !p.mcast && kind_[p.dest] != IMNPU_NODE_HOST)
			(*used)[(size_t)p.dest] = true;
		send(p);
	}
	if (opt_.backdoor)
		backdoor_flush();
	return !failures_;
}

// Clock until the host has sent everything and received want_rtl packets.
bool Harness::drain(size_t want, const char *what, uint64_t idle_limit)
{
	idle_ = 0;
	while (!txq_.empty() || got_.size() < want || !rx_.empty()) {
		clock();
		if (idle_ > idle_limit)
			return fail("%s: nothing moved for %" PRIu64 " cycles (%zu of %zu packets back, %zu to send)", what,
				    idle_limit, got_.size(), want, txq_.size());
	}
	for (int k = 0; k < 20; k++)
		clock();
	return true;
}

// Every RTL packet against the golden model's next one from its source.
bool Harness::compare(const char *what)
{
	for (; matched_ < got_.size(); matched_++) {
		const Pkt &r = got_[matched_];
		size_t &i = gnext_[r.src];
		while (i < (size_t)imnpu_chip_host_count(g_) &&
		       (gskip_[i] || imnpu_chip_host_pkt(g_, (int)i)->src != r.src))
			i++;
		if (i >= (size_t)imnpu_chip_host_count(g_))
			return fail("%s: node %d sent a packet (info 0x%x, %zu beats) the golden model did not", what,
				    r.src, r.info, r.beats.size());
		const imnpu_pkt *g = imnpu_chip_host_pkt(g_, (int)i++);
		compared_++;
		bool same = g->info == r.info && (size_t)g->nbeats == r.beats.size();
		size_t k = 0;
		for (; same && k < r.beats.size(); k++)
			same = (g->beats[k] & kPayMask) == r.beats[k];
		if (!same) {
			fail("%s: first divergence: packet %zu from node %d: info 0x%x, %zu beats; golden info 0x%x, %d beats",
			     what, matched_, r.src, r.info, r.beats.size(), g->info, g->nbeats);
			const size_t n = std::max(r.beats.size(), (size_t)g->nbeats);
			for (size_t b = 0; b < n; b++) {
				const bool hr = b < r.beats.size(), hg = (int)b < g->nbeats;
				std::printf("  beat %zu: rtl %s%09" PRIx64 "  golden %s%09" PRIx64 "%s\n", b, hr ? "" : "-",
					    hr ? r.beats[b] : 0, hg ? "" : "-", hg ? (g->beats[b] & kPayMask) : 0,
					    hr && hg && r.beats[b] != (g->beats[b] & kPayMask) ? "  <--" : "");
			}
			return false;
		}
	}
	// nothing the golden model sent may be missing
	for (int i = 0; i < imnpu_chip_host_count(g_); i++) {
		if (gskip_[(size_t)i])
			continue;
		const int s = imnpu_chip_host_pkt(g_, i)->src;
		if ((size_t)i >= gnext_[s]) {
			size_t rest = 0;
			for (int j = i; j < imnpu_chip_host_count(g_); j++)
				rest += !gskip_[(size_t)j] && imnpu_chip_host_pkt(g_, j)->src == s;
			if (rest)
				return fail("%s: node %d: %zu packets of the golden model never reached the host", what, s,
					    rest);
		}
	}
	return true;
}

// A CFG_RD of n words from node at addr that the harness waits on: the
// reply is taken aside, not compared with the golden model's packets.
bool Harness::read_block(int node, uint32_t addr, int n, std::vector<uint32_t> &out)
{
	Pkt p;
	p.dest = node;
	p.info = IMNPU_PKT_CFG_RD;
	p.beats = {addr, (uint64_t)n};
	polls_due_++;
	send(p, true);
	idle_ = 0;
	while (polls_.empty()) {
		clock();
		if (idle_ > 20000)
			return fail("no reply to a read of %d words of node %d address 0x%x", n, node, addr);
	}
	const Pkt r = polls_.front();
	polls_.erase(polls_.begin());
	if (r.beats.size() != 2 * (size_t)n)
		return fail("a read of %d words of node %d address 0x%x: %zu beats in the reply", n, node, addr,
			    r.beats.size());
	out.clear();
	for (int k = 0; k < n; k++)
		out.push_back((uint32_t)(r.beats[2 * (size_t)k] & 0xffff) | (uint32_t)(r.beats[2 * (size_t)k + 1] & 0xffff) << 16);
	return true;
}

// Every used tile's state read back over the mesh against the golden model:
// node registers and output table, the tile's registers the golden model
// keeps, weights, scales, offsets and, with the pcm macro, every device's
// target, conductance, program-and-verify status and programmed conductance.
// Prints a digest of all words read, so that two loads can be compared.
bool Harness::readback(const std::vector<bool> &used)
{
	const int RC = IMNPU_ROWS * IMNPU_XCOLS; // every physical column
	uint64_t digest = 1469598103934665603ull, words = 0;
	std::vector<uint32_t> got;
	FILE *dump = nullptr;
	if (!opt_.readback_file.empty() && !(dump = std::fopen(opt_.readback_file.c_str(), "w")))
		return fail("+readback=%s: cannot write it", opt_.readback_file.c_str());
	std::unique_ptr<FILE, int (*)(FILE *)> dump_closer(dump, [](FILE *f) { return f ? std::fclose(f) : 0; });
	// check WHAT NODE ADDR N EXPECT: n words from addr against expect(k)
	auto check = [&](const char *what, int n, uint32_t addr, int count, const std::function<uint32_t(int)> &expect,
			 int first = 0, bool state = true) {
		for (int k0 = 0; k0 < count; k0 += 256) {
			const int m = std::min(256, count - k0);
			if (!read_block(n, addr + (uint32_t)k0, m, got))
				return false;
			for (int k = 0; k < m; k++) {
				const uint32_t want = expect(k0 + k);
				if (got[(size_t)k] != want)
					return fail("readback: node %d, %s %d (address 0x%x): 0x%x; the golden model has 0x%x", n,
						    what, first + k0 + k, addr + (uint32_t)(k0 + k), got[(size_t)k], want);
				words++;
				if (!state) // compared, but not a state a load leaves
					continue;
				digest = (digest ^ got[(size_t)k]) * 1099511628211ull;
				if (dump)
					std::fprintf(dump, "node %d %s %d 0x%x\n", n, what, first + k0 + k, got[(size_t)k]);
			}
		}
		return true;
	};
	for (int n : tiles_) {
		if (!used[(size_t)n])
			continue;
		auto gread = [&](uint32_t a) { return imnpu_chip_read(g_, n, a); };
		const uint32_t nreg = imnpu_chip_nreg_addr(&gp_, 0);
		// node registers but STATUS (a read is pending while it is read)
		// and PKTS_OUT (the golden model counts the reply it is making);
		// PKTS_IN counts the status polls too, as many as the load took
		// cycles, so it is compared but left out of the digest
		for (int r = 0; r <= IMNPU_NREG_DROPPED; r++)
			if (r != IMNPU_NREG_STATUS && r != IMNPU_NREG_PKTS_OUT &&
			    !check("node register", n, nreg + (uint32_t)r, 1, [&](int) { return gread(nreg + (uint32_t)r); }, r,
				   r != IMNPU_NREG_PKTS_IN))
				return false;
		const int table = IMNPU_OUT_ENTRIES * gp_.entry_s;
		if (!check("output-table word", n, nreg + 16, table, [&](int k) { return gread(nreg + 16 + (uint32_t)k); }))
			return false;
		const uint32_t csr = imnpu_chip_tile_addr(&gp_, IMNPU_REGION_CSR, 0);
		std::vector<int> regs = {0, 1, 2, 4};
		if (IMNPU_MACRO_PCM)
			regs.insert(regs.end(), {5, 6, 7, 9, 13, 14});
		for (int r : regs)
			if (!check("tile register", n, csr + (uint32_t)r, 1, [&](int) { return gread(csr + (uint32_t)r); }, r))
				return false;
		const struct {
			const char *what;
			unsigned region;
			int count;
		} mem[] = {{"weight", IMNPU_REGION_WEIGHT, RC},
			   {"scale", IMNPU_REGION_SCALE, IMNPU_COLS},
			   {"offset", IMNPU_REGION_OFFSET, IMNPU_COLS}};
		for (const auto &m : mem) {
			const uint32_t a = imnpu_chip_tile_addr(&gp_, (int)m.region, 0);
			if (!check(m.what, n, a, m.count, [&](int k) { return gread(a + (uint32_t)k); }))
				return false;
		}
#if IMNPU_MACRO_PCM
		const imnpu_pcm *pm = imnpu_chip_pcm(g_, n);
		const struct {
			const char *what;
			unsigned region;
			std::function<uint32_t(int)> f;
		} dev[] = {{"device target", IMNPU_REGION_TARGET, [&](int k) { return (uint32_t)pm->target[k]; }},
			   {"device conductance", IMNPU_REGION_GNOW, [&](int k) { return (uint32_t)pm->gt[k]; }},
			   {"device status", IMNPU_REGION_PVSTAT, [&](int k) { return (uint32_t)pm->status[k] | (uint32_t)pm->fault[k] << 8; }},
			   {"device programmed conductance", IMNPU_REGION_GPROG,
			    [&](int k) { return (uint32_t)pm->gprog[k]; }}};
		for (const auto &m : dev) {
			const uint32_t a = imnpu_chip_tile_addr(&gp_, (int)m.region, 0);
			if (!check(m.what, n, a, 4 * RC, m.f))
				return false;
		}
#endif
	}
	std::printf("chip_tb: readback: %" PRIu64 " words of the used tiles equal the golden model, state digest %016" PRIx64
		    "\n",
		    words, digest);
	return true;
}

// A random CNN for the map flow (docs/chip.md, feature maps): 2-4
// convolutions on a map of up to 3x8x8, each kernel's rows within a
// tile's, stride and padding at random, and at random a residual block (a
// 3x3 convolution of stride 1 that keeps its input's shape, its input added
// back); the mapper must take it in the map flow; empty when none is drawn
// in 50 tries.
std::string Harness::random_cnn()
{
	const int R = IMNPU_ROWS, C = IMNPU_COLS, T = (int)tiles_.size();
	for (int tries = 0; tries < 50; tries++) {
		int c = (int)imnpu_rng_range(&rng_, 1, 3), h = (int)imnpu_rng_range(&rng_, 3, 8),
		    w = (int)imnpu_rng_range(&rng_, 3, 8);
		std::string spec = std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
		const int layers = (int)imnpu_rng_range(&rng_, 2, 4);
		int tiles = 0;
		bool ok = true;
		for (int l = 0; l < layers && ok; l++) {
			if (l > 0 && 9 * c <= R && h >= 2 && w >= 2 && imnpu_rng_chance(&rng_, 1, 3)) {
				spec += ",conv" + std::to_string(c) + "k3s1p1r1";
				tiles += (c + C - 1) / C;
				continue;
			}
			int k = (int)imnpu_rng_range(&rng_, 1, 3);
			while (k > 1 && (k * k * c > R || k > h + 2 * (k - 1) || k > w + 2 * (k - 1)))
				k--;
			if (k * k * c > R) {
				ok = false;
				break;
			}
			const int s = (int)imnpu_rng_range(&rng_, 1, 2), p = (int)imnpu_rng_range(&rng_, 0, k - 1);
			const int oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1;
			const int out = (int)imnpu_rng_range(&rng_, 1, std::min(2 * C, R));
			spec += ",conv" + std::to_string(out) + "k" + std::to_string(k) + "s" + std::to_string(s) + "p" +
				std::to_string(p);
			tiles += (out + C - 1) / C;
			c = out;
			h = oh;
			w = ow;
			ok = h >= 1 && w >= 1;
		}
		if (!ok || tiles > T)
			continue;
		// the mapper takes it (its line buffers fit the nodes')
		imnpu_net n;
		char err[512];
		if (imnpu_net_random(&n, &gp_.tp, &rng_, spec.c_str(), err, sizeof err) != 0)
			continue;
		imnpu_map_opts mo = {0, 0, 0, nullptr, nullptr};
		imnpu_image img;
		const int st = imnpu_map(&gp_, &n, &mo, &img, err, sizeof err);
		imnpu_net_free(&n);
		if (st == 0) {
			const bool maps = img.flow == IMNPU_FLOW_MAPS;
			imnpu_image_free(&img);
			if (maps)
				return spec;
		}
	}
	return "";
}

// A random MLP: 1-3 dense layers, each up to twice a tile in either
// dimension, at least one split both ways when the chip has room (4 tiles);
// or, one in five, a small convolution or LSTM; network 1 of a run, on a
// chip with line buffers, a random CNN streaming through them; mapped by
// the mapper (the mapper library) into an image in memory.
bool Harness::one_net(long net)
{
	const int R = IMNPU_ROWS, C = IMNPU_COLS, T = (int)tiles_.size();
	bool has_gdpu = false;
	for (int k = 0; k < kNodes; k++)
		has_gdpu |= kind_[k] == IMNPU_NODE_GDPU;
	std::vector<int> sz;
	std::string op; // a GDPU layer after the dense ones, or none
	for (int tries = 0;; tries++) {
		sz.clear();
		op.clear();
		const int layers = (int)imnpu_rng_range(&rng_, 1, 3);
		sz.push_back((int)imnpu_rng_range(&rng_, 1, 2 * R));
		for (int l = 0; l < layers; l++)
			sz.push_back((int)imnpu_rng_range(&rng_, 1, 2 * C));
		// a GDPU job holds max_len results (gdpu -max_len)
		if (has_gdpu && sz.back() <= IMNPU_GDPU_MAX_LEN && imnpu_rng_chance(&rng_, 2, 3)) {
			const int last = sz.back();
			switch (imnpu_rng_range(&rng_, 0, 5)) {
			case 0:
				op = "argmax";
				break;
			case 1:
				op = imnpu_rng_chance(&rng_, 1, 2) ? "sigmoid" : "tanh";
				break;
			case 2:
			case 3: { // a window that divides the vector
				std::vector<int> d;
				for (int w = 1; w <= last; w++)
					if (last % w == 0)
						d.push_back(w);
				op = std::string(imnpu_rng_chance(&rng_, 1, 2) ? "maxpool" : "avgpool") +
				     std::to_string(d[(size_t)imnpu_rng_range(&rng_, 0, (int64_t)d.size() - 1)]);
				break;
			}
			default: // residual: the last dense layer keeps its input's length
				sz.back() = sz[sz.size() - 2];
				op = "add";
				break;
			}
		}
		int need = 0;
		bool both = false;
		for (int l = 0; l + 1 < (int)sz.size(); l++) {
			const int rb = (sz[(size_t)l] + R - 1) / R, cb = (sz[(size_t)l + 1] + C - 1) / C;
			need += rb * cb;
			both |= rb > 1 && cb > 1;
		}
		if (need <= T && (both || T < 4 || tries > 200))
			break;
	}
	std::string spec;
	for (int v : sz)
		spec += (spec.empty() ? "" : ",") + std::to_string(v);
	if (!op.empty())
		spec += "," + op;
	// one in five: a stepped network instead, a small convolution (up to 36
	// output pixels) or an LSTM over 2..4 steps, its tiles within the chip's
	if (imnpu_rng_chance(&rng_, 1, 5))
		for (int tries = 0; tries < 100; tries++) {
			const bool lstm = has_gdpu && imnpu_rng_chance(&rng_, 1, 2);
			int in, out;
			std::string st;
			if (lstm) {
				const int x = (int)imnpu_rng_range(&rng_, 1, R);
				const int h = (int)imnpu_rng_range(&rng_, 1, std::min(C, IMNPU_GDPU_MAX_LEN)); // the cell's state
				in = x + h;
				out = 4 * h;
				st = std::to_string(x) + ",lstm" + std::to_string(h) + "t" +
				     std::to_string(imnpu_rng_range(&rng_, 2, 4));
			} else {
				const int c = (int)imnpu_rng_range(&rng_, 1, 3), k = (int)imnpu_rng_range(&rng_, 1, 3);
				const int hh = (int)imnpu_rng_range(&rng_, k, 6), ww = (int)imnpu_rng_range(&rng_, k, 6);
				in = c * k * k;
				out = (int)imnpu_rng_range(&rng_, 1, 2 * C);
				st = std::to_string(c) + "x" + std::to_string(hh) + "x" + std::to_string(ww) + ",conv" +
				     std::to_string(out) + "k" + std::to_string(k) + "s" +
				     std::to_string(imnpu_rng_range(&rng_, 1, 2)) + "p" +
				     std::to_string(imnpu_rng_range(&rng_, 0, k - 1));
			}
			if (((in + R - 1) / R) * ((out + C - 1) / C) <= T) {
				spec = st;
				break;
			}
		}
	if (IMNPU_MAP_BUF > 0 && net == 1) {
		const std::string cnn = random_cnn();
		if (!cnn.empty())
			spec = cnn;
	}
	const imnpu_chip_params &gp = gp_;
	imnpu_net n;
	char err[512];
	if (imnpu_net_random(&n, &gp.tp, &rng_, spec.c_str(), err, sizeof err) != 0)
		return fail("random network %s: %s", spec.c_str(), err);
	std::snprintf(n.name, sizeof n.name, "random %ld", net);
	for (int l = 0; l < n.nlayers; l++)
		if (imnpu_layer_on_tiles(&n.layers[l]))
			n.layers[l].mode = opt_.pcm ? (imnpu_rng_chance(&rng_, 1, 2) ? IMNPU_MODE_PCM4 : IMNPU_MODE_PCM1)
						    : IMNPU_MODE_IDEAL;
	// every other seed's network has its busiest convolutions replicated
	// where that shortens the stream (--replicate auto)
	imnpu_map_opts mo = {(uint32_t)(opt_.seed & 0x7fffffff), (uint32_t)imnpu_rng_range(&rng_, 20, 86400), 0, nullptr,
			     opt_.seed % 2 ? "auto" : "none"};
	imnpu_image img;
	const int st = imnpu_map(&gp, &n, &mo, &img, err, sizeof err);
	imnpu_net_free(&n);
	if (st != 0)
		return fail("the mapper refused a network it should map: %s", err);
	std::snprintf(img.config, sizeof img.config, "%s", IMNPU_NAME);
	std::snprintf(img.hash, sizeof img.hash, "%s", IMNPU_CONFIG_HASH);
	const bool ok = run_image(img, net);
	imnpu_image_free(&img);
	return ok;
}

// Inference i's input: +inputs' i-th vector, else random values, extremes
// often.
std::vector<int8_t> Harness::input(const imnpu_image &img, long i)
{
	std::vector<int8_t> x((size_t)img.in_len);
	if (inputs_)
		std::copy_n(inputs_->begin() + i * img.in_len, img.in_len, x.begin());
	else
		for (auto &v : x)
			v = (int8_t)imnpu_rng_corner(&rng_, -128, 127);
	return x;
}

// A pcm network's devices at the layer level, freed with the network.
struct Devices {
	imnpu_net_devices d{};
	Devices() = default;
	Devices(const Devices &) = delete;
	Devices &operator=(const Devices &) = delete;
	~Devices() { imnpu_net_devices_free(&d); }
};

// Image k's outputs y, taken from the RTL, against the layer-level golden
// model on input x: the pcm layers on dev's macros (nullptr: none), at
// image k of the stream.
bool Harness::check_layer_level(const imnpu_image &img, const imnpu_net_devices *dev, long k,
				const std::vector<int8_t> &x, const std::vector<int> &y, const char *what)
{
	std::vector<int8_t> ref((size_t)img.out_len);
	imnpu_net_run_stream(&gp_.tp, &gp_.gp, &img.net, dev, (uint64_t)k, x.data(), ref.data());
	for (int v : y)
		outputs_.push_back((int8_t)v);
	for (int j = 0; j < img.out_len; j++)
		if (y[(size_t)j] != ref[(size_t)j])
			return fail("%s: output %d is %d; the layer-level golden model says %d", what, j, y[(size_t)j],
				    ref[(size_t)j]);
	return true;
}

// Program the chip from an image, run inferences one at a time (the host's
// rule), compare every packet with the transaction-level golden model and
// every result with the layer-level one (pcm layers on its devices), read the
// counters.
bool Harness::run_image(const imnpu_image &img, long net)
{
	std::string shape = std::to_string(img.net.input);
	bool ideal = true; // no pcm layer: the layer-level model needs no devices
	for (int l = 0; l < img.net.nlayers; l++) {
		const imnpu_layer &L = img.net.layers[l];
		const imnpu_layer_perf &pf = img.perf[l];
		const int blocks = pf.rblocks * pf.cblocks;
		shape += " -> " + (L.type == IMNPU_LAYER_DENSE ? "" : std::string(imnpu_layer_type_name(L.type)) + " ") +
			 std::to_string(L.out) + (L.res ? " (+ residual)" : "") +
			 (blocks > 0 && pf.tiles > blocks ? " (x" + std::to_string(pf.tiles / blocks) + " replicas)" : "");
		ideal &= L.mode == IMNPU_MODE_IDEAL;
	}
	std::printf("chip_tb: network %ld (%s): %s, %d tiles, %d configuration operations\n", net, img.net.name,
		    shape.c_str(), img.tiles_used, img.nops);

	// A fresh chip and golden model per network.
	if (g_)
		imnpu_chip_free(g_);
	const imnpu_chip_params &gp = gp_;
	g_ = imnpu_chip_new(&gp);
	got_.clear();
	got_cycle_.clear();
	gskip_.clear();
	gnext_.clear();
	matched_ = 0;
	top_.reset();

	const auto load_t0 = std::chrono::steady_clock::now();
	const uint64_t load_c0 = top_.cycle();
	std::vector<bool> used((size_t)kNodes, false);
	loading_ = true;
	const bool loaded = run_ops(img.ops, img.nops, &used, "programming");
	loading_ = false;
	if (!loaded)
		return false;
	if (!drain(got_.size(), "configuration") || !compare("configuration"))
		return false;
	if (opt_.backdoor)
		std::printf("chip_tb: network %ld: %" PRIu64 " weight packets loaded by backdoor\n", net, backdoor_pkts_);
	if (opt_.readback && !readback(used))
		return false;
	const uint64_t load_cycles = top_.cycle() - load_c0;
	const double load_s = seconds_since(load_t0);
	const auto inf_t0 = std::chrono::steady_clock::now();
	const uint64_t inf_c0 = top_.cycle();
	std::vector<std::vector<int8_t>> inputs;
	// the layer-level model's devices: the pcm layers' macros, built from the
	// image's layout as the configuration programmed the tiles
	Devices dev;
	if (!ideal && imnpu_net_devices_init(&dev.d, &gp.pp, &img.net, &img.lay) != 0)
		return fail("network %ld: out of memory building the layer-level model's devices", net);

	// Inferences, step by step: a step's configuration operations, its
	// injections (values gathered from the input, 0 where the source is
	// -1); its results come back as one packet per collection, placed by
	// source and base.
	uint64_t cycles = 0;
	if (img.flow == IMNPU_FLOW_MAPS) {
		if (!run_stream(img, net, used, inputs, ideal ? nullptr : &dev.d, &cycles))
			return false;
	}
	for (long i = 0; i < opt_.inferences && img.flow != IMNPU_FLOW_MAPS; i++) {
		const std::vector<int8_t> x = input(img, i);
		inputs.push_back(x);
		std::vector<int> y((size_t)img.out_len, 1000);
		char what[96];
		for (int s = 0; s < img.nsteps; s++) {
			const imnpu_step &sp = img.steps[s];
			if (img.nsteps > 1)
				std::snprintf(what, sizeof what, "network %ld, inference %ld, step %d", net, i, s);
			else
				std::snprintf(what, sizeof what, "network %ld, inference %ld", net, i);
			const uint64_t t0 = top_.cycle();
			const size_t first = got_.size(), want = first + (size_t)sp.ncol;
			if (!run_ops(sp.ops, sp.nops, nullptr, what))
				return false;
			for (int j = 0; j < sp.ninj; j++)
				if (!send_inject(sp.inj[j], x.data(), what))
					return false;
			if (!drain(want, what))
				return false;
			cycles += top_.cycle() - t0 - 20;
			if (!compare(what))
				return false;
			// the output vector from the RTL's packets
			for (size_t k = first; k < got_.size(); k++) {
				const Pkt &r = got_[k];
				const int base = (int)(r.info >> 6);
				const imnpu_collect *c = nullptr;
				for (int q = 0; q < sp.ncol; q++)
					if (sp.col[q].src == r.src && sp.col[q].base == base)
						c = &sp.col[q];
				if (!c)
					return fail("%s: a packet from node %d, base %d, that the image does not collect", what,
						    r.src, base);
				for (int v = 0; v < c->count; v++) {
					const uint64_t b = r.beats[(size_t)(v / IMNPU_ACT_PER_BEAT)];
					y[(size_t)(c->offset + v * c->ostride)] =
						(int8_t)(uint8_t)(b >> (8 * (v % IMNPU_ACT_PER_BEAT)));
				}
			}
		}
		std::snprintf(what, sizeof what, "network %ld, inference %ld", net, i);
		if (!check_layer_level(img, ideal ? nullptr : &dev.d, i, x, y, what))
			return false;
	}
	const uint64_t inf_cycles = top_.cycle() - inf_c0;
	const double inf_s = seconds_since(inf_t0);
	// the same inputs through the layer-level golden model (ideal arithmetic),
	// repeated until it has run for 0.2 s
	double macs = 0;
	for (int l = 0; l < img.net.nlayers; l++) {
		const imnpu_layer &L = img.net.layers[l];
		if (imnpu_layer_on_tiles(&L))
			macs += (double)imnpu_layer_kin(&L) * imnpu_layer_kout(&L) *
				(img.flow == IMNPU_FLOW_MAPS ? imnpu_conv_oh(&L) * imnpu_conv_ow(&L) : 1);
	}
	if (img.flow != IMNPU_FLOW_MAPS)
		macs *= imnpu_net_steps(&img.net);
	long gruns = 0;
	const auto g_t0 = std::chrono::steady_clock::now();
	std::vector<int8_t> gy((size_t)img.out_len);
	do {
		for (const auto &x : inputs)
			imnpu_net_run(&gp.tp, &gp.gp, &img.net, x.data(), gy.data());
		gruns += (long)inputs.size();
	} while (seconds_since(g_t0) < 0.2);
	const double g_s = seconds_since(g_t0);
	const double rtl_rate = macs * (double)opt_.inferences / inf_s, g_rate = macs * (double)gruns / g_s;
	std::printf("chip_tb: network %ld: load %" PRIu64 " cycles in %.2f s (%.0f cycles/s); %ld inferences %" PRIu64
		    " cycles in %.2f s (%.0f cycles/s); %.0f MACs an inference: RTL %.3g MAC/s, layer-level golden %.3g "
		    "MAC/s (1/%.0f)\n",
		    net, load_cycles, load_s, (double)load_cycles / load_s, opt_.inferences, inf_cycles, inf_s,
		    (double)inf_cycles / inf_s, macs, rtl_rate, g_rate, g_rate / rtl_rate);
	std::printf("bench: tiles=%d load_cycles=%" PRIu64 " load_s=%.3f inf_cycles=%" PRIu64 " inf_s=%.3f macs=%.0f "
		    "rtl_macs_per_s=%.4g golden_macs_per_s=%.4g\n",
		    img.tiles_used, load_cycles, load_s, inf_cycles, inf_s, macs, rtl_rate, g_rate);

	// the map flow: a layer may still fire windows whose pixels no later
	// window reads after the last output is back; the counters are read
	// when every node has fired what the golden model's has and their last
	// packets have landed (the chip is quiet)
	for (int n = 0; n < kNodes && img.flow == IMNPU_FLOW_MAPS; n++) {
		if (!used[(size_t)n] || kind_[n] != IMNPU_NODE_TILE)
			continue;
		const uint32_t a = IMNPU_NODE_REG(IMNPU_NREG_FIRES), want = imnpu_chip_read(g_, n, a);
		int polls = 0;
		while (poll_read(n, a) != want) {
			if (++polls > 1000)
				return fail("network %ld: node %d has not fired its %u windows", net, n, want);
			for (int k = 0; k < 100; k++)
				clock();
		}
	}
	for (int k = 0; k < 2000 && img.flow == IMNPU_FLOW_MAPS; k++)
		clock();
	// the node counters, read and compared
	int nused = 0;
	for (int n = 0; n < kNodes; n++) {
		if (!used[(size_t)n])
			continue;
		nused++;
		const int regs[] = {IMNPU_NREG_FIRES, IMNPU_NREG_PKTS_IN, IMNPU_NREG_PKTS_OUT, IMNPU_NREG_DROPPED,
				    IMNPU_NREG_ERR_CE, IMNPU_NREG_ERR_UE};
		for (int r : regs) {
			Pkt p;
			p.dest = n;
			p.info = IMNPU_PKT_CFG_RD;
			p.beats = {IMNPU_NODE_REG(r), 1};
			send(p);
		}
		Pkt p;
		p.dest = n;
		p.info = IMNPU_PKT_CFG_RD;
		p.beats = {kind_[n] == IMNPU_NODE_GDPU ? IMNPU_GDPU_ADDR(0, IMNPU_GREG_JOBS)
						       : IMNPU_ADDR(IMNPU_REGION_CSR, IMNPU_REG_JOBS),
			   1};
		send(p);
	}
	if (!drain(got_.size() + 7 * (size_t)nused, "counters") || !compare("counters"))
		return false;
	const double meas = (double)cycles / (double)opt_.inferences;
	std::printf("chip_tb: network %ld: %ld inferences agree with golden (transaction level and layer level), %.0f "
		    "cycles an inference, mapper's estimate %u (%+.1f%%)\n",
		    net, opt_.inferences, meas, img.est_cycles,
		    100.0 * ((double)img.est_cycles - meas) / meas);
	if (opt_.est_tol >= 0 && std::fabs((double)img.est_cycles - meas) > (double)opt_.est_tol / 100.0 * meas)
		return fail("network %ld: the mapper's estimate %u is more than %ld%% from the measured %.0f cycles", net,
			    img.est_cycles, opt_.est_tol, meas);
	return true;
}

// An injection's ACT packet, its values gathered from the input x (the
// image format's imnpu_inject_packet), to the host port and the golden model.
bool Harness::send_inject(const imnpu_inject &in, const int8_t *x, const char *what)
{
	imnpu_pkt pk;
	if (imnpu_inject_packet(&gp_, &in, x, &pk) != 0)
		return fail("out of memory");
	Pkt p;
	p.dest = pk.dest;
	p.mcast = pk.mcast;
	const bool ok = take_mask(p, pk.mask, what);
	p.info = pk.info;
	p.beats.assign(pk.beats, pk.beats + pk.nbeats);
	imnpu_pkt_free(&pk);
	if (ok)
		send(p);
	return ok;
}

// The crossbars' MVM cycles so far, from the RTL: each used tile's JOBS
// (MVMs completed) times its macro's cycles in the mode its CTRL names.
uint64_t Harness::mvm_busy(const std::vector<bool> &used)
{
	const imnpu_chip_params &gp = gp_;
	uint64_t busy = 0;
	for (int n = 0; n < kNodes; n++) {
		if (!used[(size_t)n] || kind_[n] != IMNPU_NODE_TILE)
			continue;
		const uint32_t jobs = poll_read(n, imnpu_chip_tile_addr(&gp, IMNPU_CHIP_REGION_CSR, IMNPU_CHIP_REG_JOBS));
		const uint32_t ctrl = poll_read(n, imnpu_chip_tile_addr(&gp, IMNPU_CHIP_REGION_CSR, IMNPU_CHIP_REG_CTRL));
		const int m = !(ctrl & IMNPU_CHIP_CTRL_PCM) || !gp.pcm
				      ? imnpu_mvm_cycles(&gp.tp)
				      : imnpu_pcm_mvm_cycles(&gp.pp, ctrl & IMNPU_CHIP_CTRL_FOUR ? IMNPU_MVM_4P : IMNPU_MVM_1P);
		busy += (uint64_t)jobs * (uint64_t)m;
	}
	return busy;
}

// The map flow (docs/chip.md, feature maps): every inference's input
// injected pixel by pixel, back to back, image k+1 while image k is in
// flight; the outputs come back pixel by pixel.  Each image's packets (the
// k-th group from each source) are placed by the step's collections and
// compared with the layer-level model; the first image's latency and the
// interval between images are measured beside the mapper's estimates.
bool Harness::run_stream(const imnpu_image &img, long net, const std::vector<bool> &used,
			 std::vector<std::vector<int8_t>> &inputs, const imnpu_net_devices *dev, uint64_t *cycles)
{
	const uint64_t busy0 = mvm_busy(used);
	const imnpu_step &sp = img.steps[0];
	const imnpu_chip_params &gp = gp_;
	const size_t first = got_.size();
	const uint64_t t0 = top_.cycle();
	char what[96];
	std::snprintf(what, sizeof what, "network %ld, a stream of %ld images", net, opt_.inferences);
	for (long i = 0; i < opt_.inferences; i++) {
		const std::vector<int8_t> x = input(img, i);
		inputs.push_back(x);
		for (int j = 0; j < sp.ninj; j++) {
			if (!send_inject(sp.inj[j], x.data(), what))
				return false;
		}
	}
	// the host port may stay quiet for a whole image's latency after the last
	// pixel: the watchdog waits twice the estimate
	const uint64_t quiet = std::max<uint64_t>(50000, 2 * (uint64_t)img.est_cycles);
	if (!drain(first + (size_t)sp.ncol * (size_t)opt_.inferences, what, quiet) || !compare(what))
		return false;
	// per source, its packets in arrival order; image k takes each
	// source's k-th group
	std::map<int, int> per; // packets an image collects from each source
	for (int q = 0; q < sp.ncol; q++)
		per[sp.col[q].src]++;
	std::map<int, std::vector<size_t>> from;
	for (size_t k = first; k < got_.size(); k++)
		from[got_[k].src].push_back(k);
	std::vector<uint64_t> done((size_t)opt_.inferences, 0);
	for (long i = 0; i < opt_.inferences; i++) {
		std::vector<imnpu_pkt> pk;
		for (const auto &s : per)
			for (int m = 0; m < s.second; m++) {
				const size_t k = from[s.first][(size_t)(i * s.second + m)];
				imnpu_pkt g = {};
				g.src = got_[k].src;
				g.info = got_[k].info;
				g.nbeats = (int)got_[k].beats.size();
				g.beats = const_cast<uint64_t *>(got_[k].beats.data());
				pk.push_back(g);
				done[(size_t)i] = std::max(done[(size_t)i], got_cycle_[k] - t0);
			}
		std::vector<int8_t> y((size_t)img.out_len, 0);
		char err[256];
		std::snprintf(what, sizeof what, "network %ld, image %ld of the stream", net, i);
		if (imnpu_step_place(&gp, &sp, pk.data(), (int)pk.size(), y.data(), err, sizeof err) != 0)
			return fail("%s: %s", what, err);
		if (!check_layer_level(img, dev, i, inputs[(size_t)i], std::vector<int>(y.begin(), y.end()), what))
			return false;
	}
	// the first image's latency; the interval over the rest of the stream
	const double lat = (double)done[0];
	const double ivl = opt_.inferences > 1 ? (double)(done.back() - done[0]) / (double)(opt_.inferences - 1) : lat;
	std::printf("chip_tb: network %ld: stream of %ld images: latency %.0f cycles (estimate %u, %+.1f%%), interval %.0f "
		    "cycles (estimate %u, %+.1f%%)\n",
		    net, opt_.inferences, lat, img.est_cycles, 100.0 * ((double)img.est_cycles - lat) / lat, ivl,
		    img.est_interval, 100.0 * ((double)img.est_interval - ivl) / ivl);
	// tile utilization in steady state: the MVM cycles an image, counted by
	// the tiles (JOBS), over the tiles times the interval; beside the
	// mapper's
	uint64_t mvm = 0;
	for (int l = 0; l < img.net.nlayers; l++)
		mvm += img.perf[l].mvm;
	const double busy = (double)(mvm_busy(used) - busy0) / (double)opt_.inferences;
	std::printf("bench: stream_images=%ld latency=%.0f interval=%.0f est_latency=%u est_interval=%u tiles=%d "
		    "utilization=%.3f est_utilization=%.3f\n",
		    opt_.inferences, lat, ivl, img.est_cycles, img.est_interval, img.tiles_used,
		    busy / ((double)img.tiles_used * ivl), (double)mvm / ((double)img.tiles_used * img.est_interval));
	if (opt_.est_tol >= 0 && opt_.inferences > 1 &&
	    std::fabs((double)img.est_interval - ivl) > (double)opt_.est_tol / 100.0 * ivl)
		return fail("network %ld: the mapper's interval %u is more than %ld%% from the measured %.0f cycles", net,
			    img.est_interval, opt_.est_tol, ivl);
	*cycles = (uint64_t)lat * (uint64_t)opt_.inferences;
	return true;
}

int Harness::run()
{
	std::printf("chip_tb: config %s: %dx%d mesh, %zu tiles of %dx%d, host at node %d%s (gen %s, config %s)\n",
		    IMNPU_NAME, IMNPU_NOC_X, IMNPU_NOC_Y, tiles_.size(), IMNPU_ROWS, IMNPU_COLS, IMNPU_HOST_NODE,
		    opt_.pcm ? ", pcm modes" : ", ideal", IMNPU_GEN_VERSION, IMNPU_CONFIG_HASH);
	if (opt_.image.empty())
		std::printf("chip_tb: seed=%" PRIu64 ", %ld networks, %ld inferences each, stall %u%%\n", opt_.seed,
			    opt_.nets, opt_.inferences, opt_.stall);
	else
		std::printf("chip_tb: seed=%" PRIu64 ", image %s, %ld inferences, stall %u%%\n", opt_.seed,
			    opt_.image.c_str(), opt_.inferences, opt_.stall);
	std::fflush(stdout);
	if (opt_.backdoor && !backdoor_find()) {
		std::fprintf(stderr, "chip_tb: error: +load=backdoor: this model has no public tile memories (a chip "
				     "model built by scripts/build-model.sh with tb/backdoor.vlt)\n");
		return 2;
	}
	const auto t0 = std::chrono::steady_clock::now();
	if (opt_.idle) {
		// timed from reset on, like a network's load: the first evaluation
		// elaborates the model (a hierarchical model creates its blocks'
		// models then), a one-time cost that is not a cycle's
		top_.reset();
		const auto idle_t0 = std::chrono::steady_clock::now();
		const uint64_t c0 = top_.cycle();
		for (long i = 0; i < opt_.idle; i++)
			clock();
		const double secs = seconds_since(idle_t0);
		const uint64_t n = top_.cycle() - c0;
		std::printf("chip_tb: idle: %" PRIu64 " cycles in %.2f s (%.0f cycles/s)\n", n, secs, (double)n / secs);
		std::printf("bench: idle_cycles=%" PRIu64 " idle_s=%.3f\n", n, secs);
		if (!got_.empty()) {
			fail("an idle chip sent %zu packets to the host", got_.size());
			return 1;
		}
		std::printf("chip_tb: PASSED\n");
		return 0;
	}
	if (image_) {
		if (run_image(*image_, 0) && !opt_.outputs_file.empty()) {
			if (imnpu_write_file_atomic(opt_.outputs_file.c_str(), outputs_.data(), outputs_.size()) != 0)
				fail("+outputs=%s: cannot write (%s)", opt_.outputs_file.c_str(), std::strerror(errno));
			else
				std::printf("chip_tb: %zu outputs of %ld inferences written to %s\n", outputs_.size(),
					    opt_.inferences, opt_.outputs_file.c_str());
		}
	} else {
		for (long n = 0; n < opt_.nets && !failures_; n++)
			one_net(n);
	}
	const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	std::printf("chip_tb: %ld packets compared, %" PRIu64 " cycles in %.1f s\n", compared_, top_.cycle(), secs);
	if (g_)
		imnpu_chip_free(g_);
	if (failures_) {
		char args[4608];
		std::snprintf(args, sizeof args, "+seed=%" PRIu64 " +nets=%ld +inferences=%ld +stall=%u%s%s%s%s%s", opt_.seed,
			      opt_.nets, opt_.inferences, opt_.stall, opt_.pcm ? " +pcm" : "",
			      opt_.backdoor ? " +load=backdoor" : "", opt_.readback ? " +readback" : "",
			      opt_.image.empty() ? "" : " +image=", opt_.image.c_str());
		if (opt_.est_tol >= 0)
			std::snprintf(args + std::strlen(args), sizeof args - std::strlen(args), " +estimate_tolerance=%ld",
				      opt_.est_tol);
		std::printf("chip_tb: replay: %s %s +trace\n", argv0_, args);
		std::printf("chip_tb: waves: make waves CFG=%s WHAT=chip REPLAY=\"%s\"\n", IMNPU_NAME, args);
		std::printf("chip_tb: FAILED (seed %" PRIu64 ")\n", opt_.seed);
		return 1;
	}
	std::printf("chip_tb: PASSED\n");
	return 0;
}

} // namespace

int main(int argc, char **argv)
{
	Options o;
	o.parse("chip_tb", argc, argv, "build/" IMNPU_NAME "/" IMNPU_NAME "_chip.fst");
	{
		VerilatedContext probe;
		probe.commandArgs(argc, argv);
		std::string v;
		if (tb::plusarg(probe, "nets", v))
			o.nets = tb::parse_long("chip_tb", "nets", v, 1, 100000);
		if (tb::plusarg(probe, "inferences", v)) {
			o.inferences = tb::parse_long("chip_tb", "inferences", v, 1, 1000000);
			o.inferences_given = true;
		}
		if (tb::plusarg(probe, "inputs", v))
			o.inputs_file = v;
		if (tb::plusarg(probe, "outputs", v))
			o.outputs_file = v;
		if (tb::plusarg(probe, "load", v)) {
			if (v != "mesh" && v != "backdoor") {
				std::fprintf(stderr, "chip_tb: error: +load=%s (allowed: mesh backdoor)\n", v.c_str());
				return 2;
			}
			o.backdoor = v == "backdoor";
		}
		o.readback = tb::plusarg(probe, "readback", v);
		o.readback_file = v;
		if (tb::plusarg(probe, "idle", v))
			o.idle = tb::parse_long("chip_tb", "idle", v, 1, 1000000000);
		if (tb::plusarg(probe, "estimate_tolerance", v))
			o.est_tol = tb::parse_long("chip_tb", "estimate_tolerance", v, 0, 1000);
		if (tb::plusarg(probe, "image", v)) {
			if (v.empty()) {
				std::fprintf(stderr, "chip_tb: error: +image= needs a file (imnpu-map's output)\n");
				return 2;
			}
			o.image = v;
		}
		if (tb::plusarg(probe, "pcm", v)) {
#if IMNPU_MACRO_PCM
			o.pcm = true;
#else
			std::fprintf(stderr, "chip_tb: error: +pcm: this configuration has the ideal macro\n");
			return 2;
#endif
		}
	}
	// The image is read and checked before the model exists: a bad one is a
	// one-line error and exit 2.
	imnpu_image img;
	if (!o.image.empty()) {
		char err[600];
		if (imnpu_image_load_run(&img, o.image.c_str(), err, sizeof err) != 0) {
			std::fprintf(stderr, "chip_tb: error: %s\n", err);
			return 2;
		}
		if (std::strcmp(img.config, IMNPU_NAME) != 0 || std::strcmp(img.hash, IMNPU_CONFIG_HASH) != 0) {
			std::fprintf(stderr,
				     "chip_tb: error: %s: made for configuration %s (hash %s); this model is %s (hash %s)\n",
				     o.image.c_str(), img.config, img.hash, IMNPU_NAME, IMNPU_CONFIG_HASH);
			imnpu_image_free(&img);
			return 2;
		}
		const imnpu_chip_params cp = tb::chip_params();
		if (imnpu_net_check_formats(&img.net, &cp.tp, err, sizeof err) != 0) {
			std::fprintf(stderr, "chip_tb: error: %s: %s\n", o.image.c_str(), err);
			imnpu_image_free(&img);
			return 2;
		}
	}
	// +inputs: whole vectors of the image's input, at least one
	std::vector<int8_t> inputs;
	if ((!o.inputs_file.empty() || !o.outputs_file.empty()) && o.image.empty()) {
		std::fprintf(stderr, "chip_tb: error: +inputs and +outputs need +image\n");
		return 2;
	}
	if (!o.inputs_file.empty()) {
		std::ifstream f(o.inputs_file, std::ios::binary);
		if (f)
			inputs.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
		const size_t len = (size_t)img.in_len;
		if (!f.is_open() || f.bad()) {
			std::fprintf(stderr, "chip_tb: error: +inputs=%s: cannot read\n", o.inputs_file.c_str());
			imnpu_image_free(&img);
			return 2;
		}
		if (inputs.empty() || inputs.size() % len) {
			std::fprintf(stderr, "chip_tb: error: +inputs=%s: %zu bytes are not whole vectors of %zu values (the image's input)\n",
				     o.inputs_file.c_str(), inputs.size(), len);
			imnpu_image_free(&img);
			return 2;
		}
		const long have = (long)(inputs.size() / len);
		if (!o.inferences_given || o.inferences > have)
			o.inferences = have;
	}
	int st;
	{
		Harness h(o, argc, argv);
		if (!o.inputs_file.empty())
			h.inputs_ = &inputs;
		if (!o.image.empty())
			h.image_ = &img;
		st = h.run();
	}
	if (!o.image.empty())
		imnpu_image_free(&img);
	return st;
}
