/* errors.c - placeholder, being written */
#include "sqlite/errors.h"
