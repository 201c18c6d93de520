#include <string.h>
#include "dnsbl.h"

static int scan_ip4num(const char **sp, unsigned long *out)
{
  const char *s = *sp;
  unsigned long v = 0;
  int i;
  for (i = 0; i < 4; ++i) {
    unsigned long oct = 0;
    int n = 0;
    while (*s >= '0' && *s <= '9' && n < 4) { oct = oct * 10 + (unsigned long)(*s++ - '0'); ++n; }
    if (!n || n > 3 || oct > 255) return 0;
    v = v << 8 | oct;
    if (i < 3 && *s++ != '.') return 0;
  }
  *sp = s;
  *out = v;
  return 1;
}

/* "127.0.0.2", "127.0.0.4-11", "127.0.0.4-127.0.0.11", comma separated, up to end. */
static int parse_codes(struct dnsbl_list *l, const char *s, const char *end)
{
  while (s < end) {
    struct dnsbl_range r;
    if (l->nranges == DNSBL_CODES_MAX) return 0;
    if (!scan_ip4num(&s, &r.lo)) return 0;
    r.hi = r.lo;
    if (s < end && *s == '-') {
      const char *t = ++s;
      unsigned long last = 0;
      int n = 0;
      if (scan_ip4num(&t, &r.hi)) s = t;
      else {
        while (s < end && *s >= '0' && *s <= '9' && n < 4) { last = last * 10 + (unsigned long)(*s++ - '0'); ++n; }
        if (!n || n > 3 || last > 255) return 0;
        r.hi = (r.lo & ~0xffUL) | last;
      }
      if (r.hi < r.lo) return 0;
    }
    l->ranges[l->nranges++] = r;
    if (s == end) break;
    if (*s++ != ',' || s == end) return 0;
  }
  return s == end;
}

static int base_ok(const char *b, size_t n)
{
  size_t i, label = 0;
  if (!n || n > 253) return 0;
  for (i = 0; i < n; ++i) {
    unsigned char c = (unsigned char)b[i];
    if (c == '.') { if (!label && i) return 0; label = 0; continue; }
    if (c <= ' ' || c >= 127 || c == '\\') return 0;
    if (++label > 63) return 0;
  }
  return b[0] != '.';
}

/* "*W": whole number 0..DNSBL_WEIGHT_MAX, digits up to end. */
static int parse_weight(struct dnsbl_list *l, const char *s, const char *end)
{
  unsigned long w = 0;
  if (s == end) { l->err = "empty weight after *"; return 0; }
  if (*s == '-') { l->err = "negative weight: an allowlist is -a, whose weight is taken off"; return 0; }
  for (; s < end; ++s) {
    if (*s < '0' || *s > '9') { l->err = "weight is not a whole number"; return 0; }
    w = w * 10 + (unsigned long)(*s - '0');
    if (w > DNSBL_WEIGHT_MAX) { l->err = "weight too large (at most 1000000)"; return 0; }
  }
  l->weight = w;
  l->weighted = 1;
  return 1;
}

int dnsbl_parse(struct dnsbl_list *l, const char *arg, int allow, int bounce, int failclosed)
{
  const char *colon = strchr(arg, ':');
  const char *end = colon ? colon : arg + strlen(arg);
  const char *star = memchr(arg, '*', (size_t)(end - arg));
  const char *eq;

  memset(l, 0, sizeof *l);
  l->allow = allow;
  l->bounce = bounce;
  l->failclosed = failclosed;
  l->weight = 1;
  if (star) {
    if (!parse_weight(l, star + 1, end)) return 0;
    end = star;
  }
  eq = memchr(arg, '=', (size_t)(end - arg));
  l->base = arg;
  l->baselen = (size_t)((eq ? eq : end) - arg);
  l->err = "bad list name";
  if (!base_ok(l->base, l->baselen)) return 0;
  l->err = "bad return codes (127.0.0.2,127.0.0.4-11)";
  if (eq && !parse_codes(l, eq + 1, end)) return 0;
  if (eq && !l->nranges) return 0;
  if (colon) {
    l->err = allow ? "-a takes no message" : "empty message";
    if (allow || !colon[1]) return 0;     /* -a takes no message; an empty one says nothing */
    l->message = colon + 1;
  }
  l->err = 0;
  /* The A query decides for -a, base:message and base=codes; for a plain TXT
   * list it only guards against 127.255.255.x "query refused" answers. */
  l->want_a = 1;
  l->want_txt = !allow && !l->message;
  return 1;
}

static int in_ranges(const struct dnsbl_list *l, const unsigned char a[4])
{
  unsigned long v = (unsigned long)a[0] << 24 | (unsigned long)a[1] << 16 | (unsigned long)a[2] << 8 | a[3];
  size_t i;
  if (!l->nranges) return 1;
  for (i = 0; i < l->nranges; ++i)
    if (v >= l->ranges[i].lo && v <= l->ranges[i].hi) return 1;
  return 0;
}

void dnsbl_settle(struct dnsbl_list *l)
{
  unsigned i;
  int matched = 0;

  l->state = DNSBL_FAILED;
  if (l->want_a && !l->a_failed)
    for (i = 0; i < l->a.na; ++i) {
      if (l->a.a[i][0] == 127 && l->a.a[i][1] == 255 && l->a.a[i][2] == 255) {
        l->fail = DNSBL_FAIL_BLOCKED;
        memcpy(l->blocked, l->a.a[i], 4);
        return;
      }
      if (in_ranges(l, l->a.a[i])) matched = 1;
    }
  if (l->want_txt && !l->nranges) {     /* plain TXT list: the text decides */
    if (l->txt_failed) { if (!l->fail) l->fail = DNSBL_FAIL_LOOKUP; return; }
    l->state = l->txt.txttotal ? DNSBL_LISTED : DNSBL_CLEAN;
    return;
  }
  if (l->a_failed) { if (!l->fail) l->fail = DNSBL_FAIL_LOOKUP; return; }
  l->state = matched ? DNSBL_LISTED : DNSBL_CLEAN;
}

