/* strlist.c - placeholder, being written */
#include "strlist.h"
