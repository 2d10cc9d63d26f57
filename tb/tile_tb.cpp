// Tile testbench: drives the generated tile RTL through its configuration bus
// and streams, and compares every output vector against the golden model.
//
// Built once per configuration (make build/<cfg>/Vtile); the configuration's
// generated <cfg>_params.h is force-included, so this file names no size.
//
// Plusargs:
//   +seed=N       random seed (printed; default: from the clock)
//   +vectors=N    input vectors to run (default 200)
//   +reload=N     vectors between reprogramming weights and LDPU constants (default 50)
//   +stall=P      percent of cycles with an input gap or output back-pressure,
//                 in the vectors that are stalled (every fourth; default 30)
//   +trace[=F]    write an FST waveform (default build/<cfg>/<cfg>.fst)
//   +quiet        print only the summary
#include "imnpu_config.h" // this configuration's <cfg>_params.h
#include "Vtile.h"
#include "imnpu_golden.h"
#include "tb_common.h"

#include <deque>
#include <type_traits>
#include <vector>

#ifndef IMNPU_ROWS
#error "imnpu_config.h must include the configuration's <cfg>_params.h (scripts/build-model.sh)"
#endif

namespace {

struct Options : tb::Common {
	long vectors = 200;
	long reload = 50;
};

// One input vector in flight and what it must produce.
struct Job {
	long index;
	std::vector<int8_t> x;
	std::vector<int8_t> y;      // golden outputs
	std::vector<int64_t> acc;   // golden column results, for the report
	std::vector<int64_t> psum_in;  // partial sums added (when the batch adds them)
	std::vector<int64_t> psum;     // golden partial sums out
	bool stalled;               // random gaps/back-pressure in this job
	uint64_t first_in_cycle = 0;
	bool started = false;
	int next_col = 0;
};

// Coverage of the corners the arithmetic spec names.
struct Coverage {
	long sat_hi = 0, sat_lo = 0, ties = 0, relu_zero = 0, acc_extreme = 0, psum_sat = 0;
};

class Harness {
public:
	Harness(const Options &o, int argc, char **argv)
		: opt_(o), argv0_(argv[0]), top_(o, argc, argv, 500000u / IMNPU_CLOCK_MHZ)
	{
		p_.rows = IMNPU_ROWS;
		p_.cols = IMNPU_COLS;
		p_.in_bits = IMNPU_IN_BITS;
		p_.weight_bits = IMNPU_WEIGHT_BITS;
		p_.acc_bits = IMNPU_ACC_BITS;
		p_.psum_bits = IMNPU_PSUM_BITS;
		p_.scale_bits = IMNPU_SCALE_BITS;
		p_.offset_bits = IMNPU_OFFSET_BITS;
		p_.shift = IMNPU_SHIFT;
		imnpu_rng_seed(&rng_, opt_.seed);
		imnpu_rng_seed(&stall_rng_, opt_.seed ^ 0x9e3779b97f4a7c15ull);
		w_.resize((size_t)IMNPU_ROWS * IMNPU_COLS);
		scale_.resize(IMNPU_COLS);
		offset_.resize(IMNPU_COLS);
	}

	int run();

private:
	void clock() { top_.clock(); }
	void idle_inputs();
	void reset();
	void cfg_write(uint32_t addr, int32_t data);
	uint32_t cfg_read(uint32_t addr);
	void program(long batch);
	bool check_csr(const char *what, uint32_t addr, uint32_t want);
	void fail_header();
	void cover(const Job &j);

