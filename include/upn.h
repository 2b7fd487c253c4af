/*
 * upn.h - Unique Pupil Numbers (DfE).
 *
 * 13 characters: a check letter then 12 digits (a temporary UPN ends in
 * a letter).  The check letter is the sum of (position 2..13 char value x
 * weight 2..13) mod 23 mapped to ABCDEFGHJKLMNPQRTUVWXYZ.
 */
#ifndef CME_UPN_H
#define CME_UPN_H

#include <stddef.h>

/* 1 if the UPN's check letter holds, 0 otherwise. */
int upn_valid(const char *upn);

/* Find a UPN-shaped token in text; copies it (upper-cased) to out[14]. */
int upn_find(const char *text, size_t len, char out[14]);

#endif
