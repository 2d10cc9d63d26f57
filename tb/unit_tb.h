// What the harnesses of the small units (the AXI4-Lite bridge and slave
// adapter, the SRAM) share beyond tb_common.h: random draws from the printed
// seed, the failure count and report, and their one count plusarg.
#ifndef IMNPU_UNIT_TB_H
#define IMNPU_UNIT_TB_H

#include "imnpu_golden.h"
#include "tb_common.h"

#include <cstdarg>
#include <string>

namespace tb {

// Random draws from a harness's seed.
class Draws {
public:
	explicit Draws(uint64_t seed) { imnpu_rng_seed(&rng_, seed); }
	bool chance(unsigned pct) { return imnpu_rng_chance(&rng_, pct, 100); }
	uint32_t u32() { return (uint32_t)imnpu_rng_next(&rng_); }

private:
	imnpu_rng rng_{};
};

// Failures counted, each reported as "TOOL: FAIL at cycle N: message".
class Failures {
public:
	explicit Failures(const char *tool) : tool_(tool) {}
	bool at(uint64_t cycle, const char *fmt, ...) __attribute__((format(printf, 3, 4)))
	{
		va_list ap;
		va_start(ap, fmt);
		fail_report(tool_, cycle, fmt, ap);
		va_end(ap);
		n_++;
		return false;
	}
	long count() const { return n_; }

private:
	const char *tool_;
	long n_ = 0;
};

// +NAME=N, lo..hi, or def when not given.
inline long count_plusarg(const char *tool, int argc, char **argv, const char *name, long def, long lo, long hi)
{
	VerilatedContext probe;
	probe.commandArgs(argc, argv);
	std::string v;
	return plusarg(probe, name, v) ? parse_long(tool, name, v, lo, hi) : def;
}

// A small unit's harness: its options (tb::Common and one count), the clocked
// model, the draws and the failures; run() is the harness's own.
template <class Model, class Opts> class UnitHarness {
protected:
	UnitHarness(const char *tool, const Opts &o, int argc, char **argv)
		: tool_(tool), opt_(o), top_(o, argc, argv, 500), argv0_(argv[0]), rnd_(o.seed), fails_(tool)
	{
	}
	bool chance(unsigned pct) { return rnd_.chance(pct); }
	uint32_t rnd32() { return rnd_.u32(); }

	// The end of a run: after a failure the replay line (args: the run's
	// plusargs) and FAILED; a run that passed but did not reach what it is
	// for (why, when not null) FAILED too; else PASSED.  The exit status.
	int finish(const std::string &args, const char *why)
	{
		if (fails_.count()) {
			std::printf("%s: replay: %s %s +trace\n", tool_, argv0_, args.c_str());
			std::printf("%s: FAILED (seed %" PRIu64 ")\n", tool_, opt_.seed);
			return 1;
		}
		if (why) {
			std::printf("%s: FAILED: %s\n", tool_, why);
			return 1;
		}
		std::printf("%s: PASSED\n", tool_);
		return 0;
	}

	const char *tool_;
	const Opts &opt_;
	Clocked<Model> top_;
	const char *argv0_;
	Draws rnd_;
	Failures fails_;
};

} // namespace tb

#endif
