/* fileio.c - placeholder, being written */
#include "fileio.h"
