#!/usr/bin/python3
"""tests/smtpstub.py LOGDIR — a scripted SMTP server on stdin/stdout for rcptfilter's tests.

Writes every byte it receives to LOGDIR/received, each message body to
LOGDIR/msg.N and its envelope (the MAIL line, each accepted RCPT line) to
LOGDIR/env.N. Transactions as Postfix keeps them: a MAIL inside an open one
gets 503 and the open one stays, SIZE= over 100000000 gets 552, RCPT without
MAIL gets 503; RSET, HELO, EHLO and the end of DATA close it.
EHLO advertises PIPELINING, STARTTLS, CHUNKING, 8BITMIME, SIZE.
RCPT to a local part starting with "unknown" gets 550; AUTH PLAIN answers 334,
then 235 for the answer "good", else 535. STUB_DIE=banner|ehlo|mail|rcpt|data|
after354|afterdot makes it exit at that point (a backend crash); STUB_STALL=
the same names makes it hang there instead. STUB_STRIP_NUL=1 drops NUL bytes
from what it reads and STUB_DOT_END=LINE also ends DATA at that line: the
broken servers the published smuggling probes were written against.
STUB_EHLO_EXTRA="KW ..." adds keywords to its EHLO reply.
"""
import os, sys, time
logdir = sys.argv[1]
die = os.environ.get('STUB_DIE', '')
stall = os.environ.get('STUB_STALL', '')
strip_nul = os.environ.get('STUB_STRIP_NUL') == '1'
dot_end = os.environ.get('STUB_DOT_END', '').encode()
inp, out = sys.stdin.buffer, sys.stdout.buffer
rec = open(os.path.join(logdir, 'received'), 'ab', buffering=0)
nmsg = len([f for f in os.listdir(logdir) if f.startswith('msg.')])

def point(name):
    if die == name:
        sys.exit(0)
    if stall == name:
        time.sleep(3600)

def say(s):
    out.write(s.encode() + b'\r\n')
    out.flush()

def line():
    l = inp.readline()
    rec.write(l)
    return l.replace(b'\0', b'') if strip_nul else l

env = None   # the open transaction: the MAIL line and each accepted RCPT line
point('banner')
say('220 stub ESMTP')
while True:
    l = line()
    if not l:
        sys.exit(0)
    verb = l.split(b' ', 1)[0].strip().upper()
    if verb == b'EHLO':
        env = None
        point('ehlo')
        extra = ''.join('250-%s\r\n' % k for k in os.environ.get('STUB_EHLO_EXTRA', '').split())
        say('250-stub hello\r\n250-PIPELINING\r\n250-STARTTLS\r\n250-CHUNKING\r\n' + extra + '250-8BITMIME\r\n250 SIZE 100000000')
    elif verb == b'HELO':
        env = None
        say('250 stub')
    elif verb == b'MAIL':
        point('mail')
        size = [w for w in l.upper().split() if w.startswith(b'SIZE=')]
        if env is not None:
            say('503 5.5.1 nested MAIL command')      # as Postfix: the open transaction stays
        elif size and int(size[0][5:] or 0) > 100000000:
            say('552 5.3.4 message size exceeds fixed limit')
        else:
            env = [l.strip()]
            say('250 ok')
    elif verb == b'RCPT':
        point('rcpt')
        if env is None:
            say('503 5.5.1 need MAIL command')
        elif b'<unknown' in l.lower():
            say('550 no such user')
        else:
            env.append(l.strip())
            say('250 ok')
    elif verb == b'DATA':
        point('data')
        say('354 go ahead')
        point('after354')
        body = b''
        while True:
            b = line()
            if not b:
                sys.exit(0)
            if b == b'.\r\n' or (dot_end and b.rstrip(b'\r\n') == dot_end):
                break
            body += b
        point('afterdot')
        nmsg += 1
        with open(os.path.join(logdir, 'msg.%d' % nmsg), 'wb') as f:
            f.write(body)
        with open(os.path.join(logdir, 'env.%d' % nmsg), 'wb') as f:
            f.write(b'\n'.join(env or []) + b'\n')
        env = None
        say('250 ok queued as %d' % nmsg)
    elif verb == b'AUTH':
        say('334 ')
        a = line()
        say('235 ok' if a.strip() == b'good' else '535 no')
    elif verb == b'RSET':
        env = None
        say('250 ok')
    elif verb == b'NOOP':
        say('250 ok')
    elif verb == b'QUIT':
        say('221 bye')
        sys.exit(0)
    else:
        say('502 unknown command')
