/* smtpreply.h — replies from the SMTP server behind us (hostile enough):
 * one complete reply at a time, and the EHLO keyword filter. */
#ifndef SMTPREPLY_H
#define SMTPREPLY_H
#include <stddef.h>

#define SMTPREPLY_LINE_MAX 2048     /* longest reply line accepted from the backend */
#define SMTPREPLY_LINES_MAX 64      /* most lines in one reply */

/* Length of the first complete reply in buf (its last line ends in LF), 0
 * when more bytes are needed, -1 when it is not SMTP (bad code, mixed codes,
 * a line or a reply over the limits). *code gets the reply code. */
long smtpreply_complete(const char *buf, size_t len, int *code);

/* Rewrite an EHLO reply in place without the keywords the proxy cannot carry
 * (STARTTLS, CHUNKING, BINARYMIME, PIPECONNECT), the last line's "250 " kept
 * right. Returns the new length; *removed gets a bit per keyword removed. */
#define SMTPREPLY_STARTTLS 1
#define SMTPREPLY_CHUNKING 2
#define SMTPREPLY_BINARYMIME 4
#define SMTPREPLY_PIPECONNECT 8
size_t smtpreply_ehlo_filter(char *reply, size_t len, int *removed);
/* The names of the keywords in removed, comma-separated, into out (size
 * bytes, NUL-terminated); returns the length. */
size_t smtpreply_ehlo_names(int removed, char *out, size_t size);
#endif
