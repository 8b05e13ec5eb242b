/* lex.c - placeholder, being written */
#include "sqlite/lex.h"
