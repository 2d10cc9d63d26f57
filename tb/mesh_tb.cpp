// Mesh traffic harness: synthetic traffic through the generated network
// interfaces and routers, a scoreboard on every packet, fault injection on
// the links, the link counters checked (docs/noc.md).
//
// Packets are created by a Bernoulli process (+rate packets per node per
// cycle) into an unbounded source queue, so latency counts queueing as
// BookSim does; receivers stall at random (+bp).  The scoreboard checks that
// every packet arrives exactly once at each of its destinations, intact, in
// order per source and destination, with the error flags its path earned; a
// watchdog fails the run if nothing moves for a while.  At the end every
// link's flit, corrected and uncorrectable counters, read through the mesh's
// statistics port, must equal what the harness sent and injected.
//
// Plusargs (and those of tb_common.h: +seed +trace +quiet):
//   +pattern=uniform|transpose|bitcomp|hotspot|neighbor   (default uniform)
//   +rate=R      packets per node per cycle (default 0.05)
//   +len=L       flits per packet without mask flits, 1..L at random
//                (default 4); +fixlen: always L
//   +packets=N   packets to create in all (default 20000), then drain
//   +bp=P        percent of cycles a receiver is not ready (default 20)
//   +mcast=P     percent of packets that are multicast, to a random set of
//                nodes (default 0)
//   +faults=K    flip bits on K link transfers, on links chosen at random
//   +fault_bits=1|2  bits per fault: 1 (corrected) or 2 (detected; only on
//                payload flits, whose framing bits a double flip must not hit)
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

#include <bitset>
#include <deque>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#ifndef IMNPU_NOC_X
#error "imnpu_config.h must include the configuration's <cfg>_params.h (scripts/build-model.sh)"
#endif

