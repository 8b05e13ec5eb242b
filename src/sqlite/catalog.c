/* catalog.c - placeholder, being written */
#include "sqlite/catalog.h"
