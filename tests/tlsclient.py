#!/usr/bin/python3
"""tests/tlsclient.py [options] HOST PORT STEP... — a scripted SMTP client with TLS.

Options: --ca FILE (verify the server against it; default: no verification),
--sni NAME, --src IP, --timeout SECS, --tls12 (at most TLS 1.2).

Steps, run in order (one argument each):
  <                 read one reply (all its lines) and print it
  <<                read until the server closes, print everything
  >BYTES            send BYTES in one write (\\r \\n \\t \\xHH understood)
  tls               TLS handshake now; prints "TLS version cipher" or "TLSFAIL why"
  hello:half        send the first half of a real ClientHello, then close
  hello:trickle:S   send a real ClientHello one byte every S seconds (until refused)
  hello:huge:N      send a ClientHello padded to N bytes (many records)
  hello:garbage     send bytes that are no ClientHello
  messages:N:SEED:OUTDIR:FROM:RCPT
                    N random messages (8-bit, long lines, dot lines) pipelined
                    in this session; each written to OUTDIR/sent.K as the server
                    should store it; prints each DATA reply
  data:N:SIZE       N messages of SIZE bytes (bench); prints microseconds
  sleep:S           wait S seconds
  shut              shutdown(SHUT_WR) on the socket (TCP EOF)
Exit: 0 when every step ran; 2 when the server closed early or TLS failed.
"""
import os, random, socket, ssl, sys, time

args = sys.argv[1:]
opts = {'ca': None, 'sni': None, 'src': None, 'timeout': '30', 'tls12': False}
while args and args[0].startswith('--'):
    k = args.pop(0)[2:]
    if k == 'tls12': opts[k] = True
    else: opts[k] = args.pop(0)
host, port, steps = args[0], int(args[1]), args[2:]
src = (opts['src'], 0) if opts['src'] else None
s = socket.create_connection((host, port), timeout=float(opts['timeout']), source_address=src)
raw = s
buf = b''

def out(line):
    sys.stdout.write(line + '\n'); sys.stdout.flush()

def context():
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if opts['ca']:
        c.load_verify_locations(opts['ca'])
        c.check_hostname = bool(opts['sni'])
    else:
        c.check_hostname = False
        c.verify_mode = ssl.CERT_NONE
    if opts['tls12']: c.maximum_version = ssl.TLSVersion.TLSv1_2
    return c

def recv():
    global buf
    try:
        d = s.recv(65536)
    except (ssl.SSLError, ConnectionResetError) as e:
        out('CLOSED %s' % e.__class__.__name__); sys.exit(2)
    if not d:
        return False
    buf += d
    return True

def reply():
    global buf
    lines = []
    while True:
        while b'\n' not in buf:
            if not recv():
                if buf: out(buf.decode('latin-1'))
                out('CLOSED'); sys.exit(2)
        l, buf = buf.split(b'\n', 1)
        l = l.rstrip(b'\r').decode('latin-1')
        lines.append(l); out(l)
        if len(l) < 4 or l[3] != '-':
            return lines

def unescape(t):
    return t.encode('latin-1').decode('unicode_escape').encode('latin-1')

def client_hello(pad=0):
    """A real ClientHello from Python's TLS stack (MemoryBIO), optionally with
    a padding extension so the handshake message is about pad bytes long."""
    ib, ob = ssl.MemoryBIO(), ssl.MemoryBIO()
    o = context().wrap_bio(ib, ob, server_hostname=opts['sni'] or 'mx1.test')
    try: o.do_handshake()
    except ssl.SSLWantReadError: pass
    rec = ob.read()
    if not pad: return rec
    body = rec[5:]                       # one record: the handshake message
    hs = body[4:]
    # ClientHello: version(2) random(32) sid(1+n) ciphers(2+n) comp(1+n) ext(2+n)
    i = 34; i += 1 + hs[i]; i += 2 + int.from_bytes(hs[i:i+2], 'big'); i += 1 + hs[i]
    exts = hs[i+2:]
    padlen = max(0, pad - len(hs))
    if padlen > 65535 - len(exts) - 4:   # extension block is 16-bit: fill it, then junk
        padlen = 65535 - len(exts) - 4
    exts = exts + b'\x00\x15' + padlen.to_bytes(2, 'big') + b'\x00' * padlen
    hs = hs[:i] + len(exts).to_bytes(2, 'big') + exts
    if pad > len(hs):                     # beyond 64 KiB: say a longer message than any server allows
        hs += b'\x00' * (pad - len(hs))
    msg = b'\x01' + len(hs).to_bytes(3, 'big') + hs
    recs = b''
    for k in range(0, len(msg), 16384):
        c = msg[k:k+16384]
        recs += b'\x16\x03\x01' + len(c).to_bytes(2, 'big') + c
    return recs

