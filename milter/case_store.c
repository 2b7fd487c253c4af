/* case_store.c - placeholder, being written */
#include "case_store.h"
