#include <string.h>
#include <strings.h>
#include "rulesfile.h"

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }

/* A domain as rules name it: no empty label, printable or 8-bit (IDN kept as
 * bytes), or an IP literal in brackets. Lowercased, final dot dropped, into out. */
static int domain(const char *s, size_t n, char *out, size_t *outlen)
{
  size_t i;
  if (n && s[n - 1] == '.' && s[0] != '[') --n;
  if (!n || n > 255 || s[0] == '.') return 0;
  for (i = 0; i < n; ++i) {
    unsigned char c = (unsigned char)s[i];
    if (c <= ' ' || c == 127 || c == '@' || c == '"' || c == '<' || c == '>' || c == ',' || c == '*' || c == '?') return 0;
    if (c == '.' && i + 1 < n && s[i + 1] == '.') return 0;
    if (s[0] != '[' && (c == '[' || c == ']' || c == ':')) return 0;
    out[i] = lower((char)c);
  }
  if (s[0] == '[' && s[n - 1] != ']') return 0;
  *outlen = n;
  return 1;
}

static int mailbox(const char *s, size_t n, char *out, size_t *outlen)
{
  size_t at;
  if (addr_parse(s, n, out, outlen) != ADDR_OK) return 0;
  at = addr_at(out, *outlen);
  return at > 0 && at + 1 < *outlen;
}

static int rcpt_field(const char *s, size_t n, struct rule *r, const char **why)
{
  size_t len, at;
  *why = "malformed recipient (want local@domain, prefix-*@domain, @domain or nothing)";
  if (!n) { r->rkind = RR_ALL; r->rlen = 0; return 1; }
  if (s[0] == '@') {
    if (!domain(s + 1, n - 1, r->rcpt + 1, &len)) return 0;
    r->rcpt[0] = '@';
    r->rkind = RR_DOMAIN; r->rlen = len + 1;
    return 1;
  }
  if (!memchr(s, '@', n) || memchr(s, ' ', n)) return 0;
  /* "prefix-*@domain", unquoted: every local part that starts with "prefix-" */
  at = n;
  while (at && s[at - 1] != '@') --at;
  if (at >= 3 && s[at - 2] == '*' && s[at - 3] == '-' && !memchr(s, '"', at) && !memchr(s, '\\', at)) {
    char tmp[ADDR_MAX + 2];
    size_t tlen, cat;
    if (n - 1 > sizeof tmp) return 0;
    memcpy(tmp, s, at - 2);
    memcpy(tmp + at - 2, s + at - 1, n - at + 1);
    if (!mailbox(tmp, n - 1, r->rcpt, &tlen)) return 0;
    cat = addr_at(r->rcpt, tlen);
    if (!cat || r->rcpt[cat - 1] != '-') return 0;
    memmove(r->rcpt + cat + 1, r->rcpt + cat, tlen - cat);
    r->rcpt[cat] = RULES_PREFIX_MARK;
    r->rlen = tlen + 1;
    r->rkind = RR_PREFIX;
    return 1;
  }
  if (!mailbox(s, n, r->rcpt, &r->rlen)) return 0;
  r->rkind = RR_EXACT;
  return 1;
}

static int sender_field(const char *s, size_t n, struct rule *r, const char **why)
{
  size_t i, len;
  *why = "malformed sender (want local@domain, @domain, .domain, <>, a glob or nothing)";
  if (!n) { r->skind = RS_ANY; r->slen = 0; return 1; }
  if (n == 2 && s[0] == '<' && s[1] == '>') { memcpy(r->sender, "<>", 2); r->slen = 2; r->skind = RS_NULL; return 1; }
  if (memchr(s, '*', n) || memchr(s, '?', n)) {
    if (n > ADDR_MAX) { *why = "glob longer than 320 bytes"; return 0; }
    for (i = 0; i < n; ++i) {
      unsigned char c = (unsigned char)s[i];
      if (c <= ' ' || c == 127 || c == '<' || c == '>') return 0;
      r->sender[i] = lower((char)c);
    }
    r->slen = n; r->skind = RS_GLOB;
    return 1;
  }
  if (s[0] == '@' || s[0] == '.') {
    if (n < 2 || s[1] == '.' || !domain(s + 1, n - 1, r->sender + 1, &len)) { *why = "empty or malformed domain in sender"; return 0; }
    r->sender[0] = s[0];
    r->slen = len + 1;
    r->skind = s[0] == '@' ? RS_DOMAIN : RS_SUBDOMAIN;
    return 1;
  }
  if (!memchr(s, '@', n) || memchr(s, ' ', n) || !mailbox(s, n, r->sender, &r->slen)) return 0;
  r->skind = RS_EXACT;
  return 1;
}

static int isdigit3(const char *t) { return t[0] >= '0' && t[0] <= '9' && t[1] >= '0' && t[1] <= '9' && t[2] >= '0' && t[2] <= '9'; }

