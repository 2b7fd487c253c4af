/* deadline.c - placeholder, being written */
#include "deadline.h"
