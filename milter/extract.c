/* extract.c - placeholder, being written */
#include "extract.h"
