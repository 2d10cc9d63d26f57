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
//   +record=F     write the ports every cycle to F and F.vh, for a replay under
//                 Icarus (tb/record.h, tb/replay.v)
//   +pcm          (pcm macro) the PCM run instead: program, read back, set times,
//                 calibrate, and +vectors MVMs in each mode (1-phase, 4-phase,
//                 ideal) against the golden PCM model (docs/pcm.md)
//   +readback=all (with +pcm) read back every device after programming,
//                 else a sample of 2000
#include "imnpu_config.h" // this configuration's <cfg>_params.h
#include "Vtile.h"
#include "imnpu_golden.h"
#include "imnpu_pcm.h"
#include "imnpu_repair.h"
#include "chip_params.h"
#include "tb_common.h"
#include "record.h"

#include <deque>
#include <type_traits>
#include <vector>

#ifndef IMNPU_ROWS
#error "imnpu_config.h must include the configuration's <cfg>_params.h (scripts/build-model.sh)"
#endif

namespace {

// An activation as the in_data_i port takes it: IN_BITS two's-complement bits,
// the bits above cleared (Verilator expects a port's unused bits zero; a
// negative value's sign bits there reach whatever the RTL packs next to it).
uint8_t in_port(int x)
{
	return (uint8_t)((unsigned)x & ((1u << IMNPU_IN_BITS) - 1u));
}

struct Options : tb::Common {
	long vectors = 200;
	long reload = 50;
	bool pcm = false;
	bool readback_all = false;
	long stuck = -1;     // +stuck=PPM: STUCK_PPM written before programming
	bool repair = false; // +repair: the host's repair after programming
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
	int rows = IMNPU_ROWS;      // values streamed (in_last_i on the last when fewer)
	bool mark_last = false;     // in_last_i on the last value
	uint64_t first_in_cycle = 0;
	uint64_t last_in_cycle = 0;
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
		if (!o.record.empty())
			record(o.record);
	}

	int run();
#if IMNPU_MACRO_PCM
	int run_pcm();
#endif

private:
	void clock() { top_.clock(); }
	void record(const std::string &file)
	{
		constexpr int cw = tb::index_bits(IMNPU_COLS);
		tb::Recorder &r = rec_;
		r.in("rst_ni", 1, top_->rst_ni);
		r.in("cfg_valid_i", 1, top_->cfg_valid_i);
		r.in("cfg_we_i", 1, top_->cfg_we_i);
		r.in("cfg_addr_i", IMNPU_CFG_ADDR_BITS, top_->cfg_addr_i);
		r.in("cfg_wdata_i", 32, top_->cfg_wdata_i);
		r.in("in_valid_i", 1, top_->in_valid_i);
		r.in("in_data_i", IMNPU_IN_BITS, top_->in_data_i);
		r.in("in_last_i", 1, top_->in_last_i);
		r.in("psum_valid_i", 1, top_->psum_valid_i);
		r.in("psum_data_i", IMNPU_PSUM_BITS, top_->psum_data_i);
		r.in("out_ready_i", 1, top_->out_ready_i);
		r.out("cfg_rvalid_o", 1, top_->cfg_rvalid_o);
		r.out("cfg_rdata_o", 32, top_->cfg_rdata_o, "cfg_rvalid_o");
		r.out("in_ready_o", 1, top_->in_ready_o);
		r.out("psum_ready_o", 1, top_->psum_ready_o);
		r.out("out_valid_o", 1, top_->out_valid_o);
		r.out("out_data_o", IMNPU_IN_BITS, top_->out_data_o, "out_valid_o");
		r.out("out_psum_o", IMNPU_PSUM_BITS, top_->out_psum_o, "out_valid_o");
		r.out("out_col_o", cw, top_->out_col_o, "out_valid_o");
		r.out("out_last_o", 1, top_->out_last_o, "out_valid_o");
		r.out("cols_o", cw + 1, top_->cols_o);
		if (!r.open("tile_tb", file, IMNPU_NAME "_tile"))
			std::exit(2);
		top_.before_edge = [this] { rec_.sample(); };
	}
	void idle_inputs();
	void reset();
	void cfg_write(uint32_t addr, int32_t data);
	uint32_t cfg_read(uint32_t addr);
	void program(long batch);
	bool check_csr(const char *what, uint32_t addr, uint32_t want);
	void fail_header();
	void cover(const Job &j);
#if IMNPU_MACRO_PCM
	void pcm_wait(const char *what);
	bool pcm_readback(imnpu_pcm &m, bool all, const char *when);
	bool pcm_mvm(imnpu_pcm &m, int mode, long index);
	bool pcm_repair(imnpu_pcm &m);
	bool pcm_faults_and_map(imnpu_pcm &m);
	long pcm_compared_ = 0;
	std::string pcm_what_; // the step under way, for the report
#endif

