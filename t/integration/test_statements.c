/*
 * test_statements.c - prepared statements through transaction pooling.
 * (Being written; see the statement tracking issue.)
 */
#include <criterion/criterion.h>

#include "harness.h"

#define IT(seconds) .init = h_setup, .fini = h_teardown, .timeout = (seconds)

Test(statements, pgpin_starts, IT(30))
{
	struct h_pgpin_opts o = {0};
	h_pgpin_start(&o);
	h_done();
}

int main(int argc, char *argv[])
{
	struct criterion_test_set *tests = criterion_initialize();
	int rc = 0;

	criterion_options.jobs = 1;
	if (criterion_handle_args(argc, argv, true))
		rc = !criterion_run_all_tests(tests);
	criterion_finalize(tests);
	return rc;
}