def gen_body(rnd, k):
    lines = [b'Subject: message %d' % k, b'X-Seq: %d' % k, b'']
    for i in range(rnd.randrange(1, 60)):
        t = rnd.randrange(6)
        if t == 0: l = bytes(rnd.randrange(128, 256) for _ in range(rnd.randrange(1, 80)))
        elif t == 1: l = b'.' + b'x' * rnd.randrange(0, 40)
        elif t == 2: l = b'b' * rnd.randrange(990, 3000)
        elif t == 3: l = b''
        else: l = bytes(rnd.randrange(32, 127) for _ in range(rnd.randrange(0, 100)))
        lines.append(l)
    return b'\r\n'.join(lines) + b'\r\n'

def send(b):
    try: s.sendall(b)
    except (BrokenPipeError, ConnectionResetError, ssl.SSLError) as e:
        out('CLOSED %s' % e.__class__.__name__); sys.exit(2)

for st in steps:
    if st == '<':
        reply()
    elif st == '<<':
        while recv(): pass
        for l in buf.split(b'\n'):
            if l: out(l.rstrip(b'\r').decode('latin-1'))
        buf = b''
        out('CLOSED')
    elif st.startswith('>'):
        send(unescape(st[1:]))
    elif st == 'tls':
        if buf: out('UNREAD %r' % buf)   # bytes the server sent before the handshake
        try:
            s = context().wrap_socket(raw, server_hostname=opts['sni'])
        except (ssl.SSLError, OSError) as e:
            out('TLSFAIL %s' % e); sys.exit(2)
        out('TLS %s %s' % (s.version(), s.cipher()[0]))
    elif st.startswith('hello:'):
        kind = st.split(':')[1:]
        if kind[0] == 'half':
            h = client_hello(); send(h[:len(h) // 2]); s.shutdown(socket.SHUT_WR)
        elif kind[0] == 'garbage':
            send(b'\x16\x03\x01\x00\x30' + b'G' * 48 + b'EHLO x\r\n')
        elif kind[0] == 'huge':
            h = client_hello(int(kind[1]))
            out('hello %d bytes' % len(h))
            try: s.sendall(h)
            except OSError as e: out('send stopped: %s' % e.__class__.__name__)
        elif kind[0] == 'trickle':
            h = client_hello(); t0 = time.time()
            try:
                for b in h:
                    s.sendall(bytes([b])); time.sleep(float(kind[1]))
                out('trickle: all sent')
            except OSError as e:
                out('trickle: cut after %.1f s (%s)' % (time.time() - t0, e.__class__.__name__))
    elif st.startswith('messages:'):
        _, n, seed, outdir, mfrom, rcpt = st.split(':', 5)
        rnd = random.Random(int(seed))
        for k in range(int(n)):
            b = gen_body(rnd, k)
            open(os.path.join(outdir, 'sent.%d' % k), 'wb').write(b)
            stuffed = b''.join((b'.' + l if l.startswith(b'.') else l) for l in b.splitlines(keepends=True))
            send(b'MAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nDATA\r\n' % (mfrom.encode(), rcpt.encode()))
            r = [reply()[0], reply()[0], reply()[0]]
            if not r[2].startswith('354'):
                continue
            send(stuffed + b'.\r\n')
            reply()
    elif st.startswith('data:'):
        _, n, size = st.split(':')
        body = b'Subject: bench\r\n\r\n' + (b'x' * 998 + b'\r\n') * (int(size) // 1000) + b'.\r\n'
        t = time.perf_counter()
        for i in range(int(n)):
            send(b'MAIL FROM:<a@bench.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n')
            for _ in range(3): l = reply()
            send(body); reply()
        out('us %d' % int((time.perf_counter() - t) * 1e6))
    elif st.startswith('sleep:'):
        time.sleep(float(st[6:]))
    elif st == 'shut':
        raw.shutdown(socket.SHUT_WR)
    else:
        out('unknown step %r' % st); sys.exit(111)
sys.exit(0)
