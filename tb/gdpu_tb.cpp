// GDPU testbench: random jobs of every operation, through the configuration
// bus and the operand/result streams, each result compared against the golden
// model (docs/arith.md section 6).
//
// Plusargs (and those of tb_common.h: +seed +stall +trace +quiet):
//   +ops=N    results to compare per operation (default 2000)
//   +record=F write the ports every cycle to F and F.vh, for a replay under
//             Icarus (tb/record.h, tb/replay.v)
#include "imnpu_config.h" // this configuration's <cfg>_params.h
#include "Vgdpu.h"
#include "imnpu_golden.h"
#include "tb_common.h"
#include "record.h"

#include <cmath>
#include <deque>
#include <vector>

#ifndef IMNPU_GDPU_MAX_LEN
#error "imnpu_config.h must include the configuration's <cfg>_params.h (scripts/build-model.sh)"
#endif

namespace {

const char *const kOpName[] = {"?",       "SIGMOID", "TANH",   "EMUL", "RESADD",
			       "MAXPOOL", "AVGPOOL", "ARGMAX", "LSTM0", "LSTM"};
constexpr int kOps = 10;

struct Options : tb::Common {
	long ops = 2000;
};

struct Expect {
	int32_t value;
	bool last;
	long job;
	long index;    // result within the job
	long in_first; // index of the job's first input in the group's input list
};

class Harness {
public:
	Harness(const Options &o, int argc, char **argv)
		: opt_(o), argv0_(argv[0]), dut_(o, argc, argv, 500000u / IMNPU_CLOCK_MHZ)
	{
		p_.act_in_frac = IMNPU_GDPU_ACT_IN_FRAC;
		p_.lut_bits = IMNPU_GDPU_LUT_BITS;
		p_.cell_bits = IMNPU_GDPU_CELL_BITS;
		p_.cell_frac = IMNPU_GDPU_CELL_FRAC;
		p_.max_len = IMNPU_GDPU_MAX_LEN;
		imnpu_gdpu_init(&g_, &p_);
		imnpu_rng_seed(&rng_, o.seed);
		imnpu_rng_seed(&stall_rng_, o.seed ^ 0x9e3779b97f4a7c15ull);
		if (!o.record.empty())
			record(o.record);
	}
	int run();

private:
	void clock() { dut_.clock(); }
	void record(const std::string &file)
	{
		tb::Recorder &r = rec_;
		r.in("rst_ni", 1, dut_->rst_ni);
		r.in("cfg_valid_i", 1, dut_->cfg_valid_i);
		r.in("cfg_we_i", 1, dut_->cfg_we_i);
		r.in("cfg_addr_i", IMNPU_GDPU_INDEX_BITS + 2, dut_->cfg_addr_i);
		r.in("cfg_wdata_i", 32, dut_->cfg_wdata_i);
		r.in("in_valid_i", 1, dut_->in_valid_i);
		r.in("in_data_i", 8, dut_->in_data_i);
		r.in("out_ready_i", 1, dut_->out_ready_i);
		r.out("cfg_rvalid_o", 1, dut_->cfg_rvalid_o);
		r.out("cfg_rdata_o", 32, dut_->cfg_rdata_o, "cfg_rvalid_o");
		r.out("in_ready_o", 1, dut_->in_ready_o);
		r.out("out_valid_o", 1, dut_->out_valid_o);
		r.out("out_data_o", 16, dut_->out_data_o, "out_valid_o");
		r.out("out_last_o", 1, dut_->out_last_o, "out_valid_o");
		if (!r.open("gdpu_tb", file, IMNPU_NAME "_gdpu"))
			std::exit(2);
		dut_.before_edge = [this] { rec_.sample(); };
	}
	void fail_header() { std::printf("gdpu_tb: FAIL at cycle %" PRIu64 ": ", dut_.cycle()); }
	void cfg_write(unsigned index, int64_t v);
	int32_t cfg_read(unsigned region, unsigned index);
	void check_reg(const char *what, unsigned index, int32_t want);
	void program(const imnpu_gdpu_regs &r);
	imnpu_gdpu_regs draw_regs(int op);
	int8_t draw_operand(int op);
	bool run_group(const imnpu_gdpu_regs &r, long jobs, const std::vector<int8_t> *fixed);
	void check_cells(int len);
	double worst_act_error();

