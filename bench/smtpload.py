#!/usr/bin/python3
"""bench/smtpload.py MODE CMD... — drive an SMTP server on stdin/stdout (CMD) and time it.

  data N SIZE    N messages of SIZE bytes in one session; prints microseconds for the whole
                 session up to the last DATA reply (QUIT not counted)
  rcpt N         one transaction with N pipelined RCPTs; prints microseconds from MAIL to
                 the DATA reply of a small message
  noop N         N NOOPs one after the other (for instruction counts)
  hold           EHLO, MAIL, 10 RCPT, then waits for a line on fd 3 before QUIT (for RSS)
"""
import os, subprocess, sys, time
mode, args = sys.argv[1], sys.argv[2:]
if mode in ('data', 'rcpt', 'noop'):
    n = int(args[0]); args = args[1:]
    if mode == 'data':
        size = int(args[0]); args = args[1:]
p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
r = p.stdout
def reply():
    while True:
        l = r.readline()
        if not l: raise SystemExit('server closed')
        if l[3:4] != b'-': return l
def send(b): p.stdin.write(b)
reply(); send(b'EHLO bench\r\n'); reply()
t = time.perf_counter()
if mode == 'data':
    line = b'x' * 998 + b'\r\n'
    body = b'Subject: bench\r\n\r\n' + line * (size // 1000) + b'.\r\n'
    for i in range(n):
        send(b'MAIL FROM:<a@bench.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n')
        reply(); reply(); reply()
        send(body); reply()
elif mode == 'rcpt':
    send(b'MAIL FROM:<a@bench.example>\r\n' + b''.join(b'RCPT TO:<u%d@example.com>\r\n' % i for i in range(n)) + b'DATA\r\n')
    for i in range(n + 2): reply()
    send(b'Subject: x\r\n\r\nhi\r\n.\r\n'); reply()
elif mode == 'noop':
    for i in range(n):
        send(b'NOOP\r\n'); reply()
elif mode == 'hold':
    send(b'MAIL FROM:<a@bench.example>\r\n' + b''.join(b'RCPT TO:<u%d@example.com>\r\n' % i for i in range(10)))
    for i in range(11): reply()
    print(p.pid, flush=True)
    sys.stdin.readline()
print(int((time.perf_counter() - t) * 1e6), flush=True)
send(b'QUIT\r\n'); reply(); p.wait()