	Options opt_;
	tb::Recorder rec_;
	const char *argv0_;
	tb::Clocked<Vtile> top_;
	imnpu_tile_params p_{};
	imnpu_rng rng_{};       // data: weights, constants, inputs
	imnpu_rng stall_rng_{}; // input gaps and back-pressure, a stream of its own
	                        // so that a shorter replay keeps the same cycles
	std::vector<int8_t> w_;
	std::vector<int32_t> scale_, offset_;
	int relu_ = 0;
	int shr_ = 0; // CTRL.SHR this batch: the LDPU shifts by IMNPU_SHIFT - shr_
	int psum_en_ = 0; // this batch adds incoming partial sums
	int ncols_ = IMNPU_COLS; // columns drained this batch (CTRL.COLS; 0 written for all)
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
	top_->in_last_i = 0;
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
	// CTRL.COLS: every column (0) in half the batches, else a random count,
	// written from beyond the field now and then (it clamps to cols)
	uint32_t cols_field = 0;
	ncols_ = IMNPU_COLS;
	if (batch % 2 == 1) {
		ncols_ = (int)imnpu_rng_range(&rng_, 1, IMNPU_COLS);
		cols_field = (uint32_t)ncols_;
		if (ncols_ == IMNPU_COLS && imnpu_rng_chance(&rng_, 1, 2))
			cols_field = (uint32_t)imnpu_rng_range(&rng_, IMNPU_COLS, 0xffff);
	}
	// CTRL.SHR: a shorter LDPU shift in one batch in four, written from
	// beyond the shift now and then (it clamps to the shift)
	uint32_t shr_field = 0;
	shr_ = 0;
	if (IMNPU_SHIFT > 0 && imnpu_rng_chance(&rng_, 1, 4)) {
		shr_ = (int)imnpu_rng_range(&rng_, 1, IMNPU_SHIFT);
		shr_field = (uint32_t)shr_;
		if (shr_ == IMNPU_SHIFT && imnpu_rng_chance(&rng_, 1, 2))
			shr_field = (uint32_t)imnpu_rng_range(&rng_, IMNPU_SHIFT, 63);
	}
	const uint32_t ctrl = (relu_ ? IMNPU_CTRL_RELU : 0u) | (psum_en_ ? IMNPU_CTRL_PSUM_IN : 0u) |
			      (shr_field << IMNPU_CTRL_SHR_LSB) | (cols_field << IMNPU_CTRL_COLS_LSB);
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
		int32_t got = (int32_t)cfg_read(IMNPU_ADDR_WEIGHT(i / IMNPU_COLS, i % IMNPU_COLS));
		if (got != w_[i]) {
			fail_header();
			std::printf("weight readback row %zu column %zu: expected %d, got %d\n",
				    i / IMNPU_COLS, i % IMNPU_COLS, w_[i], got);
			failures_++;
			return;
		}
	}
	check_csr("CTRL", IMNPU_REG_CTRL,
		  (ctrl & 0xfu) | (uint32_t)shr_ << IMNPU_CTRL_SHR_LSB |
			  (uint32_t)(cols_field > IMNPU_COLS ? IMNPU_COLS : cols_field) << IMNPU_CTRL_COLS_LSB);
}

