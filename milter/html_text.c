/* html_text.c - placeholder, being written */
#include "html_text.h"