namespace {

// X*Y routers and their nodes, then E edge nodes at (x, Y), x < E, on the
// south ports of the last row (docs/noc.md)
constexpr int X = IMNPU_NOC_X, Y = IMNPU_NOC_Y, R = X * Y, E = IMNPU_NOC_EDGE, N = IMNPU_NOC_NODES;
constexpr int FW = IMNPU_NOC_FLIT_BITS;
static_assert(N == R + E, "nodes are the routers' and the edge nodes");
constexpr int XW = IMNPU_NOC_XW, YW = IMNPU_NOC_YW, IDW = XW + YW;
constexpr int IW = IMNPU_NOC_INFO_BITS, PW = IMNPU_NOC_PAYLOAD_BITS, M = IMNPU_NOC_MASK_FLITS;
constexpr int CW = IMNPU_NOC_CODE_BITS, LINKS = 6 * N, MB = IMNPU_NOC_MCAST_BEATS;
constexpr int LINK_N = 0, LINK_E = 1, LINK_S = 2, LINK_W = 3, LINK_INJ = 4, LINK_EJ = 5;
typedef std::bitset<256> nodeset;
static_assert(N <= 256, "nodeset holds 256 nodes");

using tb::get_bit;
using tb::set_bit;

// w <= 64 bits at lsb
template <class T> uint64_t get_field(const T &v, int lsb, int w)
{
	uint64_t r = 0;
	for (int i = 0; i < w; i++)
		r |= (uint64_t)get_bit(v, lsb + i) << i;
	return r;
}
template <class T> void set_field(T &v, int lsb, int w, uint64_t x)
{
	for (int i = 0; i < w; i++)
		set_bit(v, lsb + i, i < 64 && ((x >> i) & 1));
}
uint64_t low_mask(int w)
{
	return w >= 64 ? ~0ull : (1ull << w) - 1;
}

int addr_of(int node)
{
	return ((node / X) << XW) | (node % X);
}
// -1 when the address names no node
int node_of(uint64_t addr)
{
	const int x = (int)(addr & low_mask(XW)), y = (int)(addr >> XW);
	return x < X && (y < Y || (y == Y && x < E)) ? y * X + x : -1;
}

// The links a flit crosses from src to dst (X first; injection and ejection
// included), in the mesh's numbering: node*6 + LINK_*.
void route_links(int src, int dst, std::vector<int> &out)
{
	out.push_back(src * 6 + LINK_INJ);
	// an edge node's injection link enters the router above it; one
	// bound for an edge node leaves by that node's ejection link
	int x = src % X, y = src < R ? src / X : Y - 1;
	const int dx = dst % X, dy = dst < R ? dst / X : Y - 1;
	while (x != dx) {
		out.push_back((y * X + x) * 6 + (dx > x ? LINK_E : LINK_W));
		x += dx > x ? 1 : -1;
	}
	while (y != dy) {
		out.push_back((y * X + x) * 6 + (dy > y ? LINK_S : LINK_N));
		y += dy > y ? 1 : -1;
	}
	out.push_back(dst * 6 + LINK_EJ);
}

// Which link exists, and the statistics port (node, port) of its receiver.
bool link_receiver(int k, int &node, int &port)
{
	const int n = k / 6, j = k % 6, x = n % X, y = n / X;
	if (n >= R) { // an edge node: into the south input above, out to itself
		node = j == LINK_INJ ? (Y - 1) * X + x : n;
		port = j == LINK_INJ ? 3 : 5;
		return j == LINK_INJ || j == LINK_EJ;
	}
	switch (j) {
	case LINK_N: node = n - X; port = 3; return y > 0;
	case LINK_E: node = n + 1; port = 4; return x < X - 1;
	case LINK_S: node = n + X; port = 1; return y < Y - 1;
	case LINK_W: node = n - 1; port = 2; return x > 0;
	case LINK_INJ: node = n; port = 0; return true;
	default: node = n; port = 5; return true;
	}
}

// Payload of beat idx of packet (src, id): a hash of its identity.
uint64_t payload(int src, uint64_t id, int idx)
{
	imnpu_rng r;
	imnpu_rng_seed(&r, ((uint64_t)src << 48) ^ (id << 12) ^ (uint64_t)idx);
	return imnpu_rng_next(&r) & low_mask(PW);
}

struct Packet {
	int dst;      // unicast destination, -1 for multicast
	int beats;    // payload beats the node sends
	nodeset mask; // multicast destinations
	uint64_t created;
	int left;     // deliveries still due
	// payload beats delivered: a multicast keeps its first MB
	int kept() const { return dst < 0 && beats > MB ? MB : beats; }
	// flits of one copy in the network
	int flits() const { return 1 + (dst < 0 ? M : 0) + kept(); }
};

// A flip on a link: which copy of the packet it hit (its destinations), how
// many bits, which flit of the copy.
struct Hit {
	int link, bits, flit;
	nodeset copy;
};

// The copies a multicast leaves its source as: one per destination column
// and side (north of the source's row; the row and south), as the network
// interface sends them (docs/noc.md).
std::vector<nodeset> mcast_copies(int src, const nodeset &mask)
{
	std::vector<nodeset> out;
	const int sy = src / X;
	for (int c = 0; c < X; c++)
		for (int side = 0; side < 2; side++) {
			nodeset g;
			for (int y = 0; y <= Y; y++)
				if (y * X + c < N && (y < sy) == (side == 0) && mask.test((size_t)(y * X + c)))
					g.set((size_t)(y * X + c));
			if (g.any())
				out.push_back(g);
		}
	return out;
}

// The pattern's traffic from src: destination -> fraction of src's packets.
std::vector<double> traffic_from(const std::string &pattern, int src)
{
	std::vector<double> w((size_t)N, 0.0);
	const int x = src % X, y = src / X;
	if (src >= R && (pattern == "transpose" || pattern == "bitcomp" || pattern == "neighbor"))
		return w; // the permutations are the routers' nodes'; edge nodes stay silent
	if (pattern == "transpose") {
		if (x != y)
			w[(size_t)(x * X + y)] = 1.0;
	} else if (pattern == "bitcomp") {
		w[(size_t)((~src) & (R - 1))] = 1.0;
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
	std::vector<double> load((size_t)LINKS, 0.0);
	int senders = 0;
	std::vector<int> path;
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
			path.clear();
			route_links(s, d, path);
			for (int k : path)
				load[(size_t)k] += p;
		}
	}
	double worst = 0;
	for (double v : load)
		worst = v > worst ? v : worst;
	return worst > 0 && senders > 0 ? 1.0 / worst : 0.0;
}

struct Options : tb::Common {
	std::string pattern = "uniform";
	double rate = 0.05;
	int len = 4;
	bool fixlen = false;
	long packets = 20000;
	unsigned bp = 20;
	unsigned mcast = 0;
	long faults = 0;
	int fault_bits = 1;
	long warmup = 2000;
	long measure = 0; // > 0: benchmark mode
};

// A packet being received at a node.
struct Rx {
	bool active = false;
	int src = 0, got = 0;
	uint64_t id = 0;
};

