/* closures.c - placeholder, being written */
#include "closures.h"
