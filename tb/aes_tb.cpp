// The NPU controller's AES-128 core (<cfg>_aes, docs/crypt.md) on its own:
// the known-answer blocks of FIPS-197 (appendices B and C.1) and of SP
// 800-38A (F.1.1, ECB-AES128), then random keys and blocks from the seed
// against nettle's AES.  Starts come at random gaps, some while the core is
// busy (it must ignore them); every result must come exactly 11 cycles after
// the start it answers and hold until the next one.
#include "imnpu_config.h"
#include "Vaes.h"
#include "unit_tb.h"

#include "imnpu_crypt.h"

#include <cstring>
#include <string>
#include <vector>

namespace {

struct Options : tb::Common {
	long blocks = 2000;
};

struct Vector {
	const char *what, *key, *in, *out;
};

// FIPS-197 and SP 800-38A: key, plaintext, ciphertext
const Vector kNist[] = {
	{"FIPS-197 appendix C.1", "000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff",
	 "69c4e0d86a7b0430d8cdb78070b4c55a"},
	{"FIPS-197 appendix B", "2b7e151628aed2a6abf7158809cf4f3c", "3243f6a8885a308d313198a2e0370734",
	 "3925841d02dc09fbdc118597196a0b32"},
	{"SP 800-38A F.1.1 block 1", "2b7e151628aed2a6abf7158809cf4f3c", "6bc1bee22e409f96e93d7e117393172a",
	 "3ad77bb40d7a3660a89ecaf32466ef97"},
	{"SP 800-38A F.1.1 block 2", "2b7e151628aed2a6abf7158809cf4f3c", "ae2d8a571e03ac9c9eb76fac45af8e51",
	 "f5d3d58503b9699de785895a96fdbaaf"},
	{"SP 800-38A F.1.1 block 3", "2b7e151628aed2a6abf7158809cf4f3c", "30c81c46a35ce411e5fbc1191a0a52ef",
	 "43b1cd7f598ece23881b00e3ed030688"},
	{"SP 800-38A F.1.1 block 4", "2b7e151628aed2a6abf7158809cf4f3c", "f69f2445df4f9b17ad2b417be66c3710",
	 "7b0c785e27e8ad3f8223207104725dd4"},
};

void from_hex(const char *h, uint8_t b[16])
{
	for (int i = 0; i < 16; i++)
		b[i] = (uint8_t)std::stoul(std::string(h + 2 * i, 2), nullptr, 16);
}

std::string hex(const uint8_t b[16])
{
	char s[33];
	for (int i = 0; i < 16; i++)
		std::snprintf(s + 2 * i, 3, "%02x", b[i]);
	return s;
}

// A 128-bit port: byte 0 in bits 127:120, Verilator's word 3.
void put128(VlWide<4> &w, const uint8_t b[16])
{
	for (int k = 0; k < 4; k++)
		w[3 - k] = (uint32_t)b[4 * k] << 24 | (uint32_t)b[4 * k + 1] << 16 | (uint32_t)b[4 * k + 2] << 8 |
			   b[4 * k + 3];
}

void get128(const VlWide<4> &w, uint8_t b[16])
{
	for (int k = 0; k < 4; k++)
		for (int i = 0; i < 4; i++)
			b[4 * k + i] = (uint8_t)(w[3 - k] >> (24 - 8 * i));
}

class Harness : tb::UnitHarness<Vaes, Options> {
public:
	Harness(const Options &o, int argc, char **argv) : UnitHarness("aes_tb", o, argc, argv) {}
	int run();

private:
	// One block through the core: start, then random starts while busy,
	// done after exactly 11 cycles, the result held after it.
	bool block(const char *what, const uint8_t key[16], const uint8_t in[16], const uint8_t want[16]);
	long idle_starts_ = 0;
};

bool Harness::block(const char *what, const uint8_t key[16], const uint8_t in[16], const uint8_t want[16])
{
	auto &m = top_;
	const int gap = (int)(rnd32() % 4);
	m->start_i = 0;
	for (int g = 0; g < gap; g++) {
		m.eval();
		m.clock();
	}
	put128(m->key_i, key);
	put128(m->din_i, in);
	m->start_i = 1;
	m.eval();
	if (m->busy_o)
		return fails_.at(top_.cycle(), "%s: busy before the start", what);
	m.clock();
	for (int c = 1; c <= 11; c++) {
		// starts with other data while busy are ignored
		m->start_i = chance(30);
		if (m->start_i) {
			uint8_t junk[16];
			for (auto &b : junk)
				b = (uint8_t)rnd32();
			put128(m->din_i, junk);
			put128(m->key_i, junk);
			idle_starts_ += c < 11;
		}
		if (c == 11)
			m->start_i = 0;
		m.eval();
		if (c < 11 && (!m->busy_o || m->done_o))
			return fails_.at(top_.cycle(), "%s: cycle %d after the start: busy %d, done %d", what, c, m->busy_o,
					 m->done_o);
		if (c < 11)
			m.clock();
	}
	if (!m->done_o || m->busy_o)
		return fails_.at(top_.cycle(), "%s: no done 11 cycles after the start", what);
	uint8_t got[16];
	get128(m->dout_o, got);
	if (std::memcmp(got, want, 16))
		return fails_.at(top_.cycle(), "%s: key %s, block %s: the core gives %s, AES gives %s", what,
				 hex(key).c_str(), hex(in).c_str(), hex(got).c_str(), hex(want).c_str());
	m.clock();
	m.eval();
	uint8_t held[16];
	get128(m->dout_o, held);
	if (m->done_o || std::memcmp(held, want, 16))
		return fails_.at(top_.cycle(), "%s: the result did not hold after done", what);
	return true;
}

int Harness::run()
{
	std::printf("aes_tb: config %s, seed=%" PRIu64 ", %ld random blocks\n", IMNPU_NAME, opt_.seed, opt_.blocks);
	const auto t0 = std::chrono::steady_clock::now();
	top_->start_i = 0;
	top_.reset();
	int nist = 0;
	for (const auto &v : kNist) {
		uint8_t key[16], in[16], want[16], lib[16];
		from_hex(v.key, key);
		from_hex(v.in, in);
		from_hex(v.out, want);
		imnpu_crypt_aes(key, in, lib);
		if (std::memcmp(lib, want, 16)) {
			fails_.at(0, "%s: nettle gives %s, the standard %s", v.what, hex(lib).c_str(), v.out);
			break;
		}
		if (!block(v.what, key, in, want))
			break;
		nist++;
	}
	long n = 0;
	for (; n < opt_.blocks && !fails_.count(); n++) {
		uint8_t key[16], in[16], want[16];
		for (int i = 0; i < 16; i++) {
			key[i] = (uint8_t)rnd32();
			in[i] = (uint8_t)rnd32();
		}
		imnpu_crypt_aes(key, in, want);
		char what[48];
		std::snprintf(what, sizeof what, "random block %ld", n);
		if (!block(what, key, in, want))
			break;
	}
	const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	std::printf("aes_tb: %d NIST blocks, %ld random blocks equal to nettle's AES, %ld starts while busy ignored, "
		    "%" PRIu64 " cycles, %.1f s\n",
		    nist, n, idle_starts_, top_.cycle(), secs);
	char args[64];
	std::snprintf(args, sizeof args, "+seed=%" PRIu64 " +blocks=%ld", opt_.seed, opt_.blocks);
	return finish(args, nist == (int)(sizeof kNist / sizeof kNist[0]) ? nullptr : "not every NIST block ran");
}

} // namespace

int main(int argc, char **argv)
{
	Options o;
	o.parse("aes_tb", argc, argv, "build/" IMNPU_NAME "/aes.fst");
	o.blocks = tb::count_plusarg("aes_tb", argc, argv, "blocks", o.blocks, 1, 10000000);
	Harness h(o, argc, argv);
	return h.run();
}