// The framing of one channel of the probed link (an ejection link carries
// five interleaved channels, the others one).
struct Chan {
	bool synced = false;
	int src = 0;
	uint64_t id = 0;
	int next = 0, total = 0; // index of the channel's next flit in its packet
	nodeset copy;            // the copy's destinations, from its mask flits
	std::vector<Hit> pending; // flips on it before the mask flits passed
};

// The link under the probe.
struct Probe {
	int state = 0; // 0 idle, 1 watching, 2 armed, 3 naming the copy a flip hit
	int link = 0;
	uint64_t since = 0;
	Chan ch[5];
};

class Harness {
public:
	Harness(const Options &o, int argc, char **argv)
		: opt_(o), argv0_(argv[0]), dut_(o, argc, argv, 500000u / IMNPU_CLOCK_MHZ),
		  pk_(N), txq_(N), txpos_(N, 0), txload_(N, 0), rx_((size_t)N * 5), expect_((size_t)N * N),
		  link_flits_((size_t)LINKS, 0), link_hits_((size_t)LINKS * 3, 0)
	{
		imnpu_rng_seed(&rng_, o.seed);
		imnpu_rng_seed(&bp_rng_, o.seed ^ 0x9e3779b97f4a7c15ull);
		imnpu_rng_seed(&fi_rng_, o.seed ^ 0x5851f42d4c957f2dull);
	}
	int run();

private:
	void create(int src, uint64_t now);
	void load_beat(int n);
	bool receive(int node);
	void probe_setup();
	void probe_flip();
	void probe_transfer(const std::vector<int> &flip);
	bool check_counters();
	uint32_t read_stat(int node, int port, int kind);
	unsigned expected_flags(int src, uint64_t id, int dst, int beat_skip[2]);
	void fail_header() { std::printf("mesh_tb: FAIL at cycle %" PRIu64 ": ", dut_.cycle()); }

	Options opt_;
	const char *argv0_;
	tb::Clocked<Vmesh> dut_;
	imnpu_rng rng_{}, bp_rng_{}, fi_rng_{};
	std::vector<std::vector<Packet>> pk_; // per source, by id
	std::vector<std::deque<uint64_t>> txq_;
	std::vector<int> txpos_; // beat of the front packet: 0 header, then payload
	std::vector<char> txload_; // the front beat is on node n's tx ports
	std::vector<Rx> rx_;
	std::vector<std::deque<uint64_t>> expect_; // per (src, dst): ids in order
	std::vector<uint64_t> link_flits_;         // flits each link must have carried
	std::vector<char> link_seen_ = std::vector<char>((size_t)LINKS, 0); // create()'s scratch
	std::vector<uint64_t> link_hits_;          // per link: [1] single, [2] double flips
	std::vector<uint64_t> dropped_ = std::vector<uint64_t>((size_t)N, 0); // multicast beats past MB
	std::vector<uint64_t> open_ = std::vector<uint64_t>((size_t)N, 0);    // oldest packet with deliveries due
	std::map<std::pair<int, uint64_t>, std::vector<Hit>> hits_;
	Probe probe_;
	long created_ = 0, deliveries_due_ = 0, delivered_ = 0, failures_ = 0;
	long mcasts_ = 0, faults_done_ = 0, flagged_ = 0;
	long flits_delivered_ = 0;
	// benchmark window
	uint64_t win_lo_ = 0, win_hi_ = 0;
	long win_flits_ = 0, win_packets_ = 0, win_done_ = 0;
	double win_latency_ = 0;
	double latency_sum_ = 0;
	uint64_t latency_max_ = 0;
};