void Harness::cover(const Job &j)
{
	const int64_t hi = (1LL << (IMNPU_IN_BITS - 1)) - 1;
	const int64_t extreme = (int64_t)IMNPU_ROWS * (1LL << (IMNPU_IN_BITS - 1)) *
				((1LL << (IMNPU_WEIGHT_BITS - 1)) - 1);
	for (int c = 0; c < ncols_; c++) {
		const int64_t s = j.psum[c] * scale_[c] + offset_[c];
		if (psum_en_ && j.psum[c] != j.acc[c] + j.psum_in[c])
			cov_.psum_sat++;
		const int sft = IMNPU_SHIFT - shr_;
		const int64_t q = imnpu_round_shift(s, sft);
		if (sft > 0) {
			const int64_t d = (int64_t)1 << sft;
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
	const int mvm_cycles = expect_cycles - IMNPU_ROWS - IMNPU_COLS - 1;
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
			// a shorter vector now and then: in_last_i on its last value,
			// the rows after it drive nothing
			if (imnpu_rng_chance(&rng_, 1, 3)) {
				j.rows = (int)imnpu_rng_range(&rng_, 1, IMNPU_ROWS);
				j.mark_last = true;
				for (int r = j.rows; r < IMNPU_ROWS; r++)
					j.x[(size_t)r] = 0;
			}
			if (psum_en_)
				imnpu_gen_psum(&p_, &rng_, j.psum_in.data());
			imnpu_xbar_mvm_ideal(&p_, w_.data(), j.x.data(), j.acc.data());
			imnpu_ldpu_consts k_ = {scale_.data(), offset_.data(), relu_, shr_};
			imnpu_ldpu(&p_, &k_, j.acc.data(), psum_en_ ? j.psum_in.data() : nullptr,
				   j.psum.data(), j.y.data());
			for (int c = 0; c < ncols_ && psum_en_; c++)
				psum_fifo.push_back({j.psum_in[(size_t)c], j.stalled});
			pending_in.push_back(j);
		}
		size_t in_pos = 0;
		uint64_t watchdog = 0;
		// the last output edge of the vector before, when it ran unstalled
		// (its timing then is the model's; after a stalled one nothing is
		// checked)
		bool prev_timed = false;
		uint64_t prev_last_out = 0;
		// a source holds valid (and its data) until ready: the stream rule
		// imnpu-wave check tests traces against
		bool in_held = false, p_held = false;
		while ((!pending_in.empty() || !pending_out.empty()) && !failures_) {
			Job *in = pending_in.empty() ? nullptr : &pending_in.front();
			Job *out = pending_out.empty() ? nullptr : &pending_out.front();
			// A stalled job stalls its own inputs and outputs; an
			// unstalled job runs against an always-ready consumer.
			bool gap = in && in->stalled && !in_held && imnpu_rng_chance(&stall_rng_, opt_.stall, 100);
			bool bp = out && out->stalled && imnpu_rng_chance(&stall_rng_, opt_.stall, 100);
			top_->in_valid_i = in && !gap;
			top_->in_data_i = in ? in_port(in->x[in_pos]) : 0;
			top_->in_last_i = in && in->mark_last && (int)in_pos + 1 == in->rows;
			top_->out_ready_i = !bp;
			const bool pgap = !psum_fifo.empty() && psum_fifo.front().stalled && !p_held &&
					  imnpu_rng_chance(&stall_rng_, opt_.stall, 100);
			top_->psum_valid_i = !psum_fifo.empty() && !pgap;
			top_->psum_data_i = (std::remove_reference<decltype(top_->psum_data_i)>::type)(
				psum_fifo.empty() ? 0 : (uint64_t)psum_fifo.front().v);
			top_->eval();
			in_held = top_->in_valid_i && !top_->in_ready_o;
			p_held = top_->psum_valid_i && !top_->psum_ready_o;
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
				if (++in_pos == (size_t)in->rows) {
					in->last_in_cycle = top_.cycle();
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
				const bool want_last = c == ncols_ - 1;
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
						    scale_[c], offset_[c], relu_, IMNPU_SHIFT - shr_);
					failures_++;
					mismatches_++;
					fail_vector_ = out->index;
					break;
				}
				compared_++;
				if (++out->next_col == ncols_) {
					vectors_++;
					// Timing (docs/tile.md): a vector starts on the edge
					// its last value arrives or the edge the drain before
					// it ends (one before that vector's last output),
					// whichever is later; its last output comes mvm +
					// columns + 1 edges after.  Checked on an unstalled
					// vector after an unstalled one (or the batch's first).
					const uint64_t now = top_.cycle();
					if (!out->stalled && (prev_timed || out->index == done)) {
						uint64_t start = out->last_in_cycle;
						if (out->index != done && prev_last_out - 1 > start)
							start = prev_last_out - 1;
						const uint64_t want = start + (uint64_t)mvm_cycles + (uint64_t)ncols_ + 1;
						if (now != want) {
							fail_header();
							std::printf("vector %ld (%d rows, %d columns) delivered its last output on "
								    "edge %" PRIu64 ", the timing model says %" PRIu64 "\n",
								    out->index, out->rows, ncols_, now, want);
							failures_++;
							fail_vector_ = out->index;
						}
						if (out->rows == IMNPU_ROWS && ncols_ == IMNPU_COLS &&
						    (out->index == done || prev_last_out - 1 <= out->last_in_cycle) &&
						    (long)(now - out->first_in_cycle + 1) != expect_cycles) {
							fail_header();
							std::printf("vector %ld took %ld cycles, the golden timing says %d\n",
								    out->index, (long)(now - out->first_in_cycle + 1), expect_cycles);
							failures_++;
							fail_vector_ = out->index;
						}
						measured++;
					}
					prev_timed = !out->stalled;
					prev_last_out = now;
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
			std::printf("tile_tb: batch %ld: %ld vectors ok (relu %d, partial sums %d, shift %d)\n", batch,
				    done, relu_, psum_en_, IMNPU_SHIFT - shr_);
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
		std::printf("tile_tb: waves: make waves CFG=%s WHAT=tile REPLAY=\"+seed=%" PRIu64
			    " +vectors=%ld +reload=%ld +stall=%u\"\n",
			    IMNPU_NAME, opt_.seed, upto, opt_.reload, opt_.stall);
		std::printf("tile_tb: FAILED (seed %" PRIu64 ")\n", opt_.seed);
		return 1;
	}
	std::printf("tile_tb: PASSED\n");
	return 0;
}

#if IMNPU_MACRO_PCM
// Clock until the macro's maintenance (programming, refresh, calibration) ends.
void Harness::pcm_wait(const char *what)
{
	const uint64_t limit = 8ull * IMNPU_ROWS * IMNPU_XCOLS + 10000;
	for (uint64_t n = 0; n < limit; n += 64) {
		for (int k = 0; k < 64; k++)
			clock();
		if (!(cfg_read(IMNPU_ADDR(IMNPU_REGION_CSR, IMNPU_REG_STATUS)) & IMNPU_STATUS_MACRO_BUSY))
			return;
	}
	fail_header();
	std::printf("%s: the macro stayed busy for %" PRIu64 " cycles\n", what, limit);
	failures_++;
}

// Device readback against the golden model: target, conductance as programmed,
// status, conductance now.  all (or an array of at most 2000 devices): every
// device; else a sample of 2000 with both ends.
bool Harness::pcm_readback(imnpu_pcm &m, bool all, const char *when)
{
	const long nd = 4L * IMNPU_ROWS * IMNPU_XCOLS; // every physical column
	if (nd <= 2000)
		all = true;
	const long n = all ? nd : 2000;
	for (long k = 0; k < n; k++) {
		const long i = all ? k : k == 0 ? 0 : k == 1 ? nd - 1 : (long)imnpu_rng_range(&rng_, 0, nd - 1);
		const uint32_t want[4] = {m.target[i], (uint32_t)m.gprog[i], m.status[i] | (uint32_t)m.fault[i] << 8,
					  (uint32_t)m.gt[i]};
		const unsigned region[4] = {IMNPU_REGION_TARGET, IMNPU_REGION_GPROG, IMNPU_REGION_PVSTAT,
					    IMNPU_REGION_GNOW};
		const char *name[4] = {"target level", "programmed conductance", "verify status",
				       "conductance now"};
		for (int f = 0; f < 4; f++) {
			const uint32_t got = cfg_read(IMNPU_ADDR(region[f], (uint32_t)i));
			pcm_compared_++;
			if (got != want[f]) {
				fail_header();
				std::printf("%s: device %ld (row %ld, column %ld, device %ld): %s %u, golden %u\n",
					    when, i, i / 4 / IMNPU_XCOLS, i / 4 % IMNPU_XCOLS, i % 4, name[f], got,
					    want[f]);
				failures_++;
				return false;
			}
		}
	}
	if (!opt_.quiet)
		std::printf("tile_tb: %s: %ld devices read back, equal to golden\n", when, n);
	return true;
}

// One MVM through the tile in a mode: every column's result (out_psum_o) and
// output, and the cycles from the first input to the last output.
bool Harness::pcm_mvm(imnpu_pcm &m, int mode, long index)
{
	std::vector<int8_t> x(IMNPU_ROWS), y(IMNPU_COLS);
	std::vector<int64_t> acc(IMNPU_COLS), ps(IMNPU_COLS);
	imnpu_gen_inputs(&p_, &rng_, x.data());
	imnpu_pcm_mvm(&m, mode, x.data(), acc.data());
	imnpu_ldpu_consts k = {scale_.data(), offset_.data(), relu_, shr_};
	imnpu_ldpu(&p_, &k, acc.data(), nullptr, ps.data(), y.data());
	uint64_t first = 0;
	int row = 0, col = 0;
	top_->out_ready_i = 1;
	for (uint64_t guard = 0; col < IMNPU_COLS; guard++) {
		top_->in_valid_i = row < IMNPU_ROWS;
		top_->in_data_i = row < IMNPU_ROWS ? in_port(x[(size_t)row]) : 0;
		top_->eval();
		if (top_->in_valid_i && top_->in_ready_o) {
			if (row == 0)
				first = top_.cycle();
			row++;
		}
		if (top_->out_valid_o) {
			const int64_t got = tb::sign_extend64((uint64_t)top_->out_psum_o, IMNPU_PSUM_BITS);
			const int goty = tb::sign_extend(top_->out_data_o, IMNPU_IN_BITS);
			pcm_compared_++;
			if (got != acc[(size_t)col] || goty != y[(size_t)col]) {
				fail_header();
				std::printf("first divergence: %s MVM %ld (macro MVM number %" PRIu64 "), column %d: result %" PRId64 ", golden %" PRId64 "; output %d, golden %d\n",
					    mode == IMNPU_MVM_4P ? "4-phase" : mode == IMNPU_MVM_1P ? "1-phase" : "ideal",
					    index, m.mvm_count - 1, col, got, acc[(size_t)col], goty, y[(size_t)col]);
				failures_++;
				mismatches_++;
				return false;
			}
			if (++col == IMNPU_COLS) {
				const long cyc = (long)(top_.cycle() - first + 1);
				const long want = IMNPU_ROWS + imnpu_pcm_mvm_cycles(&m.p, mode) + IMNPU_COLS + 1;
				if (cyc != want) {
					fail_header();
					std::printf("MVM %ld took %ld cycles, the golden timing says %ld\n", index, cyc, want);
					failures_++;
					return false;
				}
			}
		}
		clock();
		if (guard > 100000) {
			fail_header();
			std::printf("MVM %ld: no result after %" PRIu64 " cycles\n", index, guard);
			failures_++;
			return false;
		}
	}
	top_->in_valid_i = 0;
	vectors_++;
	return true;
}

// Before programming: STUCK_PPM (+stuck), fault overrides on 32 random
// devices (every kind, 0 among them), and with spare columns a random column
// map (some writes beyond the physical columns, which are ignored); each read
// back.
bool Harness::pcm_faults_and_map(imnpu_pcm &m)
{
	if (!check_csr("STUCK_PPM", IMNPU_REG_STUCK_PPM, IMNPU_PCM_STUCK_PPM) ||
	    !check_csr("XCOLS", IMNPU_REG_XCOLS, IMNPU_XCOLS))
		return false;
	if (opt_.stuck >= 0) {
		cfg_write(IMNPU_ADDR(IMNPU_REGION_CSR, IMNPU_REG_STUCK_PPM), (int32_t)opt_.stuck);
		m.p.stuck_ppm = (int)opt_.stuck;
		if (!check_csr("STUCK_PPM", IMNPU_REG_STUCK_PPM, (uint32_t)opt_.stuck))
			return false;
	}
	const long nd = 4L * IMNPU_ROWS * IMNPU_XCOLS;
	for (int k = 0; k < 32; k++) {
		const long i = (long)imnpu_rng_range(&rng_, 0, nd - 1);
		const int kind = k < 4 ? k : (int)imnpu_rng_range(&rng_, 0, 3);
		cfg_write(IMNPU_ADDR(IMNPU_REGION_PVSTAT, (uint32_t)i), kind | (int32_t)imnpu_rng_range(&rng_, 0, 15) << 2);
		imnpu_pcm_set_fault(&m, (size_t)i, kind);
	}
#if IMNPU_SPARE_COLS > 0
	for (int j = 0; j < IMNPU_COLS; j++) {
		if (!imnpu_rng_chance(&rng_, 1, 4))
			continue;
		const int c = (int)imnpu_rng_range(&rng_, 0, IMNPU_XCOLS + 2); // beyond: ignored
		cfg_write(IMNPU_ADDR(IMNPU_REGION_CSR, IMNPU_REG_COLMAP + (uint32_t)j), c);
		imnpu_pcm_set_colmap(&m, j, c);
	}
	for (int j = 0; j < IMNPU_COLS; j++) {
		char what[32];
		std::snprintf(what, sizeof what, "COLMAP[%d]", j);
		if (!check_csr(what, IMNPU_REG_COLMAP + (uint32_t)j, m.colmap[j]))
			return false;
	}
#endif
	return true;
}

// The host's repair (golden/imnpu_repair.c) run against the RTL's registers,
// every read compared with the golden macro's and every write and programming
// pass done on both; then every device read back.
namespace {
struct RepairIo {
	Harness *h;
	imnpu_pcm *m;
	imnpu_tile_io gold;
	bool bad = false;
	long reads = 0;
};
} // namespace

bool Harness::pcm_repair(imnpu_pcm &m)
{
	RepairIo r{this, &m, {}, false, 0};
	imnpu_repair_pcm_io(&m, &r.gold);
	imnpu_tile_io io;
	io.ctx = &r;
	io.read = [](void *ctx, unsigned region, uint32_t index) -> uint32_t {
		auto *q = static_cast<RepairIo *>(ctx);
		const uint32_t got = q->h->cfg_read(IMNPU_ADDR(region, index));
		const uint32_t want = q->gold.read(q->gold.ctx, region, index);
		q->reads++;
		if (got != want && !q->bad) {
			q->bad = true;
			q->h->fail_header();
			std::printf("repair: region %u index %u reads 0x%x, golden 0x%x\n", region, index, got, want);
			q->h->failures_++;
		}
		return got;
	};
	io.write = [](void *ctx, unsigned region, uint32_t index, int32_t v) {
		auto *q = static_cast<RepairIo *>(ctx);
		q->h->cfg_write(IMNPU_ADDR(region, index), v);
		q->gold.write(q->gold.ctx, region, index, v);
	};
	io.program = [](void *ctx) {
		auto *q = static_cast<RepairIo *>(ctx);
		q->h->cfg_write(IMNPU_ADDR(IMNPU_REGION_CSR, IMNPU_REG_CMD), IMNPU_CMD_PROGRAM);
		q->gold.program(q->gold.ctx);
		q->h->pcm_wait("repair programming");
	};
	imnpu_repair_report rep;
	imnpu_repair(&m.p, IMNPU_COLS, &io, 3, &rep);
	if (failures_)
		return false;
	std::printf("tile_tb: repair: %ld devices failed verify; %d passes, %ld weights re-targeted, %d columns moved, "
		    "error %ld -> %ld levels (%ld reads equal to golden)\n",
		    rep.failed_before, rep.passes, rep.retargeted, rep.moved, rep.residual_before, rep.residual, r.reads);
	if (!check_csr("PROG_FAILED", IMNPU_REG_PROG_FAILED, m.n_failed))
		return false;
	return pcm_readback(m, true, "after the repair");
}

int Harness::run_pcm()
{
	// the macro's parameters as the chip harnesses take them (tb/chip_params.h)
	const imnpu_pcm_params pp = tb::chip_params().pp;
	const uint32_t seed = (uint32_t)(opt_.seed & 0x7fffffffu);
	const uint32_t tile = (uint32_t)(opt_.seed % 997u);
	imnpu_pcm m;
	if (imnpu_pcm_init(&m, &pp, seed, tile)) {
		std::printf("tile_tb: out of memory\n");
		return 2;
	}
	std::printf("tile_tb: config %s, pcm macro (%dx%d, g_bits %d, adc_bits %d; gen %s, config %s)\n",
		    IMNPU_NAME, IMNPU_ROWS, IMNPU_COLS, IMNPU_PCM_G_BITS, IMNPU_PCM_ADC_BITS, IMNPU_GEN_VERSION,
		    IMNPU_CONFIG_HASH);
	std::printf("tile_tb: pcm run, seed=%" PRIu64 " (hash seed %u, tile %u), %ld MVMs a mode, readback %s\n",
		    opt_.seed, seed, tile, opt_.vectors, opt_.readback_all ? "all" : "sample");
	std::fflush(stdout);
	const auto t0 = std::chrono::steady_clock::now();
	reset();
	check_csr("SEED", IMNPU_REG_SEED, IMNPU_PCM_SEED);
	cfg_write(IMNPU_ADDR(IMNPU_REGION_CSR, IMNPU_REG_SEED), (int32_t)seed);
	cfg_write(IMNPU_ADDR(IMNPU_REGION_CSR, IMNPU_REG_TILE_ID), (int32_t)tile);
	check_csr("SEED", IMNPU_REG_SEED, seed);

	// Weights (the targets follow), then a few device targets written
	// directly, some beyond the level range (they clamp).
	imnpu_gen_batch(&p_, &rng_, w_.data(), scale_.data(), offset_.data());
	for (int r = 0; r < IMNPU_ROWS; r++)
		for (int c = 0; c < IMNPU_XCOLS; c++) { // spare columns: random weights of their own
			const int w = c < IMNPU_COLS ? w_[(size_t)r * IMNPU_COLS + c]
						     : (int)imnpu_rng_range(&rng_, -m.d.wm, m.d.wm);
			cfg_write(IMNPU_ADDR_WEIGHT(r, c), w);
			imnpu_pcm_set_weight(&m, r, c, w);
		}
	const int gl = (1 << IMNPU_PCM_G_BITS) - 1;
	for (int k = 0; k < 64; k++) {
		const long i = (long)imnpu_rng_range(&rng_, 0, 4L * IMNPU_ROWS * IMNPU_XCOLS - 1);
		const long v = imnpu_rng_range(&rng_, -5, gl + 5);
		cfg_write(IMNPU_ADDR(IMNPU_REGION_TARGET, (uint32_t)i), (int32_t)v);
		m.target[i] = (uint16_t)(v < 0 ? 0 : v > gl ? gl : v);
	}
	for (int c = 0; c < IMNPU_COLS; c++) {
		cfg_write(IMNPU_ADDR_SCALE(c), scale_[c]);
		cfg_write(IMNPU_ADDR_OFFSET(c), offset_[c]);
	}
	if (!pcm_faults_and_map(m))
		goto done;
	cfg_write(IMNPU_ADDR(IMNPU_REGION_CSR, IMNPU_REG_CMD), IMNPU_CMD_PROGRAM);
	imnpu_pcm_program(&m);
	pcm_wait("programming");
	if (failures_ || !pcm_readback(m, opt_.readback_all, "after programming"))
		goto done;
	if (opt_.repair && !pcm_repair(m))
		goto done;
	check_csr("PROG_FAILED", IMNPU_REG_PROG_FAILED, m.n_failed);
	check_csr("PROG_CYCLES_LO", IMNPU_REG_PROG_CYC_LO, (uint32_t)m.prog_cycles);
	check_csr("PROG_CYCLES_HI", IMNPU_REG_PROG_CYC_HI, (uint32_t)(m.prog_cycles >> 32));
	if (!opt_.quiet)
		std::printf("tile_tb: programmed %d devices: %u failed verify, %" PRIu64 " modelled cycles (%.1f a device)\n",
			    4 * IMNPU_ROWS * IMNPU_XCOLS, m.n_failed, m.prog_cycles,
			    (double)m.prog_cycles / (4.0 * IMNPU_ROWS * IMNPU_XCOLS));
	{
		// Times since programming: t_c, then later ones; at each, a
		// sample read back, a calibration, then MVMs in every mode.
		const uint32_t times[] = {20, 3600, 86400, 31536000};
		const int modes[3] = {IMNPU_MVM_1P, IMNPU_MVM_4P, IMNPU_MVM_IDEAL};
		const long per_time = (opt_.vectors + 3) / 4;
		long index = 0;
		for (int ti = 0; ti < 4 && !failures_; ti++) {
			cfg_write(IMNPU_ADDR(IMNPU_REGION_CSR, IMNPU_REG_TIME), (int32_t)times[ti]);
			imnpu_pcm_set_time(&m, times[ti]);
			pcm_wait("drift refresh");
			char when[64];
			std::snprintf(when, sizeof when, "at t = %u s", times[ti]);
			if (failures_ || !pcm_readback(m, false, when))
				break;
			for (int mi = 0; mi < 3 && !failures_; mi++) {
				const int mode = modes[mi];
				const int xcal = (int)imnpu_rng_range(&rng_, 1, (1 << (IMNPU_IN_BITS - 1)) - 1);
				relu_ = (int)imnpu_rng_range(&rng_, 0, 1);
				shr_ = 0;
				const uint32_t ctrl = (relu_ ? IMNPU_CTRL_RELU : 0u) |
						      (mode != IMNPU_MVM_IDEAL ? IMNPU_CTRL_PCM : 0u) |
						      (mode == IMNPU_MVM_4P ? IMNPU_CTRL_FOUR_PHASE : 0u);
				cfg_write(IMNPU_ADDR(IMNPU_REGION_CSR, IMNPU_REG_CTRL), (int32_t)ctrl);
				cfg_write(IMNPU_ADDR(IMNPU_REGION_CSR, IMNPU_REG_CAL_X), xcal);
				cfg_write(IMNPU_ADDR(IMNPU_REGION_CSR, IMNPU_REG_CMD), IMNPU_CMD_CALIBRATE);
				const int64_t cal = imnpu_pcm_calibrate(&m, mode, xcal);
				pcm_wait("calibration");
				if (!check_csr("CAL_SUM", IMNPU_REG_CAL_SUM, (uint32_t)cal))
					break;
				const long n = mode == IMNPU_MVM_IDEAL ? (per_time + 3) / 4 : per_time;
				for (long v = 0; v < n && !failures_; v++)
					pcm_mvm(m, mode, index++);
			}
			if (!opt_.quiet && !failures_)
				std::printf("tile_tb: t = %u s: calibration and MVMs in 1-phase, 4-phase and ideal agree with golden\n",
					    times[ti]);
		}
		if (!failures_)
			check_csr("MVMS", IMNPU_REG_MVMS, (uint32_t)m.mvm_count);
	}
done:
	const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	std::printf("tile_tb: pcm: %ld MVMs, %ld values compared (results, outputs, devices), %ld failures, %.1f s\n",
		    vectors_, pcm_compared_, failures_, secs);
	imnpu_pcm_free(&m);
	if (failures_) {
		char extra[64];
		std::snprintf(extra, sizeof extra, "%s%s", opt_.readback_all ? " +readback=all" : "",
			      opt_.repair ? " +repair" : "");
		if (opt_.stuck >= 0)
			std::snprintf(extra + std::strlen(extra), sizeof extra - std::strlen(extra), " +stuck=%ld", opt_.stuck);
		std::printf("tile_tb: replay: %s +pcm +seed=%" PRIu64 " +vectors=%ld%s +trace\n", argv0_, opt_.seed,
			    opt_.vectors, extra);
		std::printf("tile_tb: waves: make waves CFG=%s WHAT=tile REPLAY=\"+pcm +seed=%" PRIu64 " +vectors=%ld%s\"\n",
			    IMNPU_NAME, opt_.seed, opt_.vectors, extra);
		std::printf("tile_tb: FAILED (seed %" PRIu64 ")\n", opt_.seed);
		return 1;
	}
	std::printf("tile_tb: PASSED\n");
	return 0;
}
#endif

} // namespace

