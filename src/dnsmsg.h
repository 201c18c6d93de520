/* dnsmsg.h — read a DNS answer packet (hostile input): rcode, the A records
 * and the TXT strings of the answer section. Nothing else is believed. */
#ifndef DNSMSG_H
#define DNSMSG_H
#include <stddef.h>

#define DNSMSG_A_MAX 32       /* A records kept; more are counted, not kept */
#define DNSMSG_TXT_MAX 1024   /* TXT bytes kept; more are counted, not kept */

struct dnsmsg {
  unsigned rcode;             /* 0 NOERROR, 3 NXDOMAIN, ... */
  unsigned na;                /* A records kept in a[] */
  unsigned natotal;           /* A records seen */
  unsigned char a[DNSMSG_A_MAX][4];
  size_t txtlen;              /* bytes kept in txt[] */
  size_t txttotal;            /* TXT string bytes seen (0: no text) */
  char txt[DNSMSG_TXT_MAX];   /* every TXT string of every TXT record, concatenated, raw */
};

/* 0 on success; -1 when the packet is malformed (short header, no single
 * question, a name or record running past the end, a bad label). */
int dnsmsg_parse(const unsigned char *pkt, size_t len, struct dnsmsg *m);

/* Position after the (wire-format) name at pos in packet p; 0 when
 * malformed. A compression pointer ends the name: never followed, no loop. */
size_t dnsmsg_skipname(const unsigned char *p, size_t len, size_t pos);
#endif
