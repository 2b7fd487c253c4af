/* docx_text.c - placeholder, being written */
#include "docx_text.h"
