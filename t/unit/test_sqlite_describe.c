#include <criterion/criterion.h>
Test(placeholder, describe) { cr_assert(1); }
