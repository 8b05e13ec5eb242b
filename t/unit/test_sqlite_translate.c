#include <criterion/criterion.h>
Test(placeholder, translate) { cr_assert(1); }
