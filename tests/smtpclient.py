#!/usr/bin/python3
"""tests/smtpclient.py HOST PORT SRCIP MODE ... — a scripted SMTP client for the chain tests.

  raw FILE           send FILE's bytes as they are, print every reply line
  messages N SEED OUTDIR FROM RCPT [BIG]
                     one session, N random messages (8-bit, long lines, dot lines;
                     with BIG one 10 MB body too), pipelined MAIL/RCPT/DATA; writes
                     each message as the server should store it (unstuffed) to
                     OUTDIR/sent.K; prints one line per message: its DATA reply
"""
import os, random, socket, sys

host, port, src, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
s = socket.create_connection((host, port), timeout=60, source_address=(src, 0))
f = s.makefile('rb')

def reply():
    lines = []
    while True:
        l = f.readline()
        if not l:
            raise SystemExit('connection closed')
        lines.append(l.decode('latin-1').rstrip('\r\n'))
        if len(l) < 4 or l[3:4] != b'-':
            return lines

if mode == 'raw':
    data = open(sys.argv[5], 'rb').read()
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    for l in f:
        print(l.decode('latin-1').rstrip('\r\n'))
    sys.exit(0)

n, seed, outdir, mfrom, rcpt = int(sys.argv[5]), int(sys.argv[6]), sys.argv[7], sys.argv[8], sys.argv[9]
big = len(sys.argv) > 10
rnd = random.Random(seed)
def body(k):
    lines = [b'Subject: message %d' % k, b'X-Seq: %d' % k, b'']
    if big and k == 0:
        lines += [bytes(rnd.randrange(32, 127) for _ in range(70)) for _ in range(150000)]
    for i in range(rnd.randrange(1, 60)):
        t = rnd.randrange(6)
        if t == 0: l = bytes(rnd.randrange(128, 256) for _ in range(rnd.randrange(1, 80)))
        elif t == 1: l = b'.' + b'x' * rnd.randrange(0, 40)
        elif t == 2: l = b'b' * rnd.randrange(990, 3000)
        elif t == 3: l = b''
        else: l = bytes(rnd.randrange(32, 127) for _ in range(rnd.randrange(0, 100)))
        lines.append(l)
    return b'\r\n'.join(lines) + b'\r\n'
reply()
s.sendall(b'EHLO client.test\r\n')
reply()
for k in range(n):
    b = body(k)
    open(os.path.join(outdir, 'sent.%d' % k), 'wb').write(b)
    stuffed = b''.join((b'.' + l if l.startswith(b'.') else l) for l in b.splitlines(keepends=True))
    s.sendall(b'MAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nDATA\r\n' % (mfrom.encode(), rcpt.encode()))
    r = [reply()[0], reply()[0], reply()[0]]
    if not r[2].startswith('354'):
        print('refused', r)
        continue
    s.sendall(stuffed + b'.\r\n')
    print(reply()[0])
s.sendall(b'QUIT\r\n')
reply()
