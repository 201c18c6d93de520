#!/usr/bin/python3
# tests/dnsq.py SERVER ZONE IP... — ask a DNSBL on SERVER:53 about each IP
# (reversed octets or nibbles under ZONE) and print one line per IP:
#   IP A=127.0.0.2 TXT="text" TTL=300     or    IP NXDOMAIN
# SERVER "tinydns:DIR" asks tinydns-get about DIR/data.cdb instead (no socket).
import ipaddress, re, socket, subprocess, sys
from dnslib import DNSRecord, QTYPE, RCODE

def ask(server, name, qtype):
    q = DNSRecord.question(name, qtype)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    s.sendto(q.pack(), (server, 53))
    return DNSRecord.parse(s.recv(4096))

def tinydns(d, name, qtype):
    out = subprocess.run(['tinydns-get', qtype, name], cwd=d, capture_output=True, text=True).stdout
    if 'nxdomain' in out: return None, [], [], 0
    a, t, ttls = [], [], []
    for line in out.splitlines():
        m = re.match(r'answer: \S+ (\d+) (\S+) (.*)', line)
        if not m: continue
        ttls.append(int(m.group(1)))
        if m.group(2) == 'A': a.append(m.group(3))
        elif m.group(2) == '16':
            raw = re.sub(r'\\(\d{3})', lambda x: chr(int(x.group(1), 8)), m.group(3))
            t.append(raw[1:])
    return True, a, t, min(ttls or [0])

server, zone = sys.argv[1], sys.argv[2]
if server.startswith('tinydns:'):
    for ip in sys.argv[3:]:
        a = ipaddress.ip_address(ip)
        rev = '.'.join(reversed(ip.split('.'))) if a.version == 4 else '.'.join(reversed(a.exploded.replace(':', '')))
        name = rev + '.' + zone
        found, aa, _, ttl = tinydns(server[8:], name, 'a')
        if not found: print(ip, 'NXDOMAIN'); continue
        _, _, tt, _ = tinydns(server[8:], name, 'txt')
        print('%s A=%s TXT="%s" TTL=%d' % (ip, ','.join(aa), '|'.join(tt), ttl))
    sys.exit(0)
for ip in sys.argv[3:]:
    a = ipaddress.ip_address(ip)
    if a.version == 4:
        rev = '.'.join(reversed(ip.split('.')))
    else:
        rev = '.'.join(reversed(a.exploded.replace(':', '')))
    name = rev + '.' + zone
    ra = ask(server, name, 'A')
    if ra.header.rcode == RCODE.NXDOMAIN:
        print(ip, 'NXDOMAIN'); continue
    rt = ask(server, name, 'TXT')
    aa = ','.join(str(r.rdata) for r in ra.rr if r.rtype == QTYPE.A)
    tt = '|'.join(b''.join(r.rdata.data).decode('ascii', 'replace') for r in rt.rr if r.rtype == QTYPE.TXT)
    ttl = min([r.ttl for r in ra.rr] or [0])
    print('%s A=%s TXT="%s" TTL=%d' % (ip, aa, tt, ttl))
