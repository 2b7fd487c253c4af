/* trust.c - placeholder, being written */
#include "trust.h"
