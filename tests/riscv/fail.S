/* A test that must fail: check 2 expects a wrong sum.  The harness must
 * report "test 2 failed" (tohost = 5); tests/cases_rtl.sh checks that it does. */
#include "env.h"
	TEST_BEGIN
	TEST_RR 1, add, 3, 1, 2
	TEST_RR 2, add, 4, 1, 2
	TEST_END
