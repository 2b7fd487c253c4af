/* upn.c - placeholder, being written */
#include "upn.h"
