/* ukdate.c - placeholder, being written */
#include "ukdate.h"