void Harness::create(int src, uint64_t now)
{
	const int x = src % X, y = src / X;
	const std::string &p = opt_.pattern;
	Packet pk{};
	pk.created = now;
	pk.left = 0;
	pk.beats = (opt_.fixlen ? opt_.len : (int)imnpu_rng_range(&rng_, 1, opt_.len)) - 1;
	if (opt_.mcast && imnpu_rng_chance(&rng_, opt_.mcast, 100)) {
		// a random set of 1..N nodes, this one included or not
		const int k = (int)imnpu_rng_range(&rng_, 1, N);
		std::vector<int> all((size_t)N);
		for (int i = 0; i < N; i++)
			all[(size_t)i] = i;
		for (int i = 0; i < k; i++) {
			const int j = (int)imnpu_rng_range(&rng_, i, N - 1);
			std::swap(all[(size_t)i], all[(size_t)j]);
			pk.mask.set((size_t)all[(size_t)i]);
		}
		pk.dst = -1;
		mcasts_++;
	} else {
		int d;
		if (src >= R && (p == "transpose" || p == "bitcomp" || p == "neighbor"))
			d = -1; // the permutations are the routers' nodes'
		else if (p == "transpose")
			d = x == y ? -1 : x * X + y; // (x, y) -> (y, x); the diagonal is silent
		else if (p == "bitcomp")
			d = (~src) & (R - 1);
		else if (p == "neighbor")
			d = y * X + (x + 1) % X;
		else if (p == "hotspot" && imnpu_rng_chance(&rng_, 1, 5))
			d = src == 0 ? -1 : 0; // a fifth of the traffic to node 0
		else if (N == 1)
			d = 0;
		else {
			d = (int)imnpu_rng_range(&rng_, 0, N - 2); // uniform, not to itself
			d = d >= src ? d + 1 : d;
		}
		if (d < 0)
			return;
		pk.dst = d;
		pk.mask.set((size_t)d);
	}
	const uint64_t id = pk_[(size_t)src].size();
	pk_[(size_t)src].push_back(pk);
	txq_[(size_t)src].push_back(id);
	// what each destination expects, and what each link will carry
	for (int d = 0; d < N; d++) {
		if (!pk.mask.test((size_t)d))
			continue;
		expect_[(size_t)src * N + (size_t)d].push_back(id);
		deliveries_due_++;
		pk_[(size_t)src][id].left++;
	}
	if (pk.dst < 0 && pk.beats > MB)
		dropped_[(size_t)src] += (uint64_t)(pk.beats - MB);
	// every link a copy crosses carries its flits once (the links of a
	// unicast path are distinct; a multicast copy's paths share links)
	std::vector<int> path;
	for (const nodeset &copy : pk.dst < 0 ? mcast_copies(src, pk.mask) : std::vector<nodeset>{pk.mask}) {
		path.clear();
		for (int d = 0; d < N; d++)
			if (copy.test((size_t)d))
				route_links(src, d, path);
		for (int k : path)
			if (!link_seen_[(size_t)k]) {
				link_seen_[(size_t)k] = 1;
				link_flits_[(size_t)k] += (uint64_t)pk.flits();
			}
		for (int k : path)
			link_seen_[(size_t)k] = 0;
	}
	created_++;
	if (now >= win_lo_ && now < win_hi_)
		win_packets_++;
}

// Put node n's current beat on its tx ports (once per beat: the ports hold
// while valid).
void Harness::load_beat(int n)
{
	const uint64_t id = txq_[(size_t)n].front();
	const Packet &p = pk_[(size_t)n][id];
	const int pos = txpos_[(size_t)n];
	set_bit(dut_->tx_last_i, n, pos == p.beats);
	if (pos == 0) {
		set_bit(dut_->tx_mcast_i, n, p.dst < 0);
		set_field(dut_->tx_dest_i, n * IDW, IDW, p.dst < 0 ? 0 : (uint64_t)addr_of(p.dst));
		for (int i = 0; i < N; i++)
			set_bit(dut_->tx_mask_i, n * N + i, p.dst < 0 && p.mask.test((size_t)i));
		set_field(dut_->tx_info_i, n * IW, IW, id & low_mask(IW));
	} else {
		set_field(dut_->tx_data_i, n * PW, PW, payload(n, id, pos - 1));
	}
	txload_[(size_t)n] = 1;
}

// The flags packet (src, id) must arrive with at dst: bit 0 if a single flip
// hit it on the way, bit 1 if a double one did; beat_skip gets the payload
// beats a double flip corrupted (-1 if none).
unsigned Harness::expected_flags(int src, uint64_t id, int dst, int beat_skip[2])
{
	beat_skip[0] = beat_skip[1] = -1;
	auto it = hits_.find({src, id});
	if (it == hits_.end())
		return 0;
	std::vector<int> path;
	route_links(src, dst, path);
	const Packet &p = pk_[(size_t)src][id];
	unsigned f = 0;
	int ns = 0;
	for (const Hit &h : it->second) {
		if (!h.copy.test((size_t)dst))
			continue;
		bool on = false;
		for (int k : path)
			on = on || k == h.link;
		if (!on)
			continue;
		f |= h.bits == 1 ? 1u : 2u;
		if (h.bits == 2 && ns < 2)
			beat_skip[ns++] = h.flit - 1 - (p.dst < 0 ? M : 0);
	}
	return f;
}

