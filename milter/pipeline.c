/* pipeline.c - placeholder, being written */
#include "pipeline.h"
