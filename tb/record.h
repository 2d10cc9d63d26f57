// Port vectors for a second simulator (docs/flows.md, "Icarus Verilog as a
// second simulator").  With +record=FILE a harness writes, every cycle just
// before the rising edge, the inputs it drives and the outputs the model has
// settled to: one line "INPUTS OUTPUTS", two hex words, the ports
// concatenated in the order they were added (the first port in the low bits).
// Beside it, FILE.vh: the declarations, the instance of the unit and a check
// task for tb/replay.v, which applies the inputs under another simulator and
// compares every output each cycle.  An output with a qualifier (a valid bit)
// is compared only in cycles the qualifier was 1; the qualifiers and every
// other output always.  The recorded run itself was compared with the golden
// model by the harness, so a replay that matches is that comparison too.
#ifndef IMNPU_TB_RECORD_H
#define IMNPU_TB_RECORD_H

#include "tb_common.h"

#include <functional>
#include <string>
#include <vector>

namespace tb {

class Recorder {
public:
	// Ports, in vector order.  clk_i is the replay bench's own clock.
	template <class T> void in(const char *name, int width, T &v) { add(name, width, false, nullptr, v); }
	template <class T> void out(const char *name, int width, T &v, const char *qual = nullptr)
	{
		add(name, width, true, qual, v);
	}

	// Start writing FILE and FILE.vh for module `top`; false (with a
	// message) when a file cannot be written.
	bool open(const char *tool, const std::string &file, const std::string &top)
	{
		f_ = std::fopen(file.c_str(), "w");
		FILE *vh = std::fopen((file + ".vh").c_str(), "w");
		if (!f_ || !vh) {
			std::fprintf(stderr, "%s: error: +record=%s: cannot write it or its .vh\n", tool, file.c_str());
			if (vh)
				std::fclose(vh);
			return false;
		}
		write_vh(vh, tool, file, top);
		std::fclose(vh);
		return true;
	}
	~Recorder()
	{
		if (f_)
			std::fclose(f_);
	}
	bool on() const { return f_ != nullptr; }

	// One line: the ports' values now.
	void sample()
	{
		std::string line;
		hex(line, false);
		line += ' ';
		hex(line, true);
		line += '\n';
		std::fputs(line.c_str(), f_);
	}

private:
	struct Port {
		std::string name;
		int width;
		bool out;
		std::string qual;
		int lsb; // in its vector
		std::function<bool(int)> bit;
	};

	template <class T> void add(const char *name, int width, bool out, const char *qual, T &v)
	{
		Port p;
		p.name = name;
		p.width = width;
		p.out = out;
		p.qual = qual ? qual : "";
		p.lsb = out ? out_w_ : in_w_;
		(out ? out_w_ : in_w_) += width;
		T *pv = &v;
		p.bit = [pv](int i) { return get_bit(*pv, i); };
		ports_.push_back(p);
	}

	void hex(std::string &s, bool out) const
	{
		const int w = out ? out_w_ : in_w_;
		std::vector<bool> bits((size_t)w + 3, false);
		for (const Port &p : ports_)
			if (p.out == out)
				for (int i = 0; i < p.width; i++)
					bits[(size_t)(p.lsb + i)] = p.bit(i);
		for (int d = (w + 3) / 4 - 1; d >= 0; d--) {
			const int v = bits[(size_t)(4 * d)] | bits[(size_t)(4 * d + 1)] << 1 |
				      bits[(size_t)(4 * d + 2)] << 2 | bits[(size_t)(4 * d + 3)] << 3;
			s += "0123456789abcdef"[v];
		}
	}

	const Port *find(const std::string &name) const
	{
		for (const Port &p : ports_)
			if (p.name == name)
				return &p;
		return nullptr;
	}

	void write_vh(FILE *f, const char *tool, const std::string &file, const std::string &top) const
	{
		std::fprintf(f, "// Written by %s +record=%s: the ports of %s for tb/replay.v.\n", tool,
			     file.c_str(), top.c_str());
		std::fprintf(f, "localparam IN_W = %d;\nlocalparam OUT_W = %d;\n", in_w_, out_w_);
		std::fprintf(f, "reg [IN_W-1:0] in_v;\nreg [OUT_W-1:0] exp_v;\nwire [OUT_W-1:0] out_v;\n");
		std::fprintf(f, "%s dut (\n  .clk_i(clk)", top.c_str());
		for (const Port &p : ports_)
			std::fprintf(f, ",\n  .%s(%s[%d +: %d])", p.name.c_str(), p.out ? "out_v" : "in_v", p.lsb, p.width);
		std::fprintf(f, "\n);\n");
		std::fprintf(f, "task check_ports;\n  input integer cyc;\n  begin\n");
		for (const Port &p : ports_) {
			if (!p.out)
				continue;
			const Port *q = p.qual.empty() ? nullptr : find(p.qual);
			std::string cond = "1'b1";
			if (q)
				cond = "exp_v[" + std::to_string(q->lsb) + "]";
			std::fprintf(f,
				     "    if (%s && (out_v[%d +: %d] !== exp_v[%d +: %d])) begin\n"
				     "      if (errors < 10) $display(\"replay: cycle %%0d: %s expected %%h, got %%h\", cyc, exp_v[%d +: %d], out_v[%d +: %d]);\n"
				     "      errors = errors + 1;\n    end\n",
				     cond.c_str(), p.lsb, p.width, p.lsb, p.width, p.name.c_str(), p.lsb, p.width,
				     p.lsb, p.width);
		}
		std::fprintf(f, "  end\nendtask\n");
	}

	std::vector<Port> ports_;
	int in_w_ = 0, out_w_ = 0;
	FILE *f_ = nullptr;
};

// The bits of an index below n (at least 1), as the generator sizes them.
constexpr int index_bits(long n)
{
	int b = 1;
	while ((1L << b) < n)
		b++;
	return b;
}

} // namespace tb

#endif
