/* qmailrcpt.h — which addresses would qmail deliver? Reads qmail's own
 * configuration (control/, users/, .qmail files, vpopmail domains) and
 * writes rules lines: "@domain::deny[,MSG=...]" then one allow line per
 * deliverable address or "prefix-*" pattern, for every domain qmail
 * delivers locally and that qmail-smtpd accepts. Semantics: SPEC
 * "qmail-recipients", man/qmail-recipients.8. */
#ifndef QMAILRCPT_H
#define QMAILRCPT_H
#include <stddef.h>
#include <time.h>

struct qr_opts {
  const char *qmaildir;     /* /var/qmail */
  const char *vpopdir;      /* /home/vpopmail: recognizes its vdelivermail */
  const char *passwd;       /* a passwd(5) file, or NULL: getpwent(3) */
  const char *alias;        /* qmail's alias user: "alias" */
  const char *msg;          /* MSG text of the deny lines, or NULL */
  int inputs_fd;            /* -1, or where the list of inputs goes, one path a line */
  int vpopext;              /* vpopmail built with --enable-qmail-ext: user-ext goes to user */
};

struct qr_stats {
  unsigned long domains;    /* domains qmail delivers locally and accepts */
  unsigned long closed;     /* got a deny line */
  unsigned long catchall;   /* deliver everything: no lines */
  unsigned long open;       /* unsure: no lines, a warning */
  unsigned long allow;      /* allow lines written */
  unsigned long inputs;     /* files and directories read */
  time_t newest;            /* mtime of the newest of them */
  char newest_path[512];
};

#define QR_ERR_MAX 1024
/* Write the rules to fd. 0; 100 bad input or options; 111 unreadable input
 * or a write error. err gets "file:line: why" or "unable to ...: reason";
 * warnings (domains left open) go to fd 2 as they are found. */
int qr_run(const struct qr_opts *o, int fd, struct qr_stats *st, char *err);
#endif