// One beat leaves the network at node; the scoreboard checks it.
bool Harness::receive(int node)
{
	const int chan = (int)get_field(dut_->rx_chan_o, node * 3, 3);
	Rx &r = rx_[(size_t)node * 5 + (size_t)(chan < 5 ? chan : 0)];
	const bool head = get_bit(dut_->rx_head_o, node), last = get_bit(dut_->rx_last_o, node);
	const bool mcast = get_bit(dut_->rx_mcast_o, node);
	const unsigned err = (unsigned)get_field(dut_->rx_err_o, node * 2, 2);
	if (head) {
		if (r.active) {
			fail_header();
			std::printf("node %d channel %d: a header beat inside packet %" PRIu64 " from node %d (beat %d)\n",
				    node, chan, r.id, r.src, r.got);
			return false;
		}
		const uint64_t addr = get_field(dut_->rx_src_o, node * IDW, IDW);
		const uint64_t info = get_field(dut_->rx_info_o, node * IW, IW);
		const int src = node_of(addr);
		if (src < 0) {
			fail_header();
			std::printf("node %d: a packet from address 0x%" PRIx64 ", which is no node\n", node, addr);
			return false;
		}
		std::deque<uint64_t> &q = expect_[(size_t)src * N + (size_t)node];
		if (q.empty() || (q.front() & low_mask(IW)) != info) {
			fail_header();
			if (q.empty())
				std::printf("node %d: packet %" PRIu64 " (id mod 2^%d) from node %d, which sent this node nothing more: misrouted or duplicated\n",
					    node, info, IW, src);
			else
				std::printf("node %d: packet %" PRIu64 " (id mod 2^%d) from node %d; expected packet %" PRIu64 ": lost, reordered or misrouted\n",
					    node, info, IW, src, q.front());
			return false;
		}
		const uint64_t id = q.front();
		q.pop_front();
		const Packet &p = pk_[(size_t)src][id];
		if (mcast != (p.dst < 0) || last != (p.kept() == 0)) {
			fail_header();
			std::printf("node %d: packet %" PRIu64 " from node %d: multicast %d last %d, expected %d %d\n",
				    node, id, src, mcast, last, p.dst < 0, p.kept() == 0);
			return false;
		}
		r = Rx{true, src, 0, id};
	} else {
		if (!r.active) {
			fail_header();
			std::printf("node %d channel %d: a payload beat outside any packet\n", node, chan);
			return false;
		}
		const Packet &p = pk_[(size_t)r.src][r.id];
		int skip[2];
		expected_flags(r.src, r.id, node, skip);
		const uint64_t data = get_field(dut_->rx_data_o, node * PW, PW);
		const bool corrupt_ok = r.got == skip[0] || r.got == skip[1];
		if ((!corrupt_ok && data != payload(r.src, r.id, r.got)) || last != (r.got == p.kept() - 1)) {
			fail_header();
			std::printf("node %d: beat %d of packet %" PRIu64 " from node %d: data 0x%" PRIx64
				    " last %d, expected 0x%" PRIx64 " last %d\n",
				    node, r.got, r.id, r.src, data, last, payload(r.src, r.id, r.got),
				    r.got == p.kept() - 1);
			return false;
		}
		r.got++;
	}
	flits_delivered_++;
	if (dut_.cycle() >= win_lo_ && dut_.cycle() < win_hi_)
		win_flits_++;
	if (last) {
		int skip[2];
		const unsigned want = expected_flags(r.src, r.id, node, skip);
		if (err != want) {
			fail_header();
			std::printf("node %d: packet %" PRIu64 " from node %d arrived with error flags %u, expected %u (bit 0 corrected, bit 1 uncorrectable)\n",
				    node, r.id, r.src, err, want);
			return false;
		}
		flagged_ += err != 0;
		delivered_++;
		pk_[(size_t)r.src][r.id].left--;
		std::vector<Packet> &v = pk_[(size_t)r.src];
		uint64_t &o = open_[(size_t)r.src];
		while (o < v.size() && v[o].left == 0)
			o++;
		const uint64_t born = pk_[(size_t)r.src][r.id].created;
		const uint64_t lat = dut_.cycle() - born;
		if (born >= win_lo_ && born < win_hi_) {
			win_done_++;
			win_latency_ += (double)lat;
		}
		latency_sum_ += (double)lat;
		if (lat > latency_max_)
			latency_max_ = lat;
		r.active = false;
	}
	return true;
}

