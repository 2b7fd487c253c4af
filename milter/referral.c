/* referral.c - placeholder, being written */
#include "referral.h"
