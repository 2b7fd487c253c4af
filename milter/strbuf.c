/* strbuf.c - placeholder, being written */
#include "strbuf.h"