// Choose a link to watch; no flip until probe_flip sees the transfer.
void Harness::probe_setup()
{
	Probe &pr = probe_;
	if (pr.state == 0 && faults_done_ < opt_.faults && imnpu_rng_chance(&fi_rng_, 1, 8)) {
		int node, port;
		do
			pr.link = (int)imnpu_rng_range(&fi_rng_, 0, LINKS - 1);
		while (!link_receiver(pr.link, node, port));
		pr.state = 1;
		for (Chan &c : pr.ch)
			c = Chan{};
		pr.since = dut_.cycle();
	}
	if ((pr.state == 1 || pr.state == 2) && dut_.cycle() - pr.since > 3000)
		pr.state = 0; // an idle link: try another
	set_field(dut_->dbg_link_i, 0, IMNPU_NOC_LINK_BITS, (uint64_t)pr.link);
	for (int i = 0; i < CW; i++)
		set_bit(dut_->dbg_flip_i, i, false);
}

// After eval: if the probed link transfers a flit the harness can name,
// flip bits of it (eval again: the flip changes no handshake), then follow
// the link's framing.
void Harness::probe_flip()
{
	Probe &pr = probe_;
	if (pr.state == 0 || !dut_->dbg_valid_o || !dut_->dbg_ready_o)
		return;
	const int chan = dut_->dbg_chan_o < 5 ? dut_->dbg_chan_o : 0;
	const Chan &c = pr.ch[chan];
	const bool head = get_bit(dut_->dbg_code_o, FW - 2);
	std::vector<int> flip;
	if (pr.state == 2 && (head || c.synced)) {
		if (opt_.fault_bits == 1) {
			flip.push_back((int)imnpu_rng_range(&fi_rng_, 0, CW - 1));
		} else if (!head && c.next >= 1 + (pk_[(size_t)c.src][c.id].dst < 0 ? M : 0)) {
			// a payload flit: payload and check bits, never the kind bits
			// or the flags, which a double flip would make lie
			const int nb = PW + (CW - (FW + 2));
			const int a = (int)imnpu_rng_range(&fi_rng_, 0, nb - 1);
			int b = (int)imnpu_rng_range(&fi_rng_, 0, nb - 2);
			b = b >= a ? b + 1 : b;
			for (int v : {a, b})
				flip.push_back(v < PW ? v : FW + 2 + (v - PW));
		}
	}
	if (!flip.empty()) {
		for (int b : flip)
			set_bit(dut_->dbg_flip_i, b, true);
		dut_->eval();
	}
	probe_transfer(flip);
}

// A transfer on the probed link: follow its framing, record a flip.
void Harness::probe_transfer(const std::vector<int> &flip)
{
	Probe &pr = probe_;
	const int chan = dut_->dbg_chan_o < 5 ? dut_->dbg_chan_o : 0;
	Chan &c = pr.ch[chan];
	const bool head = get_bit(dut_->dbg_code_o, FW - 2);
	if (c.next == 0 || !c.synced) {
		if (!head && !c.synced) // joined mid-packet: wait for a head
			return;
		if (!head) {
			fail_header();
			std::printf("link %d channel %d: a body flit where a head flit was due\n", pr.link, chan);
			failures_++;
			return;
		}
		// the info field holds the id modulo 2^IW: the packet is the oldest
		// one in flight from src with those low bits (fewer than 2^IW
		// packets of one source are ever in flight)
		const int src = node_of(get_field(dut_->dbg_code_o, IW, IDW));
		const uint64_t low = get_field(dut_->dbg_code_o, 0, IW);
		const uint64_t base = src < 0 ? 0 : open_[(size_t)src];
		const uint64_t id = base + ((low - base) & low_mask(IW));
		if (src < 0 || id >= pk_[(size_t)src].size()) {
			fail_header();
			std::printf("link %d: a head flit from address 0x%" PRIx64 ", packet %" PRIu64 ", which was never sent\n",
				    pr.link, get_field(dut_->dbg_code_o, IW, IDW), id);
			failures_++;
			return;
		}
		c.synced = true;
		c.src = src;
		c.id = id;
		c.next = 0;
		c.total = pk_[(size_t)src][id].flits();
		c.copy.reset();
		c.pending.clear();
		if (pk_[(size_t)src][id].dst >= 0)
			c.copy.set((size_t)pk_[(size_t)src][id].dst);
		if (pr.state == 1)
			pr.state = 2;
	}
	const int flit = c.next;
	const bool mc = pk_[(size_t)c.src][c.id].dst < 0;
	if (mc && flit >= 1 && flit <= M) // a mask flit (before any flip)
		for (int i = 0; i < PW && (flit - 1) * PW + i < N; i++)
			if (get_bit(dut_->dbg_code_o, i))
				c.copy.set((size_t)((flit - 1) * PW + i));
	c.next = c.next + 1 == c.total ? 0 : c.next + 1;
	if (!flip.empty()) {
		const int bits = (int)flip.size();
		c.pending.push_back({pr.link, bits, flit, nodeset()});
		link_hits_[(size_t)pr.link * 3 + (size_t)bits]++;
		faults_done_++;
		pr.state = 3;
	}
	if (!c.pending.empty() && (!mc || flit >= M)) { // the copy is known
		for (Hit &h : c.pending) {
			h.copy = c.copy;
			hits_[{c.src, c.id}].push_back(h);
		}
		c.pending.clear();
		if (pr.state == 3)
			pr.state = 0;
	}
}

