// Mesh traffic harness: synthetic traffic into the generated mesh, a
// scoreboard on every packet (docs/noc.md).
//
// Each node has a network interface here: packets are created by a Bernoulli
// process (+rate packets per node per cycle) into an unbounded source queue,
// so latency counts queueing as BookSim does; receivers stall at random (+bp).
// The scoreboard checks that every packet arrives exactly once, at its
// destination, intact (kinds, length, payload), in order per source and
// destination; a watchdog fails the run if no flit moves for a while.
//
// Plusargs (and those of tb_common.h: +seed +trace +quiet):
//   +pattern=uniform|transpose|bitcomp|hotspot|neighbor   (default uniform)
//   +rate=R      packets per node per cycle (default 0.05)
//   +len=L       flits per packet, 1..L at random (default 4); +fixlen: always L
//   +packets=N   packets to inject in all (default 20000), then drain
//   +bp=P        percent of cycles a receiver is not ready (default 20)
// Benchmark mode (BookSim style), when +measure=M is given:
//   +warmup=W    cycles before measuring (default 2000); packets are created
//   for W+M cycles, latency is averaged over those created in the measuring
//   window, accepted throughput is the flits ejected in it; the run ends when
//   every measured packet has arrived (the scoreboard keeps checking), or
//   after 20*M more cycles, when the load is past saturation.  The last line,
//   "bench: ...", is for scripts/bench-noc.sh.
#include "imnpu_config.h" // this configuration's <cfg>_params.h
#include "Vmesh.h"
#include "imnpu_golden.h"
#include "tb_common.h"

#include <deque>
#include <string>
#include <type_traits>
#include <vector>

#ifndef IMNPU_NOC_X
#error "imnpu_config.h must include the configuration's <cfg>_params.h (scripts/build-model.sh)"
#endif

