/* types.c - placeholder, being written */
#include "sqlite/types.h"
