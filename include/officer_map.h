/*
 * officer_map.h - OfficerMap: which officer a new case goes to.
 *
 * Owns: the map file and its lookup.  One rule per line, `KEY EMAIL`:
 *     IP1                     ewo.north@la.test   # postcode district
 *     IP                      ewo.area@la.test    # postcode area
 *     Northgate High School   ewo.north@la.test   # school name
 * The last word is the officer's address; everything before it is the
 * key.  '#' starts a comment.  Lookup order: the child's postcode
 * district, then the school (case-insensitive), then the postcode area;
 * no rule means the DutyOfficer.
 */
#ifndef CME_OFFICER_MAP_H
#define CME_OFFICER_MAP_H

#include "strlist.h"

struct officer_map;

/* NULL on failure, with "file:line: problem" lines in *errors. */
struct officer_map *officer_map_load(const char *path, struct strlist *errors);
void officer_map_free(struct officer_map *m);

/* The officer for a child with this postcode ("IP1 2BX") and school, or
 * NULL when no rule applies. */
const char *officer_map_lookup(const struct officer_map *m, const char *postcode,
                               const char *school);

#endif
