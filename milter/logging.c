/* logging.c - placeholder, being written */
#include "logging.h"
