#!/usr/bin/python3
"""bench/tlsload.py MODE HOST PORT ... — SMTP load over TCP, STARTTLS or not.

  data N SIZE tls|plain      one session, N messages of SIZE bytes; prints the
                             microseconds from the first MAIL to the last reply
  sessions N tls|plain       N sessions one after the other, each: banner, EHLO,
                             [STARTTLS, handshake, EHLO,] one short message, QUIT
                             (sent, not waited for: exim waits for the close);
                             prints microseconds per session
  hold tls                   one session inside TLS with a transaction open;
                             prints "ready", waits for a line on stdin
"""
import socket, ssl, sys, time

mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE

class Session:
    def __init__(self, tls):
        self.s = socket.create_connection((host, port), timeout=60)
        self.buf = b''
        self.reply()
        self.cmd(b'EHLO bench.example\r\n')
        if tls:
            self.cmd(b'STARTTLS\r\n', b'220')
            self.s = ctx.wrap_socket(self.s, server_hostname='mx1.test')
            self.buf = b''
            self.cmd(b'EHLO bench.example\r\n')
    def reply(self):
        while True:
            while b'\n' not in self.buf:
                d = self.s.recv(65536)
                if not d: raise SystemExit('server closed')
                self.buf += d
            l, self.buf = self.buf.split(b'\n', 1)
            if l[3:4] != b'-': return l
    def cmd(self, c, want=b''):
        self.s.sendall(c)
        l = self.reply()
        if want and not l.startswith(want): raise SystemExit('unexpected %r' % l)
        return l
    def message(self, body):
        self.s.sendall(b'MAIL FROM:<a@bench.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n')
        for w in (b'250', b'250', b'354'):
            l = self.reply()
            if not l.startswith(w): raise SystemExit('unexpected %r' % l)
        self.s.sendall(body)
        l = self.reply()
        if not l.startswith(b'250'): raise SystemExit('unexpected %r' % l)
    def quit(self):
        self.s.sendall(b'QUIT\r\n')
        self.s.close()

if mode == 'data':
    n, size, tls = int(sys.argv[4]), int(sys.argv[5]), sys.argv[6] == 'tls'
    body = b'Subject: bench\r\n\r\n' + (b'x' * 998 + b'\r\n') * (size // 1000) + b'.\r\n'
    s = Session(tls)
    t = time.perf_counter()
    for i in range(n): s.message(body)
    print(int((time.perf_counter() - t) * 1e6), flush=True)
    s.quit()
elif mode == 'sessions':
    n, tls = int(sys.argv[4]), sys.argv[5] == 'tls'
    body = b'Subject: short\r\n\r\nhello\r\n.\r\n'
    t = time.perf_counter()
    for i in range(n):
        s = Session(tls); s.message(body); s.quit()
    print(int((time.perf_counter() - t) * 1e6 / n), flush=True)
elif mode == 'hold':
    s = Session(True)
    s.s.sendall(b'MAIL FROM:<a@bench.example>\r\nRCPT TO:<alice@example.com>\r\n')
    s.reply(); s.reply()
    print('ready', flush=True)
    sys.stdin.readline()
    s.quit()