namespace {

typedef unsigned __int128 flit_t;
constexpr int X = IMNPU_NOC_X, Y = IMNPU_NOC_Y, N = X * Y, FW = IMNPU_NOC_FLIT_BITS;
constexpr int XW = IMNPU_NOC_XW, YW = IMNPU_NOC_YW, IDW = XW + YW;
constexpr int SEQW = FW - 2 - 2 * IDW - 8; // sequence bits in a head flit
constexpr unsigned KIND_BODY = 0, KIND_HEAD = 1, KIND_TAIL = 2, KIND_SINGLE = 3;

// ---- bit access to Verilator ports of any width ----
template <class T> bool get_bit(const T &v, int i, std::true_type)
{
	return (uint64_t(v) >> i) & 1u;
}
template <class T> bool get_bit(const T &v, int i, std::false_type)
{
	return (v[(size_t)i >> 5] >> (i & 31)) & 1u;
}
template <class T> bool get_bit(const T &v, int i)
{
	return get_bit(v, i, std::is_integral<T>());
}
template <class T> void set_bit(T &v, int i, bool b, std::true_type)
{
	const uint64_t m = uint64_t(1) << i;
	v = (T)(b ? (uint64_t(v) | m) : (uint64_t(v) & ~m));
}
template <class T> void set_bit(T &v, int i, bool b, std::false_type)
{
	const uint32_t m = 1u << (i & 31);
	if (b)
		v[(size_t)i >> 5] |= m;
	else
		v[(size_t)i >> 5] &= ~m;
}
template <class T> void set_bit(T &v, int i, bool b)
{
	set_bit(v, i, b, std::is_integral<T>());
}
template <class T> flit_t get_flit(const T &v, int node)
{
	flit_t f = 0;
	for (int i = 0; i < FW; i++)
		if (get_bit(v, node * FW + i))
			f |= (flit_t)1 << i;
	return f;
}
template <class T> void set_flit(T &v, int node, flit_t f)
{
	for (int i = 0; i < FW; i++)
		set_bit(v, node * FW + i, (f >> i) & 1);
}

// ---- flit fields (docs/noc.md; the fields after the destination are this
// harness's network-interface convention) ----
uint64_t field(flit_t f, int msb, int w)
{
	return (uint64_t)((f >> (msb - w + 1)) & (((flit_t)1 << w) - 1));
}
flit_t put(int msb, int w, uint64_t v)
{
	return ((flit_t)(v & ((w >= 64) ? ~0ull : ((1ull << w) - 1)))) << (msb - w + 1);
}
// Body payload: a hash of the packet's identity and the flit's position.
uint64_t body_payload(int src, int dst, uint64_t seq, int idx)
{
	imnpu_rng r;
	imnpu_rng_seed(&r, ((uint64_t)src << 48) ^ ((uint64_t)dst << 32) ^ (seq << 8) ^ (uint64_t)idx);
	return imnpu_rng_next(&r);
}

struct Packet {
	int src, dst, len;
	uint64_t seq; // per (src, dst), counting from 0; creation cycles are in created_
};

// The pattern's traffic from src: destination -> fraction of src's packets.
std::vector<double> traffic_from(const std::string &pattern, int src)
{
	std::vector<double> w((size_t)N, 0.0);
	const int x = src % X, y = src / X;
	if (pattern == "transpose") {
		if (x != y)
			w[(size_t)(x * X + y)] = 1.0;
	} else if (pattern == "bitcomp") {
		w[(size_t)((~src) & (N - 1))] = 1.0;
	} else if (pattern == "neighbor") {
		w[(size_t)(y * X + (x + 1) % X)] = 1.0;
	} else if (N > 1) {
		const double uni = pattern == "hotspot" ? 0.8 : 1.0;
		for (int d = 0; d < N; d++)
			if (d != src)
				w[(size_t)d] += uni / (N - 1);
		if (pattern == "hotspot" && src != 0)
			w[0] += 0.2;
	}
	return w;
}

// Ideal throughput of a pattern, in flits per injecting node per cycle: the
// inverse of the most loaded channel (router links, injection and ejection)
// when every injecting node offers one flit per cycle and packets follow X-first
// routes.
double ideal_throughput(const std::string &pattern)
{
	std::vector<double> link((size_t)N * 4, 0.0), inj((size_t)N, 0.0), ej((size_t)N, 0.0);
	int senders = 0;
	for (int s = 0; s < N; s++) {
		const std::vector<double> w = traffic_from(pattern, s);
		double total = 0;
		for (double v : w)
			total += v;
		if (total == 0)
			continue;
		senders++;
		for (int d = 0; d < N; d++) {
			const double p = w[(size_t)d] / total * (pattern == "hotspot" && s == 0 ? 0.8 : 1.0);
			if (p == 0)
				continue;
			inj[(size_t)s] += p;
			ej[(size_t)d] += p;
			int x = s % X, y = s / X;
			const int dx = d % X, dy = d / X;
			while (x != dx) { // links: 0 east, 1 west, 2 south, 3 north, from node y*X+x
				link[(size_t)(y * X + x) * 4 + (dx > x ? 0 : 1)] += p;
				x += dx > x ? 1 : -1;
			}
			while (y != dy) {
				link[(size_t)(y * X + x) * 4 + (dy > y ? 2 : 3)] += p;
				y += dy > y ? 1 : -1;
			}
		}
	}
	double worst = 0;
	for (double v : link)
		worst = v > worst ? v : worst;
	for (double v : inj)
		worst = v > worst ? v : worst;
	for (double v : ej)
		worst = v > worst ? v : worst;
	return worst > 0 && senders > 0 ? 1.0 / worst : 0.0;
}

flit_t make_flit(const Packet &p, int idx)
{
	if (idx == 0) {
		const unsigned kind = p.len == 1 ? KIND_SINGLE : KIND_HEAD;
		flit_t f = put(FW - 1, 2, kind);
		f |= put(FW - 3, XW, (uint64_t)(p.dst % X));
		f |= put(FW - 3 - XW, YW, (uint64_t)(p.dst / X));
		f |= put(FW - 3 - IDW, IDW, (uint64_t)p.src);
		f |= put(FW - 3 - 2 * IDW, 8, (uint64_t)p.len);
		if (SEQW > 0)
			f |= put(SEQW - 1, SEQW, p.seq);
		return f;
	}
	const unsigned kind = idx == p.len - 1 ? KIND_TAIL : KIND_BODY;
	const int pw = FW - 2 < 64 ? FW - 2 : 64;
	return put(FW - 1, 2, kind) | put(pw - 1, pw, body_payload(p.src, p.dst, p.seq, idx));
}

struct Options : tb::Common {
	std::string pattern = "uniform";
	double rate = 0.05;
	int len = 4;
	bool fixlen = false;
	long packets = 20000;
	unsigned bp = 20;
	long warmup = 2000;
	long measure = 0; // > 0: benchmark mode
};

// A packet being received at a node.
struct Rx {
	bool active = false;
	int src = 0, len = 0, got = 0;
	uint64_t seq = 0;
};

class Harness {
public:
	Harness(const Options &o, int argc, char **argv)
		: opt_(o), argv0_(argv[0]), dut_(o, argc, argv, 500000u / IMNPU_CLOCK_MHZ),
		  txq_(N), txpos_(N, 0), rx_(N), sent_seq_((size_t)N * N, 0), recv_seq_((size_t)N * N, 0)
	{
		imnpu_rng_seed(&rng_, o.seed);
		imnpu_rng_seed(&bp_rng_, o.seed ^ 0x9e3779b97f4a7c15ull);
	}
	int run();

private:
	int destination(int src);
	bool eject(int node, flit_t f);
	void fail_header() { std::printf("mesh_tb: FAIL at cycle %" PRIu64 ": ", dut_.cycle()); }

