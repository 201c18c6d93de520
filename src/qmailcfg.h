/* qmailcfg.h — one line of qmail's own configuration, read the way qmail
 * reads it: users/assign (qmail-users(5)), control/virtualdomains
 * (qmail-send(8)), control/locals and rcpthosts, a vpopmail vpasswd, a
 * passwd file; and what a .qmail file name stands for (dot-qmail(5)).
 * Every parser takes one line without its LF; fields point into the line. */
#ifndef QMAILCFG_H
#define QMAILCFG_H
#include <stddef.h>

struct qfield { const char *s; size_t n; };

/* "=local:user:uid:gid:homedir:dash:ext:" (wild 0) or
 * "+prefix:user:uid:gid:homedir:dash:pre:" (wild 1), read as qmail-newu
 * reads them: a first byte other than '+' is an exact entry, a line
 * starting with '.' ends the file. */
struct qassign {
  int wild;
  struct qfield local, user, home, dash, ext;
  unsigned long uid, gid;
};
/* 1 an entry, 0 the final ".", -1 bad (*why says why). */
int qmailcfg_assign_line(const char *s, size_t n, struct qassign *a, const char **why);

/* "key:prefix" of control/virtualdomains; key is "domain", ".domain",
 * "user@domain" or "" (every domain). */
struct qvdom { struct qfield key, prefix; };
/* As qmail-send's constmap reads it: 1 an entry, 0 blank or a comment,
 * 2 a line qmail ignores (no colon; *why says so), -1 bad (a control byte). */
int qmailcfg_vdom_line(const char *s, size_t n, struct qvdom *v, const char **why);

/* A line of control/locals, rcpthosts, morercpthosts, me: one domain,
 * trailing blanks dropped (control_readfile). 1, 0 blank or a comment,
 * 2 a line that can never match a domain (*why), -1 bad (a control byte). */
int qmailcfg_domain_line(const char *s, size_t n, struct qfield *d, const char **why);

/* The user name of a vpasswd line ("name:pw:uid:gid:gecos:dir:quota..."). */
int qmailcfg_vpasswd_line(const char *s, size_t n, struct qfield *name, const char **why);

/* A passwd(5) line: name, uid, home. 1, 0 blank or comment, -1 bad. */
struct qpasswd { struct qfield name, home; unsigned long uid; };
int qmailcfg_passwd_line(const char *s, size_t n, struct qpasswd *p, const char **why);

/* What the rest of a .qmail file name (after ".qmail" and the dash) means
 * for qmail-local: it lowercases the extension and turns '.' into ':'
 * before it looks, so a name with an upper-case letter or a '.' is never
 * read. Otherwise ext gets the extension it serves (':' back to '.'), and
 * when the name is "default" or ends in "-default", pre gets the prefix of
 * the extensions it catches ("" or ending in '-'). out needs n bytes.
 * 0: never read; 1: exact (ext); 2: exact and default (ext, *prelen). */
#define QDOT_NEVER 0
#define QDOT_EXACT 1
#define QDOT_DEFAULT 2
int qmailcfg_dotqmail(const char *name, size_t n, char *ext, size_t *prelen);

/* Lowercase n bytes in place (qmail's case_lowerb). */
void qmailcfg_lower(char *s, size_t n);
#endif
