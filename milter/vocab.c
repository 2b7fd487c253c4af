/* vocab.c - placeholder, being written */
#include "vocab.h"
