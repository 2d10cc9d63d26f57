// What every unit harness shares: plusargs, the seed, the clock, FST
// tracing.  Each harness includes it once and adds its own checks.
#ifndef IMNPU_TB_COMMON_H
#define IMNPU_TB_COMMON_H

#include <verilated.h>
#if VM_TRACE
#include <verilated_fst_c.h>
#endif

#include <chrono>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <unistd.h>

namespace tb {

#if VM_COVERAGE
// make coverage (docs/coverage.md): a model built with COVERAGE=1 writes
// its line and toggle counts, when the harness ends, to
// $IMNPU_COV_DIR/<model>-<pid>-<k>.dat; exit() included (atexit), a crash not.
inline VerilatedContext *&coverage_context()
{
	static VerilatedContext *c = nullptr;
	return c;
}
inline void coverage_write()
{
	VerilatedContext *c = coverage_context();
	const char *dir = std::getenv("IMNPU_COV_DIR");
	if (!c || !dir || !*dir)
		return;
	coverage_context() = nullptr;
#define IMNPU_COV_STR2(x) #x
#define IMNPU_COV_STR(x) IMNPU_COV_STR2(x)
	static int written = 0; // a harness may build more than one model
	char path[4096];
	std::snprintf(path, sizeof path, "%s/%s-%ld-%d.dat", dir, IMNPU_COV_STR(IMNPU_COV_MODEL), (long)getpid(),
		      written++);
	c->coveragep()->write(path);
}
#endif

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

// "+name=value" or "+name": true when present, value after '='.
inline bool plusarg(VerilatedContext &ctx, const char *name, std::string &val)
{
	const char *m = ctx.commandArgsPlusMatch(name);
	if (!m || !*m)
		return false;
	const size_t n = std::strlen(name);
	// commandArgsPlusMatch matches prefixes: "+trace" also matches "+tracefoo"
	if (m[1 + n] != '\0' && m[1 + n] != '=')
		return false;
	val = m[1 + n] == '=' ? std::string(m + 2 + n) : std::string();
	return true;
}

inline long parse_long(const char *tool, const char *what, const std::string &s, long lo, long hi)
{
	char *end = nullptr;
	long v = std::strtol(s.c_str(), &end, 0);
	if (s.empty() || *end || v < lo || v > hi) {
		std::fprintf(stderr, "%s: error: +%s=%s: expected an integer %ld..%ld\n", tool, what,
			     s.c_str(), lo, hi);
		std::exit(2);
	}
	return v;
}

// A value of `bits` bits from the model, as a signed integer.
inline int sign_extend(uint32_t v, int bits)
{
	const uint32_t m = 1u << (bits - 1);
	v &= (m << 1) - 1u;
	return (int)(v ^ m) - (int)m;
}

// The same for values up to 64 bits wide.
inline int64_t sign_extend64(uint64_t v, int bits)
{
	if (bits >= 64)
		return (int64_t)v;
	const uint64_t m = 1ull << (bits - 1);
	v &= (m << 1) - 1u;
	return (int64_t)(v ^ m) - (int64_t)m;
}

// "TOOL: FAIL at cycle N: " and the message, one line: how a harness
// reports the first divergence it finds.
inline void fail_report(const char *tool, uint64_t cycle, const char *fmt, va_list ap)
{
	std::printf("%s: FAIL at cycle %" PRIu64 ": ", tool, cycle);
	std::vprintf(fmt, ap);
	std::printf("\n");
}

// Options every harness takes: +seed=N +trace[=F] +quiet +stall=P +record=F.
struct Common {
	uint64_t seed = 0;
	bool trace = false;
	std::string trace_file;
	bool quiet = false;
	unsigned stall = 30;
	std::string record; // +record=F: port vectors for a replay (tb/record.h)
	bool can_record = false; // set by a harness that implements +record