	Options opt_;
	tb::Recorder rec_;
	const char *argv0_;
	tb::Clocked<Vgdpu> dut_;
	imnpu_gdpu_params p_{};
	imnpu_gdpu g_;
	imnpu_rng rng_{}, stall_rng_{};
	long results_[kOps] = {};
	long jobs_ = 0;
	long failures_ = 0;
	long mismatches_ = 0;
	bool ties_seen_ = false;
};

int64_t clampv(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void Harness::cfg_write(unsigned index, int64_t v)
{
	dut_->cfg_valid_i = 1;
	dut_->cfg_we_i = 1;
	dut_->cfg_addr_i = IMNPU_GDPU_ADDR(0, index);
	dut_->cfg_wdata_i = (uint32_t)(int32_t)v;
	clock();
	dut_->cfg_valid_i = 0;
	dut_->cfg_we_i = 0;
}

int32_t Harness::cfg_read(unsigned region, unsigned index)
{
	dut_->cfg_valid_i = 1;
	dut_->cfg_we_i = 0;
	dut_->cfg_addr_i = IMNPU_GDPU_ADDR(region, index);
	clock();
	dut_->cfg_valid_i = 0;
	dut_->eval();
	if (!dut_->cfg_rvalid_o) {
		fail_header();
		std::printf("cfg read %u/%u: no cfg_rvalid_o\n", region, index);
		failures_++;
	}
	const int32_t v = (int32_t)dut_->cfg_rdata_o;
	clock();
	return v;
}

void Harness::check_reg(const char *what, unsigned index, int32_t want)
{
	const int32_t got = cfg_read(0, index);
	if (got != want) {
		fail_header();
		std::printf("register %s: expected %d (0x%x), got %d (0x%x)\n", what, want,
			    (unsigned)want, got, (unsigned)got);
		failures_++;
	}
}

// Write the registers of a job group.  Values are sometimes written from
// outside their field; the hardware clamps them, and r holds what it keeps.
void Harness::program(const imnpu_gdpu_regs &r)
{
	auto wild = [&](int64_t v, int64_t lo, int64_t hi) -> int64_t {
		if (!imnpu_rng_chance(&rng_, 1, 8) || (v != lo && v != hi))
			return v;
		return v == lo ? lo - imnpu_rng_range(&rng_, 1, 100000)
			       : hi + imnpu_rng_range(&rng_, 1, 100000);
	};
	cfg_write(IMNPU_GREG_OP, r.op);
	cfg_write(IMNPU_GREG_LEN, wild(r.len, 1, p_.max_len));
	cfg_write(IMNPU_GREG_WIN, wild(r.win, 1, p_.max_len));
	cfg_write(IMNPU_GREG_MUL_SHIFT, wild(r.mul_shift, 0, 15));
	cfg_write(IMNPU_GREG_SA, wild(r.sa, -32768, 32767));
	cfg_write(IMNPU_GREG_SB, wild(r.sb, -32768, 32767));
	cfg_write(IMNPU_GREG_ADD_SHIFT, wild(r.add_shift, 0, 31));
	cfg_write(IMNPU_GREG_AVG_MUL, wild(r.avg_mul, 0, 65535));
	cfg_write(IMNPU_GREG_AVG_SHIFT, wild(r.avg_shift, 0, 31));
	check_reg("OP", IMNPU_GREG_OP, r.op);
	check_reg("LEN", IMNPU_GREG_LEN, r.len);
	check_reg("WIN", IMNPU_GREG_WIN, r.win);
	check_reg("MUL_SHIFT", IMNPU_GREG_MUL_SHIFT, r.mul_shift);
	check_reg("SA", IMNPU_GREG_SA, r.sa);
	check_reg("SB", IMNPU_GREG_SB, r.sb);
	check_reg("ADD_SHIFT", IMNPU_GREG_ADD_SHIFT, r.add_shift);
	check_reg("AVG_MUL", IMNPU_GREG_AVG_MUL, r.avg_mul);
	check_reg("AVG_SHIFT", IMNPU_GREG_AVG_SHIFT, r.avg_shift);
}

imnpu_gdpu_regs Harness::draw_regs(int op)
{
	imnpu_gdpu_regs r{};
	const int ml = p_.max_len;
	r.op = op;
	r.len = (int)imnpu_rng_range(&rng_, 1, ml < 32 ? ml : 32);
	if (imnpu_rng_chance(&rng_, 1, 16))
		r.len = ml;
	r.win = (int)imnpu_rng_range(&rng_, 1, ml < 16 ? ml : 16);
	if (imnpu_rng_chance(&rng_, 1, 16)) { // the widest window: extreme sums
		r.win = ml;
		r.len = (int)imnpu_rng_range(&rng_, 1, ml < 2 ? ml : 2);
	}
	r.mul_shift = (int)imnpu_rng_corner(&rng_, 0, 15);
	r.sa = (int)imnpu_rng_corner(&rng_, -32768, 32767);
	r.sb = (int)imnpu_rng_corner(&rng_, -32768, 32767);
	r.add_shift = imnpu_rng_chance(&rng_, 1, 4) ? (int)imnpu_rng_corner(&rng_, 0, 31)
						   : (int)imnpu_rng_range(&rng_, 8, 20);
	r.avg_shift = imnpu_rng_chance(&rng_, 1, 4) ? (int)imnpu_rng_corner(&rng_, 0, 31)
						   : (int)imnpu_rng_range(&rng_, 8, 20);
	// the multiplier a host would compute, or any value at all
	r.avg_mul = imnpu_rng_chance(&rng_, 1, 4)
			    ? (int)imnpu_rng_corner(&rng_, 0, 65535)
			    : (int)clampv(std::llround(std::ldexp(1.0, r.avg_shift) / r.win), 0, 65535);
	return r;
}

int8_t Harness::draw_operand(int op)
{
	// ARGMAX: narrow values, so that ties (first index wins) are common
	if (op == IMNPU_OP_ARGMAX && imnpu_rng_chance(&rng_, 1, 2))
		return (int8_t)imnpu_rng_range(&rng_, -2, 2);
	return (int8_t)imnpu_rng_corner(&rng_, -128, 127);
}

// Stream `jobs` jobs with registers r (already programmed) and compare every
// result.  fixed, when given, is the whole input list.
bool Harness::run_group(const imnpu_gdpu_regs &r, long jobs, const std::vector<int8_t> *fixed)
{
	const long per_job = imnpu_gdpu_job_inputs(&r);
	const long res_per_job = imnpu_gdpu_job_results(&r);
	std::vector<int8_t> in;
	std::deque<Expect> want;
	std::vector<int32_t> out((size_t)res_per_job);
	for (long j = 0; j < jobs; j++) {
		const size_t base = in.size();
		for (long k = 0; k < per_job; k++)
			in.push_back(fixed ? (*fixed)[(size_t)(j * per_job + k)] : draw_operand(r.op));
		imnpu_gdpu_job(&g_, &r, in.data() + base, out.data());
		for (long k = 0; k < res_per_job; k++)
			want.push_back({out[(size_t)k], k == res_per_job - 1, jobs_ + j, k, (long)base});
		if (r.op == IMNPU_OP_ARGMAX) {
			int ties = 0;
			for (long k = 0; k < per_job; k++)
				ties += in[base + (size_t)k] == in[base + (size_t)out[0]];
			ties_seen_ |= ties > 1;
		}
	}
	size_t pos = 0;
	long watchdog = 0;
	while ((pos < in.size() || !want.empty()) && !failures_) {
		const bool gap = imnpu_rng_chance(&stall_rng_, opt_.stall, 100);
		const bool bp = imnpu_rng_chance(&stall_rng_, opt_.stall, 100);
		dut_->in_valid_i = pos < in.size() && !gap;
		dut_->in_data_i = pos < in.size() ? (uint8_t)in[pos] : 0;
		dut_->out_ready_i = !bp;
		dut_->eval();
		const bool in_fire = dut_->in_valid_i && dut_->in_ready_o;
		const bool out_fire = dut_->out_valid_o && dut_->out_ready_i;
		if (out_fire) {
			const int got = tb::sign_extend(dut_->out_data_o, 16);
			const bool last = dut_->out_last_o;
			if (want.empty()) {
				fail_header();
				std::printf("a result (%d) with none expected\n", got);
				failures_++;
				break;
			}
			const Expect e = want.front();
			if (got != e.value || last != e.last) {
				fail_header();
				std::printf("first divergence: op %s job %ld result %ld: expected %d%s, got %d%s\n",
					    kOpName[r.op], e.job, e.index, e.value, e.last ? " (last)" : "", got,
					    last ? " (last)" : "");
				std::printf("gdpu_tb:   LEN %d WIN %d MUL_SHIFT %d SA %d SB %d ADD_SHIFT %d AVG_MUL %d AVG_SHIFT %d; job inputs:",
					    r.len, r.win, r.mul_shift, r.sa, r.sb, r.add_shift, r.avg_mul,
					    r.avg_shift);
				for (long k = 0; k < per_job && k < 16; k++)
					std::printf(" %d", in[(size_t)(e.in_first + k)]);
				std::printf("%s\n", per_job > 16 ? " ..." : "");
				failures_++;
				mismatches_++;
				break;
			}
			want.pop_front();
			results_[r.op]++;
		}
		if (in_fire)
			pos++;
		clock();
		watchdog = (in_fire || out_fire) ? 0 : watchdog + 1;
		if (watchdog > 1000) {
			fail_header();
			std::printf("no progress for 1000 cycles (op %s, input %zu of %zu, %zu results due)\n",
				    kOpName[r.op], pos, in.size(), want.size());
			failures_++;
		}
	}
	dut_->in_valid_i = 0;
	dut_->out_ready_i = 0;
	jobs_ += jobs;
	return !failures_;
}

// The cell memory the host can read back equals golden's.
void Harness::check_cells(int len)
{
	for (int j = 0; j < len && !failures_; j++) {
		const int32_t got = cfg_read(1, (unsigned)j);
		if (got != g_.cell[j]) {
			fail_header();
			std::printf("cell memory readback element %d: expected %d, got %d\n", j, g_.cell[j],
				    got);
			failures_++;
		}
	}
}

double Harness::worst_act_error()
{
	const double es = imnpu_act_worst_error(IMNPU_ACT_SIGMOID, p_.act_in_frac, p_.lut_bits);
	const double et = imnpu_act_worst_error(IMNPU_ACT_TANH, p_.act_in_frac, p_.lut_bits);
	std::printf("gdpu_tb: worst error against double precision: sigmoid %.3f LSB, tanh %.3f LSB\n",
		    es, et);
	return es > et ? es : et;
}

int Harness::run()
{
	std::printf("gdpu_tb: config %s (act_in_frac %d, lut_bits %d, cell Q%d in %d b, max_len %d; gen %s, config %s)\n",
		    IMNPU_NAME, p_.act_in_frac, p_.lut_bits, p_.cell_frac, p_.cell_bits, p_.max_len,
		    IMNPU_GEN_VERSION, IMNPU_CONFIG_HASH);
	std::printf("gdpu_tb: seed=%" PRIu64 " ops=%ld stall=%u%%\n", opt_.seed, opt_.ops, opt_.stall);
	std::fflush(stdout);
	const auto t0 = std::chrono::steady_clock::now();
	dut_->cfg_valid_i = 0;
	dut_->in_valid_i = 0;
	dut_->out_ready_i = 0;
	dut_.reset();
	check_reg("ID", IMNPU_GREG_ID, (int32_t)IMNPU_GDPU_ID_VALUE);
	check_reg("MAX_LEN", IMNPU_GREG_MAX_LEN, p_.max_len);
	check_reg("FORMAT", IMNPU_GREG_FORMAT,
		  p_.cell_bits << 16 | p_.cell_frac << 8 | p_.lut_bits << 4 | p_.act_in_frac);

	// Every activation input, in order: the exhaustive check of both tables.
	for (int fn = IMNPU_OP_SIGMOID; fn <= IMNPU_OP_TANH && !failures_; fn++) {
		std::vector<int8_t> all;
		for (int q = -128; q < 128; q++)
			all.push_back((int8_t)q);
		imnpu_gdpu_regs r = draw_regs(fn);
		r.len = p_.max_len < 256 ? p_.max_len : 256;
		program(r);
		run_group(r, 256 / r.len, &all);
	}

	// Random groups until every operation has its count of results.
	while (!failures_) {
		int behind[kOps];
		int n = 0;
		for (int op = IMNPU_OP_SIGMOID; op <= IMNPU_OP_LSTM; op++)
			if (results_[op] < opt_.ops)
				behind[n++] = op;
		if (n == 0)
			break;
		const int op = behind[imnpu_rng_range(&rng_, 0, n - 1)];
		imnpu_gdpu_regs r = draw_regs(op);
		if (op == IMNPU_OP_LSTM0 || op == IMNPU_OP_LSTM) {
			// a sequence: one LSTM0 step, then LSTM steps on the same state
			r.op = IMNPU_OP_LSTM0;
			program(r);
			if (failures_ || !run_group(r, 1, nullptr))
				break;
			r.op = IMNPU_OP_LSTM;
		}
		program(r);
		if (failures_ || !run_group(r, imnpu_rng_range(&rng_, 1, 8), nullptr))
			break;
		if (r.op == IMNPU_OP_LSTM)
			check_cells(r.len);
	}
	if (!failures_) {
		check_reg("JOBS", IMNPU_GREG_JOBS, (int32_t)jobs_);
		check_reg("STATUS", IMNPU_GREG_STATUS, 0);
		if (!ties_seen_ && p_.max_len >= 2) {
			std::printf("gdpu_tb: FAIL: no ARGMAX job had a tie; the first-index rule went untested\n");
			failures_++;
		}
	}
	const double secs =
		std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	std::printf("gdpu_tb: results compared:");
	long total = 0;
	for (int op = IMNPU_OP_SIGMOID; op <= IMNPU_OP_LSTM; op++) {
		std::printf(" %s %ld", kOpName[op], results_[op]);
		total += results_[op];
	}
	std::printf("\ngdpu_tb: %ld jobs, %ld results, %ld mismatches, %ld other failures\n", jobs_, total,
		    mismatches_, failures_ - mismatches_);
	worst_act_error();
	std::printf("gdpu_tb: simulation: %.0f results/s (%" PRIu64 " cycles in %.2f s)\n", total / secs,
		    dut_.cycle(), secs);
	if (failures_) {
		std::printf("gdpu_tb: replay: %s +seed=%" PRIu64 " +ops=%ld +stall=%u +trace\n", argv0_,
			    opt_.seed, opt_.ops, opt_.stall);
		std::printf("gdpu_tb: waves: make waves CFG=%s WHAT=gdpu REPLAY=\"+seed=%" PRIu64 " +ops=%ld +stall=%u\"\n",
			    IMNPU_NAME, opt_.seed, opt_.ops, opt_.stall);
		std::printf("gdpu_tb: FAILED (seed %" PRIu64 ")\n", opt_.seed);
		return 1;
	}
	std::printf("gdpu_tb: PASSED\n");
	return 0;
}

} // namespace

int main(int argc, char **argv)
{
	Options o;
	o.can_record = true;
	o.parse("gdpu_tb", argc, argv, "build/" IMNPU_NAME "/" IMNPU_NAME "_gdpu.fst");
	{
		VerilatedContext probe;
		probe.commandArgs(argc, argv);
		std::string v;
		if (tb::plusarg(probe, "ops", v))
			o.ops = tb::parse_long("gdpu_tb", "ops", v, 1, 100000000);
	}
	Harness h(o, argc, argv);
	return h.run();
}