	Options opt_;
	const char *argv0_;
	tb::Clocked<Vmesh> dut_;
	imnpu_rng rng_{}, bp_rng_{};
	std::vector<std::deque<Packet>> txq_;
	std::vector<int> txpos_; // next flit of the queue's front packet
	std::vector<Rx> rx_;
	std::vector<uint64_t> sent_seq_, recv_seq_; // per (src, dst)
	long injected_ = 0, delivered_ = 0, failures_ = 0;
	long flits_delivered_ = 0;
	// benchmark window
	uint64_t win_lo_ = 0, win_hi_ = 0;
	long win_flits_ = 0, win_packets_ = 0, win_done_ = 0;
	double win_latency_ = 0;
	double latency_sum_ = 0;
	uint64_t latency_max_ = 0;
	std::vector<std::deque<uint64_t>> created_ = std::vector<std::deque<uint64_t>>((size_t)N * N);
};

int Harness::destination(int src)
{
	const int x = src % X, y = src / X;
	const std::string &p = opt_.pattern;
	if (p == "transpose")
		return x == y ? -1 : x * X + y; // (x, y) -> (y, x); the diagonal is silent
	if (p == "bitcomp")
		return (~src) & (N - 1);
	if (p == "neighbor")
		return y * X + (x + 1) % X;
	if (p == "hotspot" && imnpu_rng_chance(&rng_, 1, 5))
		return src == 0 ? -1 : 0; // a fifth of the traffic to node 0
	if (N == 1)
		return 0;
	int d = (int)imnpu_rng_range(&rng_, 0, N - 2); // uniform, not to itself
	return d >= src ? d + 1 : d;
}

// One flit leaves the mesh at node; the scoreboard checks it.
bool Harness::eject(int node, flit_t f)
{
	Rx &r = rx_[(size_t)node];
	const unsigned kind = (unsigned)field(f, FW - 1, 2);
	const bool head = kind & 1u, tail = kind & 2u;
	if (head) {
		if (r.active) {
			fail_header();
			std::printf("node %d: a head flit inside a packet from node %d (seq %" PRIu64 ", flit %d of %d)\n",
				    node, r.src, r.seq, r.got, r.len);
			return false;
		}
		const int dx = (int)field(f, FW - 3, XW), dy = (int)field(f, FW - 3 - XW, YW);
		const int src = (int)field(f, FW - 3 - IDW, IDW);
		const int len = (int)field(f, FW - 3 - 2 * IDW, 8);
		const uint64_t seq = SEQW > 0 ? field(f, SEQW - 1, SEQW) : 0;
		if (src >= N) {
			fail_header();
			std::printf("node %d: head flit from node %d, which does not exist\n", node, src);
			return false;
		}
		const size_t pair = (size_t)src * N + (size_t)node;
		const uint64_t want = SEQW > 0 ? recv_seq_[pair] & ((SEQW >= 64 ? ~0ull : (1ull << SEQW) - 1))
					       : 0;
		if (dy * X + dx != node || len < 1 || seq != want ||
		    recv_seq_[pair] >= sent_seq_[pair]) {
			fail_header();
			std::printf("node %d: head flit for (%d,%d) from node %d, len %d, seq %" PRIu64
				    "; expected a packet for this node, seq %" PRIu64 " (%" PRIu64 " sent from %d)\n",
				    node, dx, dy, src, len, seq, want, sent_seq_[pair], src);
			return false;
		}
		r = Rx{true, src, len, 1, recv_seq_[pair]};
		if ((len == 1) != tail) {
			fail_header();
			std::printf("node %d: head flit of a %d-flit packet marked %s\n", node, len,
				    tail ? "tail" : "not tail");
			return false;
		}
	} else {
		if (!r.active) {
			fail_header();
			std::printf("node %d: a body flit outside any packet\n", node);
			return false;
		}
		const int pw = FW - 2 < 64 ? FW - 2 : 64;
		const uint64_t want = body_payload(r.src, node, r.seq, r.got) &
				      (pw >= 64 ? ~0ull : (1ull << pw) - 1);
		const bool want_tail = r.got == r.len - 1;
		if (field(f, pw - 1, pw) != want || tail != want_tail) {
			fail_header();
			std::printf("node %d: flit %d of packet seq %" PRIu64 " from node %d is corrupted or misplaced (tail %d, expected %d)\n",
				    node, r.got, r.seq, r.src, tail, want_tail);
			return false;
		}
		r.got++;
	}
	flits_delivered_++;
	if (dut_.cycle() >= win_lo_ && dut_.cycle() < win_hi_)
		win_flits_++;
	if (tail) {
		const size_t pair = (size_t)r.src * N + (size_t)node;
		recv_seq_[pair]++;
		delivered_++;
		const uint64_t born = created_[pair].front();
		const uint64_t lat = dut_.cycle() - born;
		if (born >= win_lo_ && born < win_hi_) {
			win_done_++;
			win_latency_ += (double)lat;
		}
		created_[pair].pop_front();
		latency_sum_ += (double)lat;
		if (lat > latency_max_)
			latency_max_ = lat;
		r.active = false;
	}
	return true;
}

int Harness::run()
{
	std::printf("mesh_tb: config %s (%dx%d mesh, %d-bit flits, %d-flit buffers; gen %s, config %s)\n",
		    IMNPU_NAME, X, Y, FW, IMNPU_NOC_BUF_DEPTH, IMNPU_GEN_VERSION, IMNPU_CONFIG_HASH);
	std::printf("mesh_tb: seed=%" PRIu64 " pattern=%s rate=%.4f len=%s%d packets=%ld bp=%u%%\n",
		    opt_.seed, opt_.pattern.c_str(), opt_.rate, opt_.fixlen ? "" : "1..", opt_.len,
		    opt_.packets, opt_.bp);
	std::fflush(stdout);
	if ((opt_.pattern == "transpose" && X != Y) || (opt_.pattern == "bitcomp" && (N & (N - 1)))) {
		std::fprintf(stderr, "mesh_tb: error: +pattern=%s needs a %s mesh\n", opt_.pattern.c_str(),
			     opt_.pattern == "transpose" ? "square" : "power-of-two");
		return 2;
	}
	const auto t0 = std::chrono::steady_clock::now();
	dut_->lin_valid_i = 0;
	dut_->lout_ready_i = 0;
	dut_.reset();
	const uint64_t rate_ppm = (uint64_t)(opt_.rate * 1e6);
	uint64_t idle = 0, start = dut_.cycle();
	const uint64_t watchdog = 2000 + 64ull * (uint64_t)(X + Y) * (uint64_t)opt_.len;
	const bool bench = opt_.measure > 0;
	bool saturated = false;
	if (bench) {
		win_lo_ = start + (uint64_t)opt_.warmup;
		win_hi_ = win_lo_ + (uint64_t)opt_.measure;
		opt_.packets = 0x7fffffffffffffffL;
	}
	while (!failures_ && (injected_ < opt_.packets || delivered_ < injected_)) {
		if (bench && dut_.cycle() >= win_hi_) {
			if (win_done_ == win_packets_)
				break;
			if (dut_.cycle() >= win_hi_ + 20 * (uint64_t)opt_.measure) {
				saturated = true;
				break;
			}
		}
		// packet creation (in benchmark mode it goes on while the measured
		// packets drain, so that they see the same load)
		for (int s = 0; s < N && injected_ < opt_.packets; s++) {
			if (imnpu_rng_range(&rng_, 0, 999999) >= (int64_t)rate_ppm)
				continue;
			const int d = destination(s);
			if (d < 0)
				continue;
			const int len = opt_.fixlen ? opt_.len : (int)imnpu_rng_range(&rng_, 1, opt_.len);
			const size_t pair = (size_t)s * N + (size_t)d;
			txq_[(size_t)s].push_back({s, d, len, sent_seq_[pair]++});
			created_[pair].push_back(dut_.cycle());
			injected_++;
			if (dut_.cycle() >= win_lo_ && dut_.cycle() < win_hi_)
				win_packets_++;
		}
		// drive the network interfaces
		for (int n = 0; n < N; n++) {
			const bool has = !txq_[(size_t)n].empty();
			set_bit(dut_->lin_valid_i, n, has);
			if (has)
				set_flit(dut_->lin_data_i, n, make_flit(txq_[(size_t)n].front(), txpos_[(size_t)n]));
			set_bit(dut_->lout_ready_i, n, !imnpu_rng_chance(&bp_rng_, opt_.bp, 100));
		}
		dut_->eval();
		bool moved = false;
		for (int n = 0; n < N && !failures_; n++) {
			if (get_bit(dut_->lin_valid_i, n) && get_bit(dut_->lin_ready_o, n)) {
				moved = true;
				Packet &p = txq_[(size_t)n].front();
				if (++txpos_[(size_t)n] == p.len) {
					txq_[(size_t)n].pop_front();
					txpos_[(size_t)n] = 0;
				}
			}
			if (get_bit(dut_->lout_valid_o, n) && get_bit(dut_->lout_ready_i, n)) {
				moved = true;
				if (!eject(n, get_flit(dut_->lout_data_o, n)))
					failures_++;
			}
		}
		dut_.clock();
		idle = moved || delivered_ == injected_ ? 0 : idle + 1;
		if (idle > watchdog) {
			fail_header();
			std::printf("no flit moved for %" PRIu64 " cycles with %ld packets in flight: deadlock\n",
				    idle, injected_ - delivered_);
			failures_++;
		}
	}
	const uint64_t cycles = dut_.cycle() - start;
	const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	std::printf("mesh_tb: %ld packets injected, %ld delivered exactly once and in order, %ld failures\n",
		    injected_, delivered_, failures_);
	std::printf("mesh_tb: latency mean %.1f cycles, max %" PRIu64 "; accepted %.4f flits/node/cycle over %" PRIu64 " cycles\n",
		    delivered_ ? latency_sum_ / (double)delivered_ : 0.0, latency_max_,
		    cycles ? (double)flits_delivered_ / (double)N / (double)cycles : 0.0, cycles);
	std::printf("mesh_tb: simulation: %.0f cycles/s\n", (double)cycles / secs);
	if (bench && !failures_) {
		int senders = 0;
		for (int s = 0; s < N; s++) {
			double tot = 0;
			for (double v : traffic_from(opt_.pattern, s))
				tot += v;
			senders += tot > 0;
		}
		const double avg_len = opt_.fixlen ? opt_.len : (opt_.len + 1) / 2.0;
		const double scale = senders ? (double)senders : 1.0;
		std::printf("bench: mesh=%dx%d pattern=%s offered=%.4f accepted=%.4f latency=%.2f measured=%ld saturated=%d bound=%.4f cycles_per_s=%.0f\n",
			    X, Y, opt_.pattern.c_str(),
			    opt_.rate * avg_len,
			    (double)win_flits_ / scale / (double)opt_.measure,
			    win_done_ ? win_latency_ / (double)win_done_ : 0.0, win_done_, saturated ? 1 : 0,
			    ideal_throughput(opt_.pattern), (double)cycles / secs);
	}
	if (failures_) {
		std::printf("mesh_tb: replay: %s +seed=%" PRIu64 " +pattern=%s +rate=%g +len=%d%s +packets=%ld +bp=%u +trace\n",
			    argv0_, opt_.seed, opt_.pattern.c_str(), opt_.rate, opt_.len,
			    opt_.fixlen ? " +fixlen" : "", opt_.packets, opt_.bp);
		std::printf("mesh_tb: FAILED (seed %" PRIu64 ")\n", opt_.seed);
		return 1;
	}
	std::printf("mesh_tb: PASSED\n");
	return 0;
}

} // namespace