int main(int argc, char **argv)
{
	Options o;
	o.can_record = true;
	o.parse("tile_tb", argc, argv, "build/" IMNPU_NAME "/" IMNPU_NAME ".fst");
	{
		VerilatedContext probe;
		probe.commandArgs(argc, argv);
		std::string v;
		if (tb::plusarg(probe, "vectors", v))
			o.vectors = tb::parse_long("tile_tb", "vectors", v, 1, 100000000);
		if (tb::plusarg(probe, "reload", v))
			o.reload = tb::parse_long("tile_tb", "reload", v, 1, 100000000);

		o.pcm = tb::plusarg(probe, "pcm", v);
		if (tb::plusarg(probe, "stuck", v))
			o.stuck = tb::parse_long("tile_tb", "stuck", v, 0, 500000);
		o.repair = tb::plusarg(probe, "repair", v);
		if (tb::plusarg(probe, "readback", v)) {
			if (v != "all") {
				std::fprintf(stderr, "tile_tb: error: +readback=%s: allowed: +readback=all\n", v.c_str());
				return 2;
			}
			o.readback_all = true;
		}
	}
	Harness h(o, argc, argv);
#if IMNPU_MACRO_PCM
	if (o.pcm)
		return h.run_pcm();
#else
	if (o.pcm) {
		std::fprintf(stderr, "tile_tb: error: +pcm: configuration %s has the ideal macro (tile -macro pcm)\n",
			     IMNPU_NAME);
		return 2;
	}
#endif
	return h.run();
}
