/* conf.c - placeholder, being written */
#include "conf.h"