int main(int argc, char **argv)
{
	Options o;
	o.parse("mesh_tb", argc, argv, "build/" IMNPU_NAME "/" IMNPU_NAME "_mesh.fst");
	VerilatedContext probe;
	probe.commandArgs(argc, argv);
	std::string v;
	if (tb::plusarg(probe, "pattern", v)) {
		if (v != "uniform" && v != "transpose" && v != "bitcomp" && v != "hotspot" && v != "neighbor") {
			std::fprintf(stderr, "mesh_tb: error: +pattern=%s (allowed: uniform transpose bitcomp hotspot neighbor)\n",
				     v.c_str());
			return 2;
		}
		o.pattern = v;
	}
	if (tb::plusarg(probe, "rate", v)) {
		char *end = nullptr;
		o.rate = std::strtod(v.c_str(), &end);
		if (v.empty() || *end || o.rate < 0 || o.rate > 1) {
			std::fprintf(stderr, "mesh_tb: error: +rate=%s: expected a number 0..1\n", v.c_str());
			return 2;
		}
	}
	if (tb::plusarg(probe, "len", v))
		o.len = (int)tb::parse_long("mesh_tb", "len", v, 1, 255);
	o.fixlen = tb::plusarg(probe, "fixlen", v);
	if (tb::plusarg(probe, "packets", v))
		o.packets = tb::parse_long("mesh_tb", "packets", v, 1, 1000000000);
	if (tb::plusarg(probe, "bp", v))
		o.bp = (unsigned)tb::parse_long("mesh_tb", "bp", v, 0, 95);
	if (tb::plusarg(probe, "warmup", v))
		o.warmup = tb::parse_long("mesh_tb", "warmup", v, 0, 100000000);
	if (tb::plusarg(probe, "measure", v))
		o.measure = tb::parse_long("mesh_tb", "measure", v, 1, 100000000);
	Harness h(o, argc, argv);
	return h.run();
}
