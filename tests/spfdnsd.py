#!/usr/bin/python3
"""tests/spfdnsd.py ADDR ZONEFILE [PIDFILE] [LOG] — a DNS server on ADDR:53 (UDP and TCP)
answering from a zone in spfquery -z's format (man/spfquery.8), the way a
recursive cache such as dnscache would: CNAME chains are followed inside the
answer (a loop or 10 links: SERVFAIL), a name not in the zone is NXDOMAIN, a
name with no record of the type is NODATA, TIMEOUT is never answered, an
answer over 512 bytes is truncated over UDP (the client retries over TCP).
The file is re-read when it changes. With LOG, each question is appended
there as "name type". $SPFDNSD_DELAY (seconds) delays every answer, as a
distant server would. $SPFDNSD_FIRST_ONLY=1: over UDP only the first query
with a question is answered, its retransmissions never (a late answer must
then be heard on the first transmission's socket). Only for loopback tests
and benchmarks.
"""
import os, socket, struct, sys, threading, time

addr, zonefile = sys.argv[1], sys.argv[2]
logfile = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] != '-' else None
delay = float(os.environ.get('SPFDNSD_DELAY', '0'))
first_only, asked = os.environ.get('SPFDNSD_FIRST_ONLY') == '1', set()
TYPES = {'A': 1, 'CNAME': 5, 'PTR': 12, 'MX': 15, 'TXT': 16, 'AAAA': 28}
zone, mtime, lock = {}, None, threading.Lock()

def unesc(w):
    out, i = bytearray(), 0
    while i < len(w):
        c = w[i]; i += 1
        if c == 92 and i < len(w):
            if 48 <= w[i] <= 57:
                j = i
                while j < len(w) and j < i + 3 and 48 <= w[j] <= 57:
                    j += 1
                out.append(int(w[i:j])); i = j
            else:
                out.append(w[i]); i += 1
        else:
            out.append(c)
    return bytes(out)

def txt_strings(rest):
    out, i = bytearray(), 0
    while i < len(rest):
        if rest[i] in b' \t':
            i += 1; continue
        assert rest[i] == 34
        i += 1
        while rest[i] != 34:
            if rest[i] == 92:
                if 48 <= rest[i + 1] <= 57:
                    out.append(int(rest[i + 1:i + 4])); i += 4
                else:
                    out.append(rest[i + 1]); i += 2
            else:
                out.append(rest[i]); i += 1
        i += 1
    return bytes(out)

def load():
    global zone, mtime
    try:
        st = os.stat(zonefile); m = (st.st_ino, st.st_mtime_ns, st.st_size)
    except OSError:
        return
    if m == mtime:
        return
    z = {}
    for line in open(zonefile, 'rb'):
        line = line.strip()
        if not line or line.startswith(b'#'):
            continue
        w = line.split(None, 2)
        name = unesc(w[0]).lower().rstrip(b'.')
        t = w[1].decode().upper()
        rest = w[2] if len(w) > 2 else b''
        recs = z.setdefault(name, [])
        if t == 'TIMEOUT':
            recs.append(('TIMEOUT', None))
        elif t == 'EXISTS':
            pass
        elif rest.strip().upper() == b'TIMEOUT':
            recs.append((t, 'TIMEOUT'))
        elif t == 'TXT':
            recs.append((t, txt_strings(rest)))
        elif t == 'MX':
            pref, host = rest.split()
            recs.append((t, (int(pref), unesc(host).rstrip(b'.'))))
        elif t in ('A', 'AAAA'):
            recs.append((t, socket.inet_pton(socket.AF_INET if t == 'A' else socket.AF_INET6, rest.decode().strip())))
        else:
            recs.append((t, unesc(rest.strip()).rstrip(b'.')))
    zone, mtime = z, m

def wname(name):
    out = b''
    for label in name.split(b'.') if name else []:
        out += bytes([len(label)]) + label
    return out + b'\0'

def rdata(t, v):
    if t == 'TXT':
        out = b''
        if not v:
            return b'\0'
        while v:
            out += bytes([min(len(v), 255)]) + v[:255]
            v = v[255:]
        return out
    if t == 'MX':
        return struct.pack('>H', v[0]) + wname(v[1])
    if t in ('PTR', 'CNAME'):
        return wname(v)
    return v

def resolve(name, qt):
    """(rcode, [(owner, type, value)]) or None: no answer at all"""
    rrs, seen = [], set()
    while True:
        if name in seen or len(seen) > 10:
            return 2, []
        seen.add(name)
        recs = zone.get(name)
        if recs is None:
            return (3 if not rrs else 3), rrs
        found, cname = [], None
        for t, v in recs:
            if t == 'TIMEOUT':
                if found:
                    break
                return None
            if t == qt and v == 'TIMEOUT':
                return None
            if t == qt:
                found.append((name, t, v))
            if t == 'CNAME' and cname is None:
                cname = v
        if found:
            return 0, rrs + found
        if cname is not None and qt != 'CNAME':
            rrs.append((name, 'CNAME', cname))
            name = cname.lower()
            continue
        return 0, rrs

def answer(q, tcp):
    qid, flags, qd = struct.unpack('>HHH', q[:6])
    pos, labels = 12, []
    while q[pos]:
        labels.append(q[pos + 1:pos + 1 + q[pos]])
        pos += 1 + q[pos]
    qtype = struct.unpack('>H', q[pos + 1:pos + 3])[0]
    question = q[12:pos + 5]
    name = b'.'.join(labels).lower()
    qt = {v: k for k, v in TYPES.items()}.get(qtype, str(qtype))
    if logfile:
        with open(logfile, 'ab') as f:
            f.write(name + b' ' + qt.encode() + b'\n')
    with lock:
        load()
        r = resolve(name, qt)
    if r is None:
        return None
    rcode, rrs = r
    body = b''
    for owner, t, v in rrs:
        d = rdata(t, v)
        body += wname(owner) + struct.pack('>HHIH', TYPES[t], 1, 60, len(d)) + d
    pkt = struct.pack('>HHHHHH', qid, 0x8180 | rcode, 1, len(rrs), 0, 0) + question + body
    if len(pkt) > 512 and not tcp:
        return struct.pack('>HHHHHH', qid, 0x8380 | rcode, 1, 0, 0, 0) + question
    return pkt

def udp_loop(s):
    while True:
        q, peer = s.recvfrom(4096)
        if first_only:
            if q[12:] in asked:
                continue
            asked.add(q[12:])
        try:
            r = answer(q, False)
        except Exception:
            continue
        if r is not None:
            if delay:
                threading.Timer(delay, s.sendto, (r, peer)).start()
            else:
                s.sendto(r, peer)

def tcp_conn(c):
    try:
        c.settimeout(10)
        ln = struct.unpack('>H', c.recv(2))[0]
        q = b''
        while len(q) < ln:
            q += c.recv(ln - len(q))
        r = answer(q, True)
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

u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind((addr, 53))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind((addr, 53))
t.listen(64)
load()
if len(sys.argv) > 3 and sys.argv[3] != '-':
    with open(sys.argv[3], 'w') as f:
        f.write(str(os.getpid()))
threading.Thread(target=tcp_loop, args=(t,), daemon=True).start()
udp_loop(u)