// Every link's counters, read through the statistics port, against what the
// harness sent and injected.
uint32_t Harness::read_stat(int node, int port, int kind)
{
	set_field(dut_->stat_node_i, 0, IMNPU_NOC_NODE_BITS, (uint64_t)node);
	dut_->stat_port_i = (uint8_t)port;
	dut_->stat_kind_i = (uint8_t)kind;
	dut_->eval();
	return dut_->stat_o;
}

bool Harness::check_counters()
{
	static const char *const kinds[3] = {"flit", "corrected", "uncorrectable"};
	long bad = 0, links = 0;
	uint64_t total[3] = {0, 0, 0};
	for (int k = 0; k < LINKS; k++) {
		int node, port;
		if (!link_receiver(k, node, port))
			continue;
		links++;
		const uint64_t want[3] = {link_flits_[(size_t)k], link_hits_[(size_t)k * 3 + 1],
					  link_hits_[(size_t)k * 3 + 2]};
		for (int kind = 0; kind < 3; kind++) {
			total[kind] += want[kind];
			const uint32_t got = read_stat(node, port, kind);
			if (got != (want[kind] & 0xffffffffull) && bad++ < 10) {
				fail_header();
				std::printf("link %d (node %d port %d): %s counter %u, expected %" PRIu64 "\n", k, node,
					    port, kinds[kind], got, want[kind]);
			}
		}
	}
	for (int n = 0; n < N; n++) {
		const uint32_t got = read_stat(n, 5, 3);
		if (got != (dropped_[(size_t)n] & 0xffffffffull) && bad++ < 10) {
			fail_header();
			std::printf("node %d: %u multicast beats dropped, expected %" PRIu64 "\n", n, got,
				    dropped_[(size_t)n]);
		}
	}
	std::printf("mesh_tb: counters of %ld links checked: %" PRIu64 " flits, %" PRIu64 " corrected, %" PRIu64
		    " uncorrectable in all; %ld wrong\n",
		    links, total[0], total[1], total[2], bad);
	return bad == 0;
}

