/* message.c - placeholder, being written */
#include "message.h"