	Options opt_;
	const char *argv0_;
	tb::Clocked<Vtile> top_;
	imnpu_tile_params p_{};
	imnpu_rng rng_{};       // data: weights, constants, inputs
	imnpu_rng stall_rng_{}; // input gaps and back-pressure, a stream of its own
	                        // so that a shorter replay keeps the same cycles
	std::vector<int8_t> w_;
	std::vector<int32_t> scale_, offset_;
	int relu_ = 0;
	int psum_en_ = 0; // this batch adds incoming partial sums
	Coverage cov_;
	long failures_ = 0;
	long compared_ = 0;   // output values compared
	long mismatches_ = 0; // output values that differed from golden
	long vectors_ = 0;  // output vectors completed
	long fail_vector_ = -1; // first vector that went wrong, if known
};

void Harness::idle_inputs()
{
	top_->cfg_valid_i = 0;
	top_->cfg_we_i = 0;
	top_->in_valid_i = 0;
	top_->psum_valid_i = 0;
	top_->out_ready_i = 0;
}

void Harness::reset()
{
	idle_inputs();
	top_.reset();
}

void Harness::cfg_write(uint32_t addr, int32_t data)
{
	top_->cfg_valid_i = 1;
	top_->cfg_we_i = 1;
	top_->cfg_addr_i = addr;
	top_->cfg_wdata_i = (uint32_t)data;
	clock();
	top_->cfg_valid_i = 0;
	top_->cfg_we_i = 0;
}

uint32_t Harness::cfg_read(uint32_t addr)
{
	top_->cfg_valid_i = 1;
	top_->cfg_we_i = 0;
	top_->cfg_addr_i = addr;
	clock();
	top_->cfg_valid_i = 0;
	top_->eval();
	if (!top_->cfg_rvalid_o) {
		fail_header();
		std::printf("cfg read of 0x%x: cfg_rvalid_o low one cycle after the request\n", addr);
		failures_++;
	}
	uint32_t v = top_->cfg_rdata_o;
	clock();
	return v;
}

void Harness::fail_header()
{
	std::printf("tile_tb: FAIL at cycle %" PRIu64 ": ", top_.cycle());
}

bool Harness::check_csr(const char *what, uint32_t addr, uint32_t want)
{
	uint32_t got = cfg_read(IMNPU_ADDR(IMNPU_REGION_CSR, addr));
	if (got == want)
		return true;
	fail_header();
	std::printf("register %s: expected 0x%08x, got 0x%08x\n", what, want, got);
	failures_++;
	return false;
}

// Program fresh weights and LDPU constants.  Some writes carry values outside
// the field on purpose: the hardware clamps them (docs/arith.md 1), and the
// expected values are the clamped ones.
void Harness::program(long batch)
{
	imnpu_gen_batch(&p_, &rng_, w_.data(), scale_.data(), offset_.data());
	relu_ = (int)(batch & 1);
	psum_en_ = (int)((batch >> 1) & 1);
	const int64_t wmax = (1LL << (IMNPU_WEIGHT_BITS - 1)) - 1;

	for (int r = 0; r < IMNPU_ROWS; r++) {
		for (int c = 0; c < IMNPU_COLS; c++) {
			int64_t v = w_[(size_t)r * IMNPU_COLS + c];
			// extreme weights are sometimes written from beyond the range
			if ((v == wmax || v == -wmax) && imnpu_rng_chance(&rng_, 1, 2))
				v += (v > 0 ? 1 : -1) * imnpu_rng_range(&rng_, 1, 1000000);
			cfg_write(IMNPU_ADDR_WEIGHT(r, c), (int32_t)v);
		}
	}
	for (int c = 0; c < IMNPU_COLS; c++) {
		int64_t s = scale_[c];
		if (imnpu_rng_chance(&rng_, 1, 16)) { // beyond the field: clamps
			s = imnpu_rng_chance(&rng_, 1, 2) ? INT32_MAX : INT32_MIN;
			scale_[c] = (int32_t)imnpu_sat(s, IMNPU_SCALE_BITS);
		}
		cfg_write(IMNPU_ADDR_SCALE(c), (int32_t)s);
		cfg_write(IMNPU_ADDR_OFFSET(c), offset_[c]);
	}
	const uint32_t ctrl = (relu_ ? IMNPU_CTRL_RELU : 0u) | (psum_en_ ? IMNPU_CTRL_PSUM_IN : 0u);
	cfg_write(IMNPU_ADDR(IMNPU_REGION_CSR, IMNPU_REG_CTRL), (int32_t)ctrl);

	// Readback: every LDPU constant, and a sample of weights including the
	// first and last.
	for (int c = 0; c < IMNPU_COLS; c++) {
		int32_t s = (int32_t)cfg_read(IMNPU_ADDR_SCALE(c));
		int32_t o = (int32_t)cfg_read(IMNPU_ADDR_OFFSET(c));
		if (s != scale_[c] || o != offset_[c]) {
			fail_header();
			std::printf("LDPU readback column %d: expected scale %d offset %d, got scale %d offset %d\n",
				    c, scale_[c], offset_[c], s, o);
			failures_++;
			return;
		}
	}
	const size_t n = w_.size();
	for (int k = 0; k < 64; k++) {
		size_t i = k == 0 ? 0 : k == 1 ? n - 1 : (size_t)imnpu_rng_range(&rng_, 0, (int64_t)n - 1);
		int32_t got = (int32_t)cfg_read(IMNPU_ADDR(IMNPU_REGION_WEIGHT, i));
		if (got != w_[i]) {
			fail_header();
			std::printf("weight readback row %zu column %zu: expected %d, got %d\n",
				    i / IMNPU_COLS, i % IMNPU_COLS, w_[i], got);
			failures_++;
			return;
		}
	}
	check_csr("CTRL", IMNPU_REG_CTRL, ctrl);
}

void Harness::cover(const Job &j)
{
	const int64_t hi = (1LL << (IMNPU_IN_BITS - 1)) - 1;
	const int64_t extreme = (int64_t)IMNPU_ROWS * (1LL << (IMNPU_IN_BITS - 1)) *
				((1LL << (IMNPU_WEIGHT_BITS - 1)) - 1);
	for (int c = 0; c < IMNPU_COLS; c++) {
		const int64_t s = j.psum[c] * scale_[c] + offset_[c];
		if (psum_en_ && j.psum[c] != j.acc[c] + j.psum_in[c])
			cov_.psum_sat++;
		const int64_t q = imnpu_round_shift(s, IMNPU_SHIFT);
		if (IMNPU_SHIFT > 0) {
			const int64_t d = (int64_t)1 << IMNPU_SHIFT;
			const int64_t m = ((s % d) + d) % d;
			if (m == d / 2)
				cov_.ties++;
		}
		if (relu_ && q < 0)
			cov_.relu_zero++;
		else if (q > hi)
			cov_.sat_hi++;
		else if (q < -hi - 1)
			cov_.sat_lo++;
		if (j.acc[c] == extreme || j.acc[c] == -extreme)
			cov_.acc_extreme++;
	}
}

int Harness::run()
{
	const int expect_cycles = imnpu_tile_cycles(&p_);
	std::printf("tile_tb: config %s (%dx%d, in %d b, weight %d b, acc %d b, scale %d b, offset %d b, shift %d; gen %s, config %s)\n",
		    IMNPU_NAME, IMNPU_ROWS, IMNPU_COLS, IMNPU_IN_BITS, IMNPU_WEIGHT_BITS, IMNPU_ACC_BITS,
		    IMNPU_SCALE_BITS, IMNPU_OFFSET_BITS, IMNPU_SHIFT, IMNPU_GEN_VERSION, IMNPU_CONFIG_HASH);
	std::printf("tile_tb: seed=%" PRIu64 " vectors=%ld reload=%ld stall=%u%%\n", opt_.seed,
		    opt_.vectors, opt_.reload, opt_.stall);
	std::fflush(stdout);

	const auto t0 = std::chrono::steady_clock::now();
	reset();
	check_csr("ID", IMNPU_REG_ID, IMNPU_ID_VALUE);
	check_csr("GEOM", IMNPU_REG_GEOM, ((uint32_t)IMNPU_COLS << 16) | IMNPU_ROWS);
	check_csr("STATUS", IMNPU_REG_STATUS, 0);

	uint64_t sim_cycles0 = top_.cycle();
	long done = 0;
	long measured = 0;
	for (long batch = 0; done < opt_.vectors && !failures_; batch++) {
		program(batch);
		if (failures_)
			break;
		long n = opt_.reload;
		if (n > opt_.vectors - done)
			n = opt_.vectors - done;

		// Jobs of this batch: inputs queued, outputs expected in order.
		std::deque<Job> pending_in, pending_out;
		// the partial sums of every vector of the batch, in the order the
		// LDPU takes them, each with its vector's stall setting
		struct Psum {
			int64_t v;
			bool stalled;
		};
		std::deque<Psum> psum_fifo;
		for (long k = 0; k < n; k++) {
			Job j;
			j.index = done + k;
			j.x.resize(IMNPU_ROWS);
			j.y.resize(IMNPU_COLS);
			j.acc.resize(IMNPU_COLS);
			j.psum_in.assign(IMNPU_COLS, 0);
			j.psum.resize(IMNPU_COLS);
			j.stalled = (j.index % 4) == 3;
			imnpu_gen_inputs(&p_, &rng_, j.x.data());
			if (psum_en_)
				imnpu_gen_psum(&p_, &rng_, j.psum_in.data());
			imnpu_xbar_mvm_ideal(&p_, w_.data(), j.x.data(), j.acc.data());
			imnpu_ldpu_consts k_ = {scale_.data(), offset_.data(), relu_};
			imnpu_ldpu(&p_, &k_, j.acc.data(), psum_en_ ? j.psum_in.data() : nullptr,
				   j.psum.data(), j.y.data());
			for (int c = 0; c < IMNPU_COLS && psum_en_; c++)
				psum_fifo.push_back({j.psum_in[(size_t)c], j.stalled});
			pending_in.push_back(j);
		}
		size_t in_pos = 0;
		uint64_t watchdog = 0;
		while ((!pending_in.empty() || !pending_out.empty()) && !failures_) {
			Job *in = pending_in.empty() ? nullptr : &pending_in.front();
			Job *out = pending_out.empty() ? nullptr : &pending_out.front();
			// A stalled job stalls its own inputs and outputs; an
			// unstalled job runs against an always-ready consumer.
			bool gap = in && in->stalled && imnpu_rng_chance(&stall_rng_, opt_.stall, 100);
			bool bp = out && out->stalled && imnpu_rng_chance(&stall_rng_, opt_.stall, 100);
			top_->in_valid_i = in && !gap;
			top_->in_data_i = in ? (uint8_t)in->x[in_pos] : 0;
			top_->out_ready_i = !bp;
			const bool pgap = !psum_fifo.empty() && psum_fifo.front().stalled &&
					  imnpu_rng_chance(&stall_rng_, opt_.stall, 100);
			top_->psum_valid_i = !psum_fifo.empty() && !pgap;
			top_->psum_data_i = (std::remove_reference<decltype(top_->psum_data_i)>::type)(
				psum_fifo.empty() ? 0 : (uint64_t)psum_fifo.front().v);
			top_->eval();
			if (top_->psum_valid_i && top_->psum_ready_o)
				psum_fifo.pop_front();
			const bool in_fire = top_->in_valid_i && top_->in_ready_o;
			const bool out_fire = top_->out_valid_o && top_->out_ready_i;
			const int got = tb::sign_extend(top_->out_data_o, IMNPU_IN_BITS);
			const int64_t got_psum = tb::sign_extend64((uint64_t)top_->out_psum_o, IMNPU_PSUM_BITS);
			const int got_col = top_->out_col_o;
			const bool got_last = top_->out_last_o;
			if (in_fire) {
				if (!in->started) {
					in->started = true;
					in->first_in_cycle = top_.cycle();
				}
				if (++in_pos == (size_t)IMNPU_ROWS) {
					pending_out.push_back(*in);
					pending_in.pop_front();
					in_pos = 0;
					out = &pending_out.front();
				}
			}
			if (out_fire) {
				if (!out) {
					fail_header();
					std::printf("output column %d with no vector outstanding\n", got_col);
					failures_++;
					break;
				}
				const int c = out->next_col;
				const bool want_last = c == IMNPU_COLS - 1;
				if (got_col != c || got_last != want_last || got != out->y[c] ||
				    got_psum != out->psum[c]) {
					fail_header();
					std::printf("first divergence: vector %ld, column %d: expected %d, got %d",
						    out->index, c, out->y[c], got);
					if (got_psum != out->psum[c])
						std::printf(" (out_psum_o %" PRId64 ", expected %" PRId64 ")", got_psum,
							    out->psum[c]);
					if (got_col != c)
						std::printf(" (out_col_o %d, expected %d)", got_col, c);
					if (got_last != want_last)
						std::printf(" (out_last_o %d, expected %d)", got_last, want_last);
					std::printf("\ntile_tb:   acc %" PRId64 ", psum_in %" PRId64 " (%s), scale %d, offset %d, relu %d, shift %d\n",
						    out->acc[c], out->psum_in[c], psum_en_ ? "added" : "off",
						    scale_[c], offset_[c], relu_, IMNPU_SHIFT);
					failures_++;
					mismatches_++;
					fail_vector_ = out->index;
					break;
				}
				compared_++;
				if (++out->next_col == IMNPU_COLS) {
					vectors_++;
					if (!out->stalled) {
						// first input edge to last output edge, inclusive
						long cyc = (long)(top_.cycle() - out->first_in_cycle + 1);
						if (cyc != expect_cycles) {
							fail_header();
							std::printf("vector %ld took %ld cycles, the golden timing says %d\n",
								    out->index, cyc, expect_cycles);
							failures_++;
							fail_vector_ = out->index;
						}
						measured++;
					}
					cover(*out);
					pending_out.pop_front();
				}
			}
			clock();
			watchdog = (in_fire || out_fire) ? 0 : watchdog + 1;
			if (watchdog > (uint64_t)(4 * (IMNPU_ROWS + IMNPU_COLS) + 1000)) {
				fail_header();
				std::printf("no progress for %" PRIu64 " cycles (vector %ld)\n", watchdog,
					    out ? out->index : in ? in->index : -1);
				failures_++;
				fail_vector_ = out ? out->index : in ? in->index : 0;
			}
		}
		done += n;
		if (!opt_.quiet && !failures_)
			std::printf("tile_tb: batch %ld: %ld vectors ok (relu %d, partial sums %d)\n", batch,
				    done, relu_, psum_en_);
	}
	top_->out_ready_i = 0;
	top_->psum_valid_i = 0;
	if (!failures_) {
		check_csr("JOBS", IMNPU_REG_JOBS, (uint32_t)vectors_);
		check_csr("STATUS", IMNPU_REG_STATUS, 0);
	}
	const double secs =
		std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

	std::printf("tile_tb: %ld vectors, %ld outputs compared, %ld mismatches, %ld other failures\n",
		    vectors_, compared_, mismatches_, failures_ - mismatches_);
	std::printf("tile_tb: coverage: saturated high %ld, low %ld; rounding ties %ld; relu zeroed %ld; extreme |acc| %ld; partial sums saturated %ld\n",
		    cov_.sat_hi, cov_.sat_lo, cov_.ties, cov_.relu_zero, cov_.acc_extreme, cov_.psum_sat);
	std::printf("tile_tb: cycles per vector %d (golden timing, %ld unstalled vectors checked)\n",
		    expect_cycles, measured);
	std::printf("tile_tb: simulation: %.0f MVMs/s, %.2f Mcycles/s (%" PRIu64 " cycles in %.2f s)\n",
		    vectors_ / secs, (top_.cycle() - sim_cycles0) / secs / 1e6, top_.cycle() - sim_cycles0, secs);
	if (failures_) {
		// Everything up to the failure replays from the seed alone.
		const long upto = fail_vector_ >= 0 ? fail_vector_ + 1 : opt_.vectors;
		std::printf("tile_tb: replay: %s +seed=%" PRIu64 " +vectors=%ld +reload=%ld +stall=%u +trace\n",
			    argv0_, opt_.seed, upto, opt_.reload, opt_.stall);
		std::printf("tile_tb: FAILED (seed %" PRIu64 ")\n", opt_.seed);
		return 1;
	}
	std::printf("tile_tb: PASSED\n");
	return 0;
}

} // namespace

int main(int argc, char **argv)
{
	Options o;
	o.parse("tile_tb", argc, argv, "build/" IMNPU_NAME "/" IMNPU_NAME ".fst");
	{
		VerilatedContext probe;
		probe.commandArgs(argc, argv);
		std::string v;
		if (tb::plusarg(probe, "vectors", v))
			o.vectors = tb::parse_long("tile_tb", "vectors", v, 1, 100000000);
		if (tb::plusarg(probe, "reload", v))
			o.reload = tb::parse_long("tile_tb", "reload", v, 1, 100000000);
	}
	Harness h(o, argc, argv);
	return h.run();
}