int Harness::run()
{
	std::printf("mesh_tb: config %s (%dx%d mesh, %d edge nodes, %d-bit flits, %d-flit buffers, %d-bit links; gen %s, "
		    "config %s)\n",
		    IMNPU_NAME, X, Y, E, FW, IMNPU_NOC_BUF_DEPTH, CW, IMNPU_GEN_VERSION, IMNPU_CONFIG_HASH);
	std::printf("mesh_tb: seed=%" PRIu64 " pattern=%s rate=%.4f len=%s%d packets=%ld bp=%u%% mcast=%u%% faults=%ld x %d bit\n",
		    opt_.seed, opt_.pattern.c_str(), opt_.rate, opt_.fixlen ? "" : "1..", opt_.len,
		    opt_.packets, opt_.bp, opt_.mcast, opt_.faults, opt_.fault_bits);
	std::fflush(stdout);
	if ((opt_.pattern == "transpose" && X != Y) || (opt_.pattern == "bitcomp" && (R & (R - 1)))) {
		std::fprintf(stderr, "mesh_tb: error: +pattern=%s needs a %s mesh\n", opt_.pattern.c_str(),
			     opt_.pattern == "transpose" ? "square" : "power-of-two");
		return 2;
	}
	const auto t0 = std::chrono::steady_clock::now();
	for (int n = 0; n < N; n++) { // ports of any width (256 nodes: sw_big)
		set_bit(dut_->tx_valid_i, n, false);
		set_bit(dut_->rx_ready_i, n, false);
	}
	dut_.reset();
	const uint64_t rate_ppm = (uint64_t)(opt_.rate * 1e6);
	uint64_t idle = 0, start = dut_.cycle();
	const uint64_t watchdog = 2000 + 64ull * (uint64_t)(X + Y) * (uint64_t)(opt_.len + M);
	const bool bench = opt_.measure > 0;
	bool saturated = false;
	if (bench) {
		win_lo_ = start + (uint64_t)opt_.warmup;
		win_hi_ = win_lo_ + (uint64_t)opt_.measure;
		opt_.packets = 0x7fffffffffffffffL;
	}
	while (!failures_ && (created_ < opt_.packets || delivered_ < deliveries_due_)) {
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
		for (int s = 0; s < N && created_ < opt_.packets; s++)
			if (imnpu_rng_range(&rng_, 0, 999999) < (int64_t)rate_ppm)
				create(s, dut_.cycle());
		// drive the network interfaces
		for (int n = 0; n < N; n++) {
			const bool has = !txq_[(size_t)n].empty();
			set_bit(dut_->tx_valid_i, n, has);
			if (has && !txload_[(size_t)n])
				load_beat(n);
			set_bit(dut_->rx_ready_i, n, !imnpu_rng_chance(&bp_rng_, opt_.bp, 100));
		}
		if (opt_.faults)
			probe_setup();
		dut_.eval();
		if (opt_.faults)
			probe_flip();
		bool moved = false;
		for (int n = 0; n < N && !failures_; n++) {
			if (get_bit(dut_->tx_valid_i, n) && get_bit(dut_->tx_ready_o, n)) {
				moved = true;
				txload_[(size_t)n] = 0;
				const Packet &p = pk_[(size_t)n][txq_[(size_t)n].front()];
				if (txpos_[(size_t)n]++ == p.beats) {
					txq_[(size_t)n].pop_front();
					txpos_[(size_t)n] = 0;
				}
			}
			if (get_bit(dut_->rx_valid_o, n) && get_bit(dut_->rx_ready_i, n)) {
				moved = true;
				if (!receive(n))
					failures_++;
			}
		}
		dut_.clock();
		idle = moved || delivered_ == deliveries_due_ ? 0 : idle + 1;
		if (idle > watchdog) {
			fail_header();
			std::printf("nothing moved for %" PRIu64 " cycles with %ld deliveries due: deadlock\n",
				    idle, deliveries_due_ - delivered_);
			failures_++;
		}
	}
	const uint64_t cycles = dut_.cycle() - start;
	const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	std::printf("mesh_tb: %ld packets (%ld multicast), %ld deliveries, each exactly once and in order; %ld failures\n",
		    created_, mcasts_, delivered_, failures_);
	if (!bench && !failures_ && !check_counters())
		failures_++;
	if (opt_.faults) {
		std::printf("mesh_tb: faults: %ld of %ld injected (%d bit%s each); %ld deliveries flagged, each as its path earned\n",
			    faults_done_, opt_.faults, opt_.fault_bits, opt_.fault_bits > 1 ? "s" : "", flagged_);
		if (!failures_ && faults_done_ < opt_.faults) {
			fail_header();
			std::printf("only %ld of %ld faults injected: too little traffic\n", faults_done_, opt_.faults);
			failures_++;
		}
	}
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
		char args[512];
		std::snprintf(args, sizeof args,
			      "+seed=%" PRIu64 " +pattern=%s +rate=%g +len=%d%s +packets=%ld +bp=%u +mcast=%u +faults=%ld +fault_bits=%d",
			      opt_.seed, opt_.pattern.c_str(), opt_.rate, opt_.len, opt_.fixlen ? " +fixlen" : "",
			      opt_.packets, opt_.bp, opt_.mcast, opt_.faults, opt_.fault_bits);
		std::printf("mesh_tb: replay: %s %s +trace\n", argv0_, args);
		std::printf("mesh_tb: waves: make waves CFG=%s WHAT=mesh REPLAY=\"%s\"\n", IMNPU_NAME, args);
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
	if (tb::plusarg(probe, "mcast", v))
		o.mcast = (unsigned)tb::parse_long("mesh_tb", "mcast", v, 0, 100);
	if (tb::plusarg(probe, "faults", v))
		o.faults = tb::parse_long("mesh_tb", "faults", v, 0, 100000000);
	if (tb::plusarg(probe, "fault_bits", v))
		o.fault_bits = (int)tb::parse_long("mesh_tb", "fault_bits", v, 1, 2);
	if (tb::plusarg(probe, "warmup", v))
		o.warmup = tb::parse_long("mesh_tb", "warmup", v, 0, 100000000);
	if (tb::plusarg(probe, "measure", v))
		o.measure = tb::parse_long("mesh_tb", "measure", v, 1, 100000000);
	Harness h(o, argc, argv);
	return h.run();
}
