/* describe.c - placeholder, being written */
#include "sqlite/describe.h"
