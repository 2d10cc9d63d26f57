// RV32IM core testbench: runs the generated core in lockstep with the golden
// instruction-set simulator (golden/imnpu_rv32.c) and compares every retired
// instruction and every trap: pc, instruction, register written and value,
// memory write, cause and mtval, next pc (docs/riscv.md).
//
// Plusargs:
//   +seed=N       random seed (printed)
//   +programs=N   random programs to run (default 50), each +length instructions
//   +length=N     instructions in a random program (default 400)
//   +irq=P        per mille of retirements after which an interrupt line rises (default 20)
//   +elf=FILE     instead of random programs, run a RISC-V ELF (riscv-tests
//                 convention: passes by storing 1 to the symbol `tohost`, fails
//                 by storing (test << 1) | 1), still in lockstep
//   +max_cycles=N with +elf: give up after N cycles (default 20,000,000)
//   +trace[=F]    FST waveform
//   +quiet
#include "imnpu_config.h"
#include "Vrv32.h"
#include "imnpu_elf.h"
#include "imnpu_golden.h"
#include "imnpu_rv32.h"
#include "tb_common.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace {

const uint32_t kBase = IMNPU_RV_RESET_PC;
const uint32_t kSize = 0x10000; // 64 KiB: code (read-only) from kBase, data from kBase + 0x8000
const uint32_t kData = kBase + 0x8000;
const uint32_t kHandler = kBase + 0x7000;

struct Options : tb::Common {
	long programs = 50;
	long length = 400;
	unsigned irq = 20;
	std::string elf;
	long max_cycles = 20000000;
};

// One flat memory [base, base + size); stores below wr_from are access faults.
struct Memory {
	uint32_t base = kBase, wr_from = kData;
	std::vector<uint8_t> b = std::vector<uint8_t>(kSize, 0);
	bool in(uint32_t a, int n) const { return a >= base && (uint64_t)(a - base) + (uint32_t)n <= b.size(); }
	bool writable(uint32_t a, int n) const { return in(a, n) && a >= wr_from; }
	uint32_t rd(uint32_t a, int n) const
	{
		uint32_t v = 0;
		for (int i = n - 1; i >= 0; i--)
			v = (v << 8) | b[a - base + (uint32_t)i];
		return v;
	}
	void wr(uint32_t a, int n, uint32_t v)
	{
		for (int i = 0; i < n; i++)
			b[a - base + (uint32_t)i] = (uint8_t)(v >> (8 * i));
	}
};

int iss_load(void *ctx, uint32_t a, int n, uint32_t *v)
{
	auto *m = static_cast<Memory *>(ctx);
	if (!m->in(a, n))
		return 1;
	*v = m->rd(a, n);
	return 0;
}

// The code half is read-only: a store there is an access fault, so that the
// random stream can never rewrite its program or the trap handler.
int iss_store(void *ctx, uint32_t a, int n, uint32_t v)
{
	auto *m = static_cast<Memory *>(ctx);
	if (!m->writable(a, n))
		return 1;
	m->wr(a, n, v);
	return 0;
}

uint32_t R(uint32_t f7, uint32_t rs2, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t op)
{
	return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}
uint32_t I(int32_t imm, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t op)
{
	return ((uint32_t)imm & 0xfffu) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}
