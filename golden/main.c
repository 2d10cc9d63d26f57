/* imnpu-golden: command-line front end of the golden model library.
 *   imnpu-golden act-errors   the sigmoid/tanh error table of docs/arith.md 6.1 */
#include "imnpu_golden.h"

#include <stdio.h>
#include <string.h>

static void act_errors(void)
{
	puts("| act_in_frac | lut_bits 3 | 4 | 5 | 6 | 7 | 8 |");
	puts("| --- | --- | --- | --- | --- | --- | --- |");
	for (int f = 0; f <= 7; f++) {
		printf("| %d |", f);
		for (int k = 3; k <= 8; k++) {
			const double es = imnpu_act_worst_error(IMNPU_ACT_SIGMOID, f, k);
			const double et = imnpu_act_worst_error(IMNPU_ACT_TANH, f, k);
			const int ok = es <= 1.0 + 1e-9 && et <= 1.0 + 1e-9;
			printf(" %.2f / %.2f%s |", es, et, ok ? "" : " (refused)");
		}
		putchar('\n');
	}
	puts("");
	puts("Each cell: sigmoid / tanh. The 1.00 entries come from Q7 itself: +1.0 is not");
	puts("representable, so a function that reaches 1 saturates at 127/128.");
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "act-errors")) {
		act_errors();
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		puts("usage: imnpu-golden act-errors\n"
		     "  act-errors  worst sigmoid/tanh error against double precision, in output\n"
		     "              LSBs, for every act_in_frac and lut_bits (docs/arith.md 6.1)");
		return 0;
	}
	fprintf(stderr, "imnpu-golden: error: %s (usage: imnpu-golden act-errors; see --help)\n",
		argc < 2 ? "no command given" : "unknown command");
	return 2;
}
