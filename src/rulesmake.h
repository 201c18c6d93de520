/* rulesmake.h — compile parsed rules into the cdb form described in rules.h. */
#ifndef RULESMAKE_H
#define RULESMAKE_H
#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>
#include <cdb.h>
#include "rulesfile.h"

/* Two rules with the same recipient and sender (or glob) but a different action or MSG. */
struct rulesmake_conflict { unsigned long line, other; int glob; };
#define RULESMAKE_CONFLICTS_MAX 20
struct rulesmake_glob { char *rcpt; size_t rlen; char *entry; size_t elen; char *pat; size_t plen; char act; uint32_t msg; unsigned long line, order; };

struct rulesmake {
  struct cdb_make cdb;
  struct rulesmake_glob *globs;
  size_t nglobs, capglobs;
  unsigned long rules, allow, deny, trap;
  struct rulesmake_conflict conflict[RULESMAKE_CONFLICTS_MAX];   /* by line, after rulesmake_finish */
  size_t nconflicts;                 /* how many of them are kept: the lowest lines */
  unsigned long conflicts;           /* how many there were */
  unsigned long prefixes;            /* rules with a "prefix-*@domain" recipient: the cdb says RULES_MAGIC2 */
  off_t written;                     /* the file up to here is on its way to disk */
  int finished;
};

/* 0, or -1 with errno */
int rulesmake_start(struct rulesmake *m, int fd);
/* 0 added, -1 with errno. Duplicates are found by rulesmake_finish. */
int rulesmake_add(struct rulesmake *m, const struct rule *r, unsigned long line);
/* Write the glob lists and the header, finish the cdb, then read its hash
 * tables back for rules given twice: an identical copy is harmless (not
 * counted), a copy with another action or MSG is a conflict. 0; 1 when there
 * are conflicts (m->conflict, sorted by line); -1 with errno. */
int rulesmake_finish(struct rulesmake *m, const char *srcname);
void rulesmake_free(struct rulesmake *m);
/* Compile rules text (whole lines; blank lines and comments skipped) into fd
 * in one go: for tests and benches that make their own small rules cdb.
 * Lines that do not parse are skipped and counted in *bad (when bad is not
 * 0). 0, or -1 (a conflict, out of memory, an I/O error). */
int rulesmake_text(int fd, const char *text, const char *srcname, unsigned long *bad);
#endif
