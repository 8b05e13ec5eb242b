#include <criterion/criterion.h>
Test(placeholder, types) { cr_assert(1); }
