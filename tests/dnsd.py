#!/usr/bin/python3
"""tests/dnsd.py ADDR ZONEFILE [PIDFILE] — a scripted DNS server for tests and benchmarks.

Answers UDP and TCP on ADDR port 53 (or ADDR:PORT). ZONEFILE, one rule a line:

    # name        type  [delay=SECS] [tc]  answer
    2.0.0.127.bl.test  TXT  "listed" "second string" | "second record"
    2.0.0.127.bl.test  A    127.0.0.2 127.0.0.3
    3.0.0.127.bl.test  *    NXDOMAIN
    4.0.0.127.slow     *    delay=1 A 127.0.0.2

type is A, TXT or * (any). Answers: A addresses; TXT strings (quoted, Python
escapes like \\x01 allowed; '|' starts another record; a string over 255 bytes
is split); NXDOMAIN, SERVFAIL, REFUSED, EMPTY (no records), DROP (never
answer), GARBAGE (random bytes), WRONGID (right answer, wrong id), LOOP (a
record whose name is a compression loop), SHORT (answer cut in the middle).
'tc' sends a truncated UDP reply and the full one over TCP. 'first' (UDP)
answers only the first query for a name and type while its (delayed) answer
is pending: retransmissions are dropped, so only a client still listening on
its first socket hears it (a list that answers late, after a retry). Names not in the
file get NXDOMAIN. The file is re-read when it changes. Only for loopback.
With DNSD_QLOG=FILE every query received is appended to FILE ("name TYPE").
"""
import os, random, shlex, socket, struct, sys, threading, time, codecs

addr = sys.argv[1]
port = 53
if ':' in addr and addr.count(':') == 1:
    addr, port = addr.split(':')[0], int(addr.split(':')[1])
zonefile = sys.argv[2]
rules, mtime, lock = [], None, threading.Lock()
qlog = os.environ.get('DNSD_QLOG')
pending = set()      # (name, qtype) of 'first' answers not sent yet

def load():
    global rules, mtime
    m = os.stat(zonefile).st_mtime
    if m == mtime:
        return
    new = []
    for line in open(zonefile, encoding='latin-1'):
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        w = shlex.split(line, posix=True)
        name, qtype, rest = w[0].lower().rstrip('.'), w[1].upper(), w[2:]
        delay, tc = 0.0, False
        while rest and (rest[0].startswith('delay=') or rest[0] in ('tc', 'first')):
            if rest[0] == 'tc':
                tc = True
            elif rest[0] == 'first':
                tc = 'first'
            else:
                delay = float(rest[0][6:])
            rest = rest[1:]
        new.append((name, qtype, delay, tc, rest))
    rules, mtime = new, m

def lookup(name, qtype):
    with lock:
        load()
        for r in rules:
            if r[0] == name and (r[1] == '*' or r[1] == qtype):
                return r
    return None

def encname(name):
    out = b''
    for label in name.split('.'):
        if label:
            out += bytes([len(label)]) + label.encode('latin-1')
    return out + b'\0'

def txtrdata(strings):
    out = b''
    for s in strings:
        b = codecs.escape_decode(s.encode('latin-1'))[0]
        if not b:
            out += b'\0'
        while b:
            out += bytes([min(len(b), 255)]) + b[:255]
            b = b[255:]
    return out

