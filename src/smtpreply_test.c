#include <string.h>
#include "smtpreply.h"
#include "test.h"

static const struct { const char *in; long want; int code; } replies[] = {
  { "220 hello\r\n", 11, 220 },
  { "250 ok\r\n354 next\r\n", 8, 250 },
  { "250-a\r\n250-b\r\n250 c\r\n", 21, 250 },
  { "250-a\r\n250 c\n", 13, 250 },
  { "250\r\n", 5, 250 },
  { "250-a\r\n", 0, 0 },
  { "250 partial", 0, 0 },
  { "", 0, 0 },
  { "25 x\r\n", -1, 0 },
  { "abc x\r\n", -1, 0 },
  { "250-a\r\n251 b\r\n", -1, 0 },
  { "250_x\r\n", -1, 0 },
  { "650 x\r\n", -1, 0 },
  { "150 x\r\n", -1, 0 },
};

static const struct { const char *in, *out; int removed; } ehlo[] = {
  { "250-mx hello\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 CHUNKING\r\n", "250-mx hello\r\n250 PIPELINING\r\n", 3 },
  { "250-mx\r\n250-starttls\r\n250-SIZE 10\r\n250 8BITMIME\r\n", "250-mx\r\n250-SIZE 10\r\n250 8BITMIME\r\n", 1 },
  { "250-mx\r\n250-BINARYMIME\r\n250-CHUNKING\r\n250 STARTTLS\r\n", "250 mx\r\n", 7 },
  { "250 mx hello\r\n", "250 mx hello\r\n", 0 },
  { "250-STARTTLS is my name\r\n250 SIZE\r\n", "250-STARTTLS is my name\r\n250 SIZE\r\n", 0 },
  { "250-mx\r\n250-STARTTLSX\r\n250 AUTH PLAIN\r\n", "250-mx\r\n250-STARTTLSX\r\n250 AUTH PLAIN\r\n", 0 },
  { "250-mx\n250 STARTTLS\n", "250 mx\n", 1 },
  { "250-mx\r\n250-PIPECONNECT\r\n250 PIPELINING\r\n", "250-mx\r\n250 PIPELINING\r\n", 8 },
};

static const struct { int removed; const char *names; } labels[] = {
  { 0, "" }, { 1, "STARTTLS" }, { 3, "STARTTLS,CHUNKING" }, { 5, "STARTTLS,BINARYMIME" },
  { 6, "CHUNKING,BINARYMIME" }, { 15, "STARTTLS,CHUNKING,BINARYMIME,PIPECONNECT" },
};

int main(void)
{
  size_t i;
  for (i = 0; i < sizeof labels / sizeof labels[0]; ++i) {
    char out[64];
    smtpreply_ehlo_names(labels[i].removed, out, sizeof out);
    CHECK_STR(out, labels[i].names, "a name for each bit removed");
  }
  char buf[256], big[3000];
  int code, removed;

  for (i = 0; i < sizeof replies / sizeof replies[0]; ++i) {
    code = 0;
    CHECK_INT(smtpreply_complete(replies[i].in, strlen(replies[i].in), &code), replies[i].want, "reply table row");
    if (replies[i].want > 0) CHECK_INT(code, replies[i].code, "code");
  }
  for (i = 0; i < sizeof ehlo / sizeof ehlo[0]; ++i) {
    size_t n = strlen(ehlo[i].in);
    memcpy(buf, ehlo[i].in, n);
    n = smtpreply_ehlo_filter(buf, n, &removed);
    buf[n] = 0;
    CHECK_STR(buf, ehlo[i].out, "EHLO table row");
    CHECK_INT(removed, ehlo[i].removed, "removed bits");
  }
  memset(big, 'x', sizeof big);
  memcpy(big, "250 ", 4);
  CHECK_INT(smtpreply_complete(big, sizeof big, &code), -1, "line over the limit without LF");
  for (i = 0; i + 7 <= sizeof big; i += 7) memcpy(big + i, "250-a\r\n", 7);
  CHECK_INT(smtpreply_complete(big, i, &code), -1, "too many lines");
  return test_done();
}
