/* translate.c - placeholder, being written */
#include "sqlite/translate.h"