def answer(q, tcp):
    if len(q) < 12:
        return None
    qid, flags, qd = struct.unpack('>HHH', q[:6])
    pos, labels = 12, []
    while pos < len(q) and q[pos]:
        labels.append(q[pos + 1:pos + 1 + q[pos]].decode('latin-1'))
        pos += 1 + q[pos]
    qname_wire = q[12:pos + 1]
    qtype_n = struct.unpack('>H', q[pos + 1:pos + 3])[0]
    question = q[12:pos + 5]
    name = '.'.join(labels).lower()
    qtype = {1: 'A', 16: 'TXT'}.get(qtype_n, str(qtype_n))
    if qlog:
        with lock:
            with open(qlog, 'a') as f:
                f.write('%s %s\n' % (name, qtype))
    rule = lookup(name, qtype)
    rcode, rrs, tc = 3, [], False
    delay, special = 0.0, None
    if rule:
        _, _, delay, tc, rest = rule
        special = rest[0] if rest else 'EMPTY'
        if special in ('NXDOMAIN', 'SERVFAIL', 'REFUSED', 'EMPTY', 'DROP', 'GARBAGE', 'WRONGID', 'LOOP', 'SHORT'):
            rcode = {'NXDOMAIN': 3, 'SERVFAIL': 2, 'REFUSED': 5}.get(special, 0)
            if special in ('WRONGID', 'SHORT'):
                rest = rest[1:]
        if special not in ('NXDOMAIN', 'SERVFAIL', 'REFUSED', 'EMPTY', 'DROP', 'GARBAGE', 'LOOP'):
            rcode = 0
            kind = rest[0].upper() if rest and rest[0].upper() in ('A', 'TXT') else qtype
            if rest and rest[0].upper() in ('A', 'TXT'):
                rest = rest[1:]
            if kind == 'A' and qtype == 'A':
                for a in rest:
                    rrs.append((1, socket.inet_aton(a)))
            elif kind == 'TXT' and qtype == 'TXT':
                rec = []
                for s in rest + ['|']:
                    if s == '|':
                        if rec:
                            rrs.append((16, txtrdata(rec)))
                        rec = []
                    else:
                        rec.append(s)
    if special == 'DROP':
        return None, delay
    if tc == 'first':
        tc = False
        if not tcp:
            key = (name, qtype)
            with lock:
                if key in pending:
                    return None, delay
                pending.add(key)
            threading.Timer(delay + 0.05, lambda: pending.discard(key)).start()
    if special == 'GARBAGE':
        return bytes(random.getrandbits(8) for _ in range(40)), delay
    hdr_flags = 0x8180 | rcode
    if tc and not tcp:
        return struct.pack('>HHHHHH', qid, hdr_flags | 0x0200, 1, 0, 0, 0) + question, delay
    body = b''
    for t, rdata in rrs:
        body += b'\xc0\x0c' + struct.pack('>HHIH', t, 1, 60, len(rdata)) + rdata
    n = len(rrs)
    if special == 'LOOP':
        # an answer whose owner name points at itself
        off = 12 + len(question)
        body = struct.pack('>H', 0xc000 | off) + struct.pack('>HHIH', qtype_n, 1, 60, 4) + b'\x7f\0\0\x02'
        n = 1
    if special == 'WRONGID':
        qid ^= 0x5a5a
    pkt = struct.pack('>HHHHHH', qid, hdr_flags, 1, n, 0, 0) + question + body
    if special == 'SHORT':
        pkt = pkt[:len(pkt) - 3]
    if len(pkt) > 512 and not tcp:       # as a real server does: truncate, the client retries over TCP
        return struct.pack('>HHHHHH', qid, hdr_flags | 0x0200, 1, 0, 0, 0) + question, delay
    return pkt, delay

def udp_loop(s):
    while True:
        q, peer = s.recvfrom(4096)
        try:
            r, delay = answer(q, False)
        except Exception:
            continue
        if r is None:
            continue
        if delay:
            threading.Timer(delay, s.sendto, (r, peer)).start()
        else:
            s.sendto(r, peer)

def tcp_conn(c):
    try:
        c.settimeout(30)
        ln = struct.unpack('>H', c.recv(2))[0]
        q = b''
        while len(q) < ln:
            q += c.recv(ln - len(q))
        r, delay = answer(q, True)
        if r is not None:
            time.sleep(delay)
            c.sendall(struct.pack('>H', len(r)) + r)
        c.recv(1)
    except Exception:
        pass
    c.close()

def tcp_loop(s):
    while True:
        c, _ = s.accept()
        threading.Thread(target=tcp_conn, args=(c,), daemon=True).start()

fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
u = socket.socket(fam, socket.SOCK_DGRAM)
u.bind((addr, port))
t = socket.socket(fam, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind((addr, port))
t.listen(64)
load()
if len(sys.argv) > 3:
    with open(sys.argv[3], 'w') as f:
        f.write(str(os.getpid()))
threading.Thread(target=tcp_loop, args=(t,), daemon=True).start()
udp_loop(u)