static void settext(struct dnsbl_verdict *v, const char *s, size_t n)
{
  if (n > sizeof v->text) n = sizeof v->text;
  memcpy(v->text, s, n);
  v->textlen = n;
}

static void cattext(struct dnsbl_verdict *v, const char *s, size_t n)
{
  size_t room = sizeof v->text - v->textlen;
  if (n > room) n = room;
  memcpy(v->text + v->textlen, s, n);
  v->textlen += n;
}

static void listing_text(const struct dnsbl_list *l, const char *client, struct dnsbl_verdict *v)
{
  const char *m = l->message;
  v->textlen = 0;
  if (m) {                                 /* base:message, %IP% is the client */
    while (*m) {
      const char *ip = strstr(m, "%IP%");
      size_t n = ip ? (size_t)(ip - m) : strlen(m);
      cattext(v, m, n);
      if (!ip) break;
      cattext(v, client, strlen(client));
      m = ip + 4;
    }
    return;
  }
  if (l->want_txt && l->txt.txttotal && !l->txt_failed) { settext(v, l->txt.txt, l->txt.txtlen); return; }
  cattext(v, "listed in ", 10);          /* base=codes with no TXT record */
  cattext(v, l->base, l->baselen);
}

enum dnsbl_action dnsbl_decide(struct dnsbl_list *lists, size_t n, const char *client, struct dnsbl_verdict *v)
{
  static const char lookuperr[] = "temporary RBL lookup error";
  int mustnotbounce = 0;
  size_t i;

  v->action = DNSBL_WAIT;
  v->code = 0;
  v->list = -1;
  v->textlen = 0;
  for (i = 0; i < n; ++i) {
    struct dnsbl_list *l = &lists[i];
    if (l->state == DNSBL_PENDING) return DNSBL_WAIT;
    v->list = (int)i;
    if (l->allow) {
      if (l->state == DNSBL_FAILED) {
        mustnotbounce = 1;
        if (!l->failclosed) return v->action = DNSBL_ACCEPT;
      } else if (l->state == DNSBL_LISTED)
        return v->action = DNSBL_ACCEPT;
      continue;
    }
    if (l->state == DNSBL_FAILED) {
      mustnotbounce = 1;
      if (l->failclosed) {
        v->code = 451;
        settext(v, lookuperr, sizeof lookuperr - 1);
        return v->action = DNSBL_REJECT;
      }
    } else if (l->state == DNSBL_LISTED) {
      v->code = l->bounce && !mustnotbounce ? 553 : 451;
      listing_text(l, client, v);
      return v->action = DNSBL_REJECT;
    }
  }
  v->list = -1;
  return v->action = DNSBL_PASS;
}

enum dnsbl_action dnsbl_score_decide(struct dnsbl_list *lists, size_t n, long threshold, const char *client,
                                     struct dnsbl_verdict *v)
{
  static const char lookuperr[] = "temporary RBL lookup error";
  long known = 0, best = 0, up = 0, down = 0;
  int heavy = -1, allowed = -1;
  size_t i;

  v->action = DNSBL_WAIT;
  v->code = 0;
  v->list = -1;
  v->textlen = 0;
  for (i = 0; i < n; ++i) {
    const struct dnsbl_list *l = &lists[i];
    long w = l->allow ? -(long)l->weight : (long)l->weight;
    switch (l->state) {
      case DNSBL_PENDING:             /* will add 0 or w */
        if (w > 0) up += w; else down += w;
        break;
      case DNSBL_LISTED:
        known += w;
        best += w;
        if (!l->allow && (heavy < 0 || l->weight > lists[heavy].weight)) heavy = (int)i;
        if (l->allow && (allowed < 0 || l->weight > lists[allowed].weight)) allowed = (int)i;
        break;
      case DNSBL_FAILED:              /* -c: the worse answer, -C: the better one */
        if (l->failclosed ? w > 0 : w < 0) known += w;
        if (w < 0) best += w;
        if (l->allow && !l->failclosed && allowed < 0) allowed = (int)i;
        break;
      case DNSBL_CLEAN:
        break;
    }
  }
  v->score = known;
  if (known + down >= threshold) {      /* nothing pending can bring it below */
    v->list = heavy;
    if (heavy >= 0 && best + down >= threshold) {   /* holds whatever the failed lookups would have said */
      v->code = lists[heavy].bounce ? 553 : 451;
      listing_text(&lists[heavy], client, v);
    } else {
      v->code = 451;
      settext(v, lookuperr, sizeof lookuperr - 1);
    }
    return v->action = DNSBL_REJECT;
  }
  if (known + up < threshold) {         /* nothing pending can bring it up */
    v->list = allowed;
    return v->action = allowed >= 0 ? DNSBL_ACCEPT : DNSBL_PASS;
  }
  return DNSBL_WAIT;
}

size_t dnsbl_cleantext(char *out, const char *text, size_t len)
{
  size_t i;
  if (len > DNSBL_TEXT_MAX) len = DNSBL_TEXT_MAX;
  for (i = 0; i < len; ++i) {
    unsigned char c = (unsigned char)text[i];
    out[i] = (c < 32 || c > 126) ? '?' : (char)c;
  }
  out[len] = 0;
  return len;
}