	// Parse; unknown plusargs are the harness's own.  default_trace names the
	// FST written by a bare +trace.
	void parse(const char *tool, int argc, char **argv, const std::string &default_trace)
	{
		VerilatedContext probe;
		probe.commandArgs(argc, argv);
		std::string v;
		bool given = false;
		if (plusarg(probe, "seed", v)) {
			char *end = nullptr;
			seed = std::strtoull(v.c_str(), &end, 0);
			if (v.empty() || *end) {
				std::fprintf(stderr, "%s: error: +seed=%s: expected an unsigned integer\n",
					     tool, v.c_str());
				std::exit(2);
			}
			given = true;
		}
		if (plusarg(probe, "record", v)) {
			if (v.empty()) {
				std::fprintf(stderr, "%s: error: +record needs a file: +record=F\n", tool);
				std::exit(2);
			}
			if (!can_record) {
				std::fprintf(stderr, "%s: error: +record: this harness does not record its ports (the tile and GDPU harnesses do)\n",
					     tool);
				std::exit(2);
			}
			record = v;
		}
		if (plusarg(probe, "stall", v))
			stall = (unsigned)parse_long(tool, "stall", v, 0, 95);
		if (plusarg(probe, "trace", v)) {
#if VM_TRACE
			trace = true;
			trace_file = v.empty() ? default_trace : v;
#else
			std::fprintf(stderr, "%s: error: +trace: this model was built without tracing (scripts/build-model.sh with TRACE=1)\n",
				     tool);
			std::exit(2);
#endif
		}
		quiet = plusarg(probe, "quiet", v);
		if (!given)
			seed = (uint64_t)std::chrono::system_clock::now().time_since_epoch().count() %
			       1000000007ull;
	}
};

// A Verilated model with its context, clock and optional FST trace.  The
// model's clock input is clk_i.  Time advances by half the configured clock
// period per edge (time unit 1 ps), so waveforms show real time.
template <class Model> class Clocked {
public:
	Clocked(const Common &c, int argc, char **argv, uint64_t half_period_ps)
		: ctx_(new VerilatedContext), half_(half_period_ps)
	{
		ctx_->commandArgs(argc, argv);
		if (c.trace)
			ctx_->traceEverOn(true);
		// a hierarchically verilated model creates its blocks' models in
		// the thread's context: this one, so that their scopes are found
		Verilated::threadContextp(ctx_.get());
		m_.reset(new Model{ctx_.get(), "TOP"});
#if VM_COVERAGE
		coverage_context() = ctx_.get();
		static bool registered = false;
		if (!registered) {
			registered = true;
			std::atexit(coverage_write);
		}
#endif
#if VM_TRACE
		if (c.trace) {
			fst_.reset(new VerilatedFstC);
			m_->trace(fst_.get(), 99);
			fst_->open(c.trace_file.c_str());
		}
#endif
	}
	~Clocked()
	{
#if VM_TRACE
		if (fst_)
			fst_->close();
#endif
		m_->final();
#if VM_COVERAGE
		coverage_write();
#endif
	}
	Model *operator->() { return m_.get(); }
	VerilatedContext *context() { return ctx_.get(); }
	uint64_t cycle() const { return cycle_; }

	// Called in every clock() before the rising edge, the model settled
	// (tb/record.h's +record).
	std::function<void()> before_edge;

	// One rising and one falling edge; inputs are set before.  Untraced,
	// the falling edge is not evaluated on its own: it waits for the next
	// eval(), which a harness does anyway after setting the next cycle's
	// inputs (the design has no negative-edge logic but the asynchronous
	// reset).  Every eval() runs the model's input-dependent logic, so this
	// saves a third of those runs; a harness that calls the model's own
	// eval() instead gets the falling edge evaluated here, as before.
	void clock()
	{
#if VM_TRACE
		// the inputs the harness set, settled, 1 ps before the edge: a
		// trace read at the edge (imnpu-wave, a viewer's cursor) sees what
		// the flip-flops took, not the previous cycle's inputs
		if (fst_ && half_ > 1 && ctx_->time() > 0) {
			m_->eval();
			fst_->dump(ctx_->time() - 1);
		}
#endif
		if (before_edge) { // settled inputs and outputs, for a recorder
			m_->eval();
			low_due_ = false;
			before_edge();
		}
		edge(1);
		if (trace_on()) {
			edge(0);
		} else {
			m_->clk_i = 0;
			low_due_ = true;
			ctx_->timeInc(half_);
		}
		cycle_++;
	}

	// Settle the inputs just set (and a falling edge still due).
	void eval()
	{
		m_->eval();
		low_due_ = false;
	}

	// Asynchronous reset held over two edges.
	void reset()
	{
		m_->clk_i = 0;
		m_->rst_ni = 0;
		m_->eval();
		clock();
		clock();
		m_->rst_ni = 1;
		clock();
	}

private:
	bool trace_on() const
	{
#if VM_TRACE
		return fst_ != nullptr;
#else
		return false;
#endif
	}

	void edge(int level)
	{
		if (low_due_ && level) // the falling edge the harness did not evaluate
			m_->eval();
		low_due_ = false;
		m_->clk_i = level;
		m_->eval();
#if VM_TRACE
		if (fst_)
			fst_->dump(ctx_->time());
#endif
		ctx_->timeInc(half_);
	}

	std::unique_ptr<VerilatedContext> ctx_;
	std::unique_ptr<Model> m_;
#if VM_TRACE
	std::unique_ptr<VerilatedFstC> fst_;
#endif
	uint64_t half_;
	uint64_t cycle_ = 0;
	bool low_due_ = false; // clk_i is 0 but not yet evaluated
};

} // namespace tb

#endif
