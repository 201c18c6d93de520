/* die.h — djb-style diagnostics: "prog: fatal: unable to <what>: <reason>". */
#ifndef DIE_H
#define DIE_H

#define EXIT_PERM 100   /* usage, bad input: do not retry */
#define EXIT_TEMP 111   /* temporary: out of memory, cannot exec, cannot read */

/* "prog: fatal: unable to what: strerror(errno)", exit code. */
void die_sys(int code, const char *prog, const char *what) __attribute__((noreturn));
/* "prog: fatal: msg", exit code. */
void die_msg(int code, const char *prog, const char *msg) __attribute__((noreturn));
/* "prog: usage: usage", exit 100. */
void die_usage(const char *prog, const char *usage) __attribute__((noreturn));
/* "prog: fatal: out of memory", exit 111. */
void die_nomem(const char *prog) __attribute__((noreturn));
/* "prog: warning: unable to what: strerror(errno)" (no exit). */
void warn_sys(const char *prog, const char *what);
/* "prog: warning: msg" (no exit). */
void warn_msg(const char *prog, const char *msg);
#endif
