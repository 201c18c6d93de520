/* rulesmake.h — compile parsed rules into the cdb form described in rules.h. */
#ifndef RULESMAKE_H
#define RULESMAKE_H
#include <stddef.h>
#include <stdint.h>
#include <cdb.h>
#include "rulesfile.h"

struct rulesmake_seen { uint64_t key; uint32_t msg; uint32_t line; char act; };
struct rulesmake_glob { char *rcpt; size_t rlen; char *entry; size_t elen; char *pat; size_t plen; char act; uint32_t msg; unsigned long line, order; };

struct rulesmake {
  struct cdb_make cdb;
  struct rulesmake_seen *seen;   /* open addressing, by a 64-bit hash of the key */
  size_t nseen, capseen;
  struct rulesmake_glob *globs;
  size_t nglobs, capglobs;
  unsigned long rules, allow, deny, trap;
  int finished;
};

/* 0, or -1 with errno */
int rulesmake_start(struct rulesmake *m, int fd);
/* 0 added (or an identical duplicate ignored); 1 conflicts with the rule at
 * *other (same recipient and sender, different action or text); -1 with errno. */
int rulesmake_add(struct rulesmake *m, const struct rule *r, unsigned long line, unsigned long *other);
/* Write the glob lists and the header; 0, 1 on a glob conflict (*line, *other), -1 with errno. */
int rulesmake_finish(struct rulesmake *m, const char *srcname, unsigned long *line, unsigned long *other);
void rulesmake_free(struct rulesmake *m);
#endif