uint32_t S(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3)
{
	const uint32_t u = (uint32_t)imm & 0xfffu;
	return (u >> 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (u & 31u) << 7 | 0x23u;
}
uint32_t B(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3)
{
	const uint32_t u = (uint32_t)imm;
	return ((u >> 12) & 1u) << 31 | ((u >> 5) & 63u) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
	       ((u >> 1) & 15u) << 8 | ((u >> 11) & 1u) << 7 | 0x63u;
}
uint32_t J(int32_t imm, uint32_t rd)
{
	const uint32_t u = (uint32_t)imm;
	return ((u >> 20) & 1u) << 31 | ((u >> 1) & 1023u) << 21 | ((u >> 11) & 1u) << 20 |
	       ((u >> 12) & 255u) << 12 | rd << 7 | 0x6fu;
}
uint32_t LUI(uint32_t rd, uint32_t v) { return (v & 0xfffff000u) | rd << 7 | 0x37u; }

class Harness {
public:
	Harness(const Options &o, int argc, char **argv)
		: opt_(o), argv0_(argv[0]), top_(o, argc, argv, 500000u / IMNPU_CLOCK_MHZ)
	{
		imnpu_rng_seed(&rng_, o.seed);
	}
	int run();
	int run_elf();

private:
	uint32_t rnd(uint32_t n) { return (uint32_t)imnpu_rng_range(&rng_, 0, (int64_t)n - 1); }
	uint32_t reg() { return rnd(28) + 1; } // x1..x28: x29 code base, x30 data base, x31 handler scratch
	uint32_t random_insn(uint32_t index);
	void load_program();
	bool run_program(long prog);
	void start(uint32_t pc);
	int cycle(long prog, long n, imnpu_rv32_step_info &w);
	void report(const imnpu_rv32_step_info &w, long prog, long n);

	Options opt_;
	const char *argv0_;
	tb::Clocked<Vrv32> top_;
	imnpu_rng rng_{};
	Memory dut_mem_, iss_mem_;
	imnpu_rv32 iss_{};
	imnpu_rv32_step_info last_{};
	imnpu_rv32_step_info recent_[8]{};
	long compared_ = 0;
	long traps_ = 0;
	long irqs_ = 0;
};

// One random instruction at code index `index` (its address kBase + 4*index).
uint32_t Harness::random_insn(uint32_t index)
{
	const uint32_t k = rnd(100);
	const uint32_t rd = reg(), rs1 = rnd(32), rs2 = rnd(32);
	if (k < 30) { // op: base and M
		static const uint32_t f7s[3] = {0, 0x20, 1};
		const uint32_t f7 = f7s[rnd(3)];
		return R(f7, rs2, rs1, rnd(8), rd, 0x33);
	}
	if (k < 50) { // op-imm
		const uint32_t f3 = rnd(8);
		if (f3 == 1 || f3 == 5)
			return R(f3 == 5 && rnd(2) ? 0x20 : 0, rnd(32), rs1, f3, rd, 0x13);
		return I((int32_t)rnd(4096) - 2048, rs1, f3, rd, 0x13);
	}
	if (k < 54)
		return LUI(rd, (uint32_t)imnpu_rng_next(&rng_));
	if (k < 57)
		return ((uint32_t)imnpu_rng_next(&rng_) & 0xfffff000u) | rd << 7 | 0x17u; // auipc
	if (k < 66) { // loads, mostly from the data area
		static const uint32_t f3s[5] = {0, 1, 2, 4, 5};
		const uint32_t base = rnd(16) ? 30 : reg();
		return I((int32_t)rnd(128) - 64, base, f3s[rnd(5)], rd, 0x03);
	}
	if (k < 74) { // stores, into the data area
		const uint32_t base = rnd(32) ? 30 : reg(); // never the handler's t6
		return S((int32_t)rnd(128) - 64, rs2, base, rnd(3));
	}
	if (k < 82) { // forward branches, now and then to a half-word
		static const uint32_t f3s[6] = {0, 1, 4, 5, 6, 7};
		return B((int32_t)(4 * (rnd(8) + 1) + (rnd(16) ? 0 : 2)), rs2, rs1, f3s[rnd(6)]);
	}
	if (k < 85)
		return J((int32_t)(4 * (rnd(8) + 1)), rd);
	if (k < 87) // jalr to an instruction ahead, from the code base
		return I((int32_t)(4 * (index + rnd(8) + 1)), 29, 0, rd, 0x67);
	if (k < 95) { // CSRs: some missing, some read-only; mtvec only read
		static const uint32_t csrs[] = {0x300, 0x301, 0x304, 0x340, 0x341, 0x342, 0x343, 0x344,
						0xb00, 0xb02, 0xb80, 0xb82, 0xf11, 0xf14, 0x305, 0x7c0, 0x306};
		const uint32_t c = csrs[rnd(sizeof csrs / sizeof csrs[0])];
		uint32_t f3 = rnd(7) + 1;
		if (f3 == 4)
			f3 = 2;
		uint32_t src = rs1;
		if (c == 0x305) { // read mtvec, never write it
			f3 = 2;
			src = 0;
		}
		if (c == 0x300 && (f3 & 3u) != 2) // keep mstatus.MIE under the harness's control mostly
			src = rnd(4) ? 0 : src;
		return I((int32_t)c, src, f3, rd, 0x73);
	}
	switch (rnd(6)) {
	case 0: return 0x00000073u;                 // ecall
	case 1: return 0x00100073u;                 // ebreak
	case 2: return 0x10500073u;                 // wfi
	case 3: return 0x0000000fu | rnd(2) << 12;  // fence, fence.i
	case 4: { // any word, with rd in x1..x28; one that could jump, return or
		  // store becomes illegal (the stream must not wander off or rewrite itself)
		uint32_t w = (uint32_t)imnpu_rng_next(&rng_);
		const uint32_t op = w & 0x7fu;
		if (op == 0x63u || op == 0x6fu || op == 0x67u || op == 0x73u || op == 0x23u)
			w &= ~3u;
		return (w & ~(31u << 7)) | rd << 7;
	}
	default: return 0x0ff0000fu;               // fence rw,rw
	}
}

// The start-up code, the random body, the end loop and the trap handler,
// into both memories.
void Harness::load_program()
{
	Memory m;
	std::vector<uint32_t> code;
	code.push_back(LUI(31, kHandler));
	code.push_back(I((int32_t)(kHandler & 0xfffu), 31, 0, 31, 0x13));
	code.push_back(I(0x305, 31, 1, 0, 0x73)); // csrrw zero, mtvec, t6
	code.push_back(LUI(30, kData));
	code.push_back(LUI(29, kBase));
	code.push_back(I(0x304, 0, 5, 0, 0x73)); // csrrwi zero, mie, 0
	code.push_back(LUI(1, 0x1000));
	code.push_back(I(-0x780, 1, 0, 1, 0x13)); // ra = 0x880
	code.push_back(I(0x304, 1, 1, 0, 0x73));  // mie = MEIE | MTIE
	code.push_back(I(0x300, 8, 6, 0, 0x73));  // csrrsi mstatus, 8: MIE
	code.push_back(I(0, 0, 0, 31, 0x13));     // t6 = 0: no store may use it to reach the handler
	for (long i = 0; i < opt_.length; i++)
		code.push_back(random_insn((uint32_t)code.size()));
	for (int i = 0; i < 12; i++) // forward jumps land here; then the end loop
		code.push_back(I(0, 0, 0, 0, 0x13));
	code.push_back(J(0, 0));
	for (size_t i = 0; i < code.size(); i++)
		m.wr(kBase + 4u * (uint32_t)i, 4, code[i]);
	// Handler: an interrupt returns to the interrupted instruction; an
	// exception skips the instruction that raised it.
	const uint32_t h[] = {
		I(0x342, 0, 2, 31, 0x73),  // csrrs t6, mcause, zero
		B(16, 0, 31, 4),           // blt t6, zero, +16
		I(0x341, 0, 2, 31, 0x73),  // csrrs t6, mepc, zero
		I(4, 31, 0, 31, 0x13),     // addi t6, t6, 4
		I(0x341, 31, 1, 0, 0x73),  // csrrw zero, mepc, t6
		0x30200073u,               // mret
	};
	// The blt skips to the mret (+16 from the blt is h[5]).
	for (size_t i = 0; i < sizeof h / sizeof h[0]; i++)
		m.wr(kHandler + 4u * (uint32_t)i, 4, h[i]);
	for (uint32_t a = kData; a < kBase + kSize; a += 4)
		m.wr(a, 4, (uint32_t)imnpu_rng_next(&rng_));
	dut_mem_ = m;
	iss_mem_ = m;
}

void Harness::report(const imnpu_rv32_step_info &w, long prog, long n)
{
	char dis[96];
	imnpu_rv32_disasm(top_->ret_insn_o, dis, sizeof dis);
	if (!opt_.elf.empty())
		std::printf("rv32_tb: FAIL at cycle %" PRIu64 ": instruction %ld of %s: divergence\n", top_.cycle(), n,
			    opt_.elf.c_str());
	else
		std::printf("rv32_tb: FAIL at cycle %" PRIu64 ": program %ld, instruction %ld: divergence\n",
			    top_.cycle(), prog, n);
	std::printf("rv32_tb:   core: pc %08x %08x (%s) rd x%u=%08x mem %s %08x=%08x/%u trap %u cause %08x tval %08x next %08x\n",
		    top_->ret_pc_o, top_->ret_insn_o, dis, top_->ret_rd_o, top_->ret_rd_val_o,
		    top_->ret_mem_we_o ? "w" : "-", top_->ret_mem_addr_o, top_->ret_mem_val_o,
		    top_->ret_mem_size_o, top_->ret_trap_o, top_->ret_cause_o, top_->ret_tval_o,
		    top_->ret_next_pc_o);
	imnpu_rv32_disasm(w.insn, dis, sizeof dis);
	std::printf("rv32_tb:   iss:  pc %08x %08x (%s) rd x%d=%08x mem %s %08x=%08x/%d trap %d cause %08x tval %08x next %08x\n",
		    w.pc, w.insn, dis, w.rd, w.rd_val, w.mem_we ? "w" : "-", w.mem_addr, w.mem_val,
		    w.mem_size, w.trap, w.cause, w.tval, w.next_pc);
	std::printf("rv32_tb:   iss registers:");
	for (int r = 1; r < 32; r++)
		std::printf("%s x%d=%08x", r % 8 == 0 ? "\nrv32_tb:  " : "", r, iss_.x[r]);
	if (!opt_.elf.empty()) {
		std::printf("\nrv32_tb: replay: %s +elf=%s +seed=%" PRIu64 " +trace\n", argv0_, opt_.elf.c_str(),
			    opt_.seed);
		std::printf("rv32_tb: waves: make waves CFG=%s WHAT=rv32 REPLAY=\"+elf=%s +seed=%" PRIu64 "\"\n",
			    IMNPU_NAME, opt_.elf.c_str(), opt_.seed);
	} else {
		std::printf("\nrv32_tb: replay: %s +seed=%" PRIu64 " +programs=%ld +length=%ld +irq=%u +trace\n",
			    argv0_, opt_.seed, prog + 1, opt_.length, opt_.irq);
		std::printf("rv32_tb: waves: make waves CFG=%s WHAT=rv32 REPLAY=\"+seed=%" PRIu64
			    " +programs=%ld +length=%ld +irq=%u\"\n",
			    IMNPU_NAME, opt_.seed, prog + 1, opt_.length, opt_.irq);
	}
}

// Reset the core and the simulator to start at pc with the memories loaded.
void Harness::start(uint32_t pc)
{
	top_->irq_timer_i = 0;
	top_->irq_external_i = 0;
	top_->i_ready_i = 0;
	top_->d_ready_i = 0;
	top_.reset();
	iss_.load = iss_load;
	iss_.store = iss_store;
	iss_.ctx = &iss_mem_;
	imnpu_rv32_reset(&iss_, pc, IMNPU_RV_MUL);
}

// One clock cycle: the memories answer the core (in the cycle of the
// request, now and then a cycle later); a retirement is compared with a
// simulator step.  Returns 1 with the step in w when one retired, 0 when
// none did, -1 on a divergence (reported).
int Harness::cycle(long prog, long n, imnpu_rv32_step_info &w)
{
	int retired = 0;
	top_->eval();
	const bool iv = top_->i_valid_o, dv = top_->d_valid_o;
	top_->i_ready_i = iv && rnd(4) != 0;
	if (iv) {
		const uint32_t a = top_->i_addr_o;
		top_->i_err_i = !dut_mem_.in(a, 4);
		top_->i_rdata_i = dut_mem_.in(a, 4) ? dut_mem_.rd(a, 4) : 0;
	}
	top_->d_ready_i = dv && rnd(4) != 0;
	if (dv) {
		const uint32_t a = top_->d_addr_o;
		const bool ok = top_->d_we_o ? dut_mem_.writable(a, 4) : dut_mem_.in(a, 4);
		top_->d_err_i = !ok;
		top_->d_rdata_i = ok ? dut_mem_.rd(a, 4) : 0;
		if (ok && top_->d_ready_i && top_->d_we_o)
			for (int i = 0; i < 4; i++)
				if (top_->d_be_o >> i & 1)
					dut_mem_.b[a - dut_mem_.base + (uint32_t)i] = (uint8_t)(top_->d_wdata_o >> (8 * i));
	}
	if (top_->ret_valid_o) {
		imnpu_rv32_step(&iss_, &w);
		// mcycle counts the core's cycles: its reads take the core's value.
		const uint32_t csr = w.insn >> 20;
		if ((w.insn & 0x7fu) == 0x73u && ((w.insn >> 12) & 3u) != 0 && !w.trap && (csr == 0xb00 || csr == 0xb80) &&
		    w.rd != 0) {
			w.rd_val = top_->ret_rd_val_o;
			iss_.x[w.rd] = w.rd_val;
		}
		const bool same = top_->ret_pc_o == w.pc && top_->ret_insn_o == w.insn && (int)top_->ret_rd_o == w.rd &&
				  top_->ret_rd_val_o == w.rd_val && top_->ret_mem_we_o == (unsigned)w.mem_we &&
				  top_->ret_trap_o == (unsigned)w.trap && top_->ret_next_pc_o == w.next_pc &&
				  (!w.mem_we || (top_->ret_mem_addr_o == w.mem_addr && top_->ret_mem_val_o == w.mem_val &&
						 (int)top_->ret_mem_size_o == w.mem_size)) &&
				  (!w.trap || (top_->ret_cause_o == w.cause && top_->ret_tval_o == w.tval));
		if (!same) {
			report(w, prog, n);
			return -1;
		}
		compared_++;
		last_ = w;
		recent_[(n + 1) % 8] = w;
		traps_ += w.trap;
		irqs_ += w.trap && (w.cause >> 31);
		retired = 1;
		// New interrupt lines (random programs only), seen by the core's
		// next fetch decision and by the simulator's next step.
		if (opt_.elf.empty()) {
			const int lt = rnd(1000) < opt_.irq, le = rnd(1000) < opt_.irq;
			top_->irq_timer_i = lt;
			top_->irq_external_i = le;
			iss_.irq_timer = lt;
			iss_.irq_external = le;
		}
	}
	top_.clock();
	return retired;
}

bool Harness::run_program(long prog)
{
	load_program();
	start(kBase);
	const uint32_t end_pc = kBase + 4u * (uint32_t)(11 + opt_.length + 12);
	long n = 0;
	for (uint64_t guard = 0; guard < 200ull * (uint64_t)opt_.length + 10000; guard++) {
		imnpu_rv32_step_info w;
		const int r = cycle(prog, n, w);
		if (r < 0)
			return false;
		if (r == 0)
			continue;
		n++;
		if (w.next_pc == end_pc && !w.trap)
			return true;
	}
	char dis[96];
	imnpu_rv32_disasm(last_.insn, dis, sizeof dis);
	std::printf("rv32_tb: FAIL at cycle %" PRIu64 ": program %ld did not reach its end (%ld retired; the last at pc %08x: %s, trap %d cause %08x, mepc %08x)\n",
		    top_.cycle(), prog, n, last_.pc, dis, last_.trap, last_.cause, iss_.mepc);
	for (long k = n - 8 < 0 ? 0 : n - 8; k < n; k++) {
		const imnpu_rv32_step_info &r = recent_[(k + 1) % 8];
		imnpu_rv32_disasm(r.insn, dis, sizeof dis);
		std::printf("rv32_tb:   %08x %-32s trap %d cause %08x tval %08x -> %08x\n", r.pc, dis, r.trap,
			    r.cause, r.tval, r.next_pc);
	}
	return false;
}

// An ELF in the riscv-tests convention: every loadable segment placed where
// it asks, one writable memory spanning them (plus 64 KiB above for a stack),
// the run ending at the first store to `tohost`.
int Harness::run_elf()
{
	imnpu_elf e;
	char err[256];
	if (imnpu_elf_read(opt_.elf.c_str(), &e, err, sizeof err)) {
		std::fprintf(stderr, "rv32_tb: error: +elf=%s\n", err);
		return 2;
	}
	uint32_t tohost = 0;
	if (imnpu_elf_symbol(&e, "tohost", &tohost)) {
		std::fprintf(stderr, "rv32_tb: error: +elf=%s: no symbol `tohost` (the riscv-tests convention: store 1 to pass)\n",
			     opt_.elf.c_str());
		imnpu_elf_free(&e);
		return 2;
	}
	if (e.entry != kBase) {
		std::fprintf(stderr, "rv32_tb: error: +elf=%s: entry point 0x%08x is not the core's reset vector 0x%08x (riscv -reset_pc)\n",
			     opt_.elf.c_str(), e.entry, kBase);
		imnpu_elf_free(&e);
		return 2;
	}
	uint64_t lo = UINT64_MAX, hi = 0;
	for (int i = 0; i < e.nseg; i++) {
		lo = std::min<uint64_t>(lo, e.seg[i].addr);
		hi = std::max<uint64_t>(hi, (uint64_t)e.seg[i].addr + e.seg[i].size);
	}
	lo &= ~0xfffull;
	hi = std::min<uint64_t>(((hi + 0xfff) & ~0xfffull) + 0x10000, 0x100000000ull);
	if (hi - lo > (256u << 20)) {
		std::fprintf(stderr, "rv32_tb: error: +elf=%s: segments span %" PRIu64 " MiB (allowed: at most 256 MiB)\n",
			     opt_.elf.c_str(), (hi - lo) >> 20);
		imnpu_elf_free(&e);
		return 2;
	}
	Memory m;
	m.base = (uint32_t)lo;
	m.wr_from = (uint32_t)lo;
	m.b.assign((size_t)(hi - lo), 0);
	for (int i = 0; i < e.nseg; i++)
		std::memcpy(&m.b[e.seg[i].addr - m.base], e.seg[i].data, e.seg[i].size);
	imnpu_elf_free(&e);
	dut_mem_ = m;
	iss_mem_ = m;
	std::printf("rv32_tb: config %s (M %d, reset pc %08x; gen %s, config %s)\n", IMNPU_NAME, IMNPU_RV_MUL, kBase,
		    IMNPU_GEN_VERSION, IMNPU_CONFIG_HASH);
	std::printf("rv32_tb: elf %s: memory %08x..%08x, tohost %08x, seed=%" PRIu64 "\n", opt_.elf.c_str(), m.base,
		    (uint32_t)(hi - 1), tohost, opt_.seed);
	std::fflush(stdout);
	start(kBase);
	long n = 0;
	for (long c = 0; c < opt_.max_cycles; c++) {
		imnpu_rv32_step_info w;
		const int r = cycle(0, n, w);
		if (r < 0)
			return 1;
		if (r == 0)
			continue;
		n++;
		if (!w.mem_we || w.trap || (w.mem_addr & ~3u) != tohost)
			continue;
		const uint32_t v = iss_mem_.rd(tohost, 4);
		if (v == 0)
			continue;
		std::printf("rv32_tb: %ld instructions in lockstep, %" PRIu64 " cycles (%ld traps)\n", n, top_.cycle(),
			    traps_);
		if (v == 1) {
			std::printf("rv32_tb: PASSED (tohost = 1)\n");
			return 0;
		}
		std::printf("rv32_tb: FAIL: the program reports test %u failed (tohost = 0x%08x, at pc %08x)\n", v >> 1,
			    v, w.pc);
		return 1;
	}
	char dis[96];
	imnpu_rv32_disasm(last_.insn, dis, sizeof dis);
	std::printf("rv32_tb: FAIL: no store to tohost in %ld cycles (%ld retired; the last at pc %08x: %s)\n",
		    opt_.max_cycles, n, last_.pc, dis);
	return 1;
}

int Harness::run()
{
	std::printf("rv32_tb: config %s (M %d, reset pc %08x; gen %s, config %s)\n", IMNPU_NAME, IMNPU_RV_MUL, kBase,
		    IMNPU_GEN_VERSION, IMNPU_CONFIG_HASH);
	std::printf("rv32_tb: seed=%" PRIu64 " programs=%ld length=%ld irq=%u\n", opt_.seed, opt_.programs,
		    opt_.length, opt_.irq);
	std::fflush(stdout);
	for (long p = 0; p < opt_.programs; p++) {
		if (!run_program(p)) {
			std::printf("rv32_tb: FAILED (seed %" PRIu64 ")\n", opt_.seed);
			return 1;
		}
	}
	std::printf("rv32_tb: %ld instructions and traps compared in lockstep (%ld traps, %ld interrupts)\n",
		    compared_, traps_, irqs_);
	std::printf("rv32_tb: PASSED\n");
	return 0;
}

} // namespace

int main(int argc, char **argv)
{
	Options o;
	o.parse("rv32_tb", argc, argv, "build/" IMNPU_NAME "/" IMNPU_NAME "_rv32.fst");
	{
		VerilatedContext probe;
		probe.commandArgs(argc, argv);
		std::string v;
		if (tb::plusarg(probe, "programs", v))
			o.programs = tb::parse_long("rv32_tb", "programs", v, 1, 100000000);
		if (tb::plusarg(probe, "length", v))
			o.length = tb::parse_long("rv32_tb", "length", v, 1, 400);
		if (tb::plusarg(probe, "irq", v))
			o.irq = (unsigned)tb::parse_long("rv32_tb", "irq", v, 0, 1000);
		if (tb::plusarg(probe, "elf", v)) {
			if (v.empty()) {
				std::fprintf(stderr, "rv32_tb: error: +elf needs a file name (+elf=FILE)\n");
				return 2;
			}
			o.elf = v;
		}
		if (tb::plusarg(probe, "max_cycles", v))
			o.max_cycles = tb::parse_long("rv32_tb", "max_cycles", v, 1, 2000000000);
	}
	Harness h(o, argc, argv);
	return o.elf.empty() ? h.run() : h.run_elf();
}