/* ,MSG="text" with \" and \\ escapes; turned into a full reply line. */
static int msg_field(const char *s, size_t n, struct rule *r, const char **why)
{
  char text[RULES_USERMSG_MAX + 1];
  size_t i, t = 0;

  if (n < 6 || s[0] != ',' || (lower(s[1]) != 'm' || lower(s[2]) != 's' || lower(s[3]) != 'g') || s[4] != '=' || s[5] != '"') {
    *why = "after the action only ,MSG=\"text\" may follow";
    return 0;
  }
  for (i = 6; i < n && s[i] != '"'; ++i) {
    unsigned char c = (unsigned char)s[i];
    if (c == '\\' && i + 1 < n && (s[i + 1] == '"' || s[i + 1] == '\\')) c = (unsigned char)s[++i];
    if (c < 32 || c == 127) { *why = "MSG contains a control character"; return 0; }
    if (t == RULES_USERMSG_MAX) { *why = "MSG longer than 400 bytes"; return 0; }
    text[t++] = (char)c;
  }
  if (i >= n) { *why = "MSG has no closing quote"; return 0; }
  if (i + 1 != n) { *why = "text after the closing quote of MSG"; return 0; }
  if (!t) { *why = "empty MSG"; return 0; }
  if (r->action == RULES_ALLOW) { *why = "MSG makes no sense with allow"; return 0; }
  if (t >= 3 && isdigit3(text) && (t == 3 || text[3] == ' ')) {
    if (t < 5) { *why = "MSG needs text after its reply code"; return 0; }
    /* a reply code of its own: 4xx or 5xx only, never a success for a refused recipient */
    if (text[0] != '4' && text[0] != '5') { *why = "MSG reply code must be 4xx or 5xx"; return 0; }
    memcpy(r->msg, text, t);
    r->msglen = t;
  } else {             /* "5.1.1 no such mailbox", "go away": a 550 reply */
    memcpy(r->msg, "550 ", 4);
    memcpy(r->msg + 4, text, t);
    r->msglen = t + 4;
  }
  r->msg[r->msglen] = 0;
  return 1;
}

/* Next ':' outside [...] and outside "..."; simple: the line has neither. */
static size_t field_end(const char *s, size_t i, size_t n, int simple)
{
  int br = 0, q = 0;
  if (simple) {
    const char *c = memchr(s + i, ':', n - i);
    return c ? (size_t)(c - s) : n;
  }
  for (; i < n; ++i) {
    if (q) { if (s[i] == '\\') ++i; else if (s[i] == '"') q = 0; continue; }
    if (s[i] == '"') q = 1;
    else if (s[i] == '[') br = 1;
    else if (s[i] == ']') br = 0;
    else if (s[i] == ':' && !br) return i;
  }
  return n;
}

int rulesfile_line(const char *line, size_t len, struct rule *r, const char **why)
{
  size_t i, a, b, e, w;
  int q = 0, simple;

  /* no memset of the whole struct: 1.2 kB per line is most of a large compile */
  r->action = RULES_PASS; r->rkind = RR_ALL; r->skind = RS_ANY;
  r->rlen = r->slen = r->msglen = 0;
  r->msg[0] = 0;
  if (len && line[len - 1] == '\r') --len;
  if (memchr(line, 0, len)) { *why = "NUL byte in line"; return -1; }
  /* most lines have no quotes and no IP literal: memchr finds what matters */
  simple = !memchr(line, '"', len) && !memchr(line, '[', len);
  /* a '#' after whitespace, outside quotes, starts a comment */
  if (simple) {
    const char *h;
    for (i = 0; (h = memchr(line + i, '#', len - i)); i = (size_t)(h - line) + 1)
      if (h == line || h[-1] == ' ' || h[-1] == '\t') { len = (size_t)(h - line); break; }
  } else
    for (i = 0; i < len; ++i) {
      if (line[i] == '"' && (!i || line[i - 1] != '\\')) q = !q;
      if (!q && line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) { len = i; break; }
    }
  while (len && (line[len - 1] == ' ' || line[len - 1] == '\t')) --len;
  for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t'); ++i) ;
  if (i == len) return 0;
  a = field_end(line, i, len, simple);
  if (a == len) { *why = "want recipient:sender:action"; return -1; }
  b = field_end(line, a + 1, len, simple);
  if (b == len) { *why = "want recipient:sender:action"; return -1; }
  if (!rcpt_field(line + i, a - i, r, why)) return -1;
  if (!sender_field(line + a + 1, b - a - 1, r, why)) return -1;
  for (e = b + 1; e < len && line[e] != ','; ++e) ;
  w = e - b - 1;
  if (w == 5 && !strncasecmp(line + b + 1, "allow", 5)) r->action = RULES_ALLOW;
  else if (w == 4 && !strncasecmp(line + b + 1, "deny", 4)) r->action = RULES_DENY;
  else if (w == 4 && !strncasecmp(line + b + 1, "trap", 4)) r->action = RULES_TRAP;
  else { *why = w ? "unknown action (want allow, deny or trap)" : "missing action"; return -1; }
  if (e < len) { if (!msg_field(line + e, len - e, r, why)) return -1; }
  else if (r->action != RULES_ALLOW) {
    memcpy(r->msg, RULES_DEFAULT_MSG, sizeof RULES_DEFAULT_MSG);
    r->msglen = sizeof RULES_DEFAULT_MSG - 1;
  }
  return 1;
}
