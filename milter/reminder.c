/* reminder.c - placeholder, being written */
#include "reminder.h"
