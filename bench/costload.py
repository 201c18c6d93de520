#!/usr/bin/python3
"""bench/costload.py SHAPE REPS NAME=CMD... — what SMTP sessions cost, every process counted.

Each NAME=CMD is an SMTP server on stdin/stdout (CMD split on blanks: the
direct server, or a relay in front of it). For REPS rounds every mode runs the
whole SHAPE, interleaved session by session (the order rotating), and for each
mode the median over the rounds is printed:

    NAME  WALL_US R D  CPU_US R D  OWN_US R D  TX_US R D

  WALL_US  wall time of all sessions of the round, spawn to reaped
  CPU_US   user+system CPU of every process of those sessions (RUSAGE_CHILDREN:
           this driver waits for its child, the child reaps its own)
  OWN_US   CPU of the top process alone (its sum_exec_runtime from
           /proc/PID/schedstat, read while it is a zombie): the relay's own
  TX_US    wall time of the transactions only (MAIL to the final reply)
  R, D     beside each: the median over the rounds of the round's figure over
           (R) and minus (D, microseconds) the first mode's in the same round
           (paired: steadier than a ratio of medians on a shared machine)

bench/costload.py script MIB — print the client's side of one pipelined
session with MIB MiB of DATA (0: the short session), for valgrind and strace.

SHAPE:
  data:N:SIZE     one session of N messages of SIZE bytes
  sessions:K:SIZE K sessions of one message of SIZE bytes each
  short:K         K short sessions: banner, EHLO, MAIL, RCPT, DATA of 5 lines, QUIT
  rcpt:N          one session, one transaction of N pipelined RCPTs and a small message

Every session ends with QUIT and the client's sending side closed at once, so
a server that waits for the client's FIN after 221 (exim waits 200 ms) answers
at EOF. The client is this process, not counted in CPU_US.
"""
import os, resource, statistics, subprocess, sys, time

def body(size):
    head = b'Subject: bench\r\n\r\n'
    line = b'x' * 998 + b'\r\n'
    n = max(size - len(head) - 3, 0)
    b = head + line * (n // len(line))
    rest = n - (len(b) - len(head))
    if rest >= 2: b += b'y' * (rest - 2) + b'\r\n'
    return b + b'.\r\n'

SHORT = b'Subject: short\r\n\r\none\r\ntwo\r\nthree\r\n.\r\n'   # DATA of 5 lines

class Session:
    def __init__(self, cmd):
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, bufsize=0)
        self.w = self.p.stdin.fileno()
        self.r = os.fdopen(os.dup(self.p.stdout.fileno()), 'rb')
        self.p.stdout.close()
    def send(self, b):
        v = memoryview(b)
        while v:
            v = v[os.write(self.w, v):]
    def reply(self, want=b'2'):
        while True:
            l = self.r.readline()
            if not l: raise SystemExit('costload: server closed the session')
            if l[3:4] != b'-': break
        if not l.startswith(want): raise SystemExit('costload: unexpected reply %r' % l)
        return l
    def end(self):
        """QUIT, close at once, read 221; returns the top process's own CPU in ns."""
        self.send(b'QUIT\r\n'); self.p.stdin.close(); self.reply()
        os.waitid(os.P_PID, self.p.pid, os.WEXITED | os.WNOWAIT)
        with open('/proc/%d/schedstat' % self.p.pid) as f: own = int(f.read().split()[0])
        self.p.wait(); self.r.close()
        if self.p.returncode: raise SystemExit('costload: server exited %d' % self.p.returncode)
        return own

def message(s, data, nrcpt=1):
    s.send(b'MAIL FROM:<a@bench.example>\r\n'); s.reply()
    for i in range(nrcpt):
        s.send(b'RCPT TO:<alice@example.com>\r\n'); s.reply()
    s.send(b'DATA\r\n'); s.reply(b'3')
    s.send(data); s.reply()

def session(cmd, msgs, data):
    s = Session(cmd); s.reply(); s.send(b'EHLO bench.example\r\n'); s.reply()
    t = time.perf_counter()
    for i in range(msgs): message(s, data)
    tx = time.perf_counter() - t
    return s.end(), tx

def rcpt_session(cmd, n):
    s = Session(cmd); s.reply(); s.send(b'EHLO bench.example\r\n'); s.reply()
    t = time.perf_counter()
    s.send(b'MAIL FROM:<a@bench.example>\r\n' + b''.join(b'RCPT TO:<u%d@example.com>\r\n' % i for i in range(n)) + b'DATA\r\n')
    s.reply()
    for i in range(n): s.reply()
    s.reply(b'3'); s.send(SHORT); s.reply()
    tx = time.perf_counter() - t
    return s.end(), tx

def cpu():
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime

def one(kind, a, cmd, d):
    """one session; returns wall, cpu, own, tx in microseconds"""
    c0 = cpu(); t0 = time.perf_counter()
    if kind == 'data': own, tx = session(cmd, int(a[0]), d)
    elif kind == 'rcpt': own, tx = rcpt_session(cmd, int(a[0]))
    else: own, tx = session(cmd, 1, d)
    return [(time.perf_counter() - t0) * 1e6, (cpu() - c0) * 1e6, own / 1e3, tx * 1e6]

def round_(shape, modes, r):
    """one round: every mode does the whole shape, interleaved session by
    session (the order rotating), so a change in the machine's load falls on
    every mode alike"""
    kind, *a = shape.split(':')
    if kind not in ('data', 'sessions', 'short', 'rcpt'): raise SystemExit('costload: unknown shape ' + shape)
    d = SHORT if kind == 'short' else body(int(a[1])) if kind in ('data', 'sessions') else None
    n = int(a[0]) if kind in ('sessions', 'short') else 1
    tot = {name: [0, 0, 0, 0] for name, _ in modes}
    for s in range(n):
        for i in range(len(modes)):
            name, cmd = modes[(i + r + s) % len(modes)]
            for k, v in enumerate(one(kind, a, cmd, d)): tot[name][k] += v
    return tot

def script(mib):
    """the client's side of one session, pipelined, for runs under valgrind
    or strace: MIB MiB of DATA, 0 for the short session"""
    m = b'MAIL FROM:<a@bench.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n'
    if mib: d = body(mib * 1048576)
    else: d = SHORT
    sys.stdout.buffer.write(b'EHLO bench.example\r\n' + m + d + b'QUIT\r\n')

def main():
    if sys.argv[1] == 'script': return script(int(sys.argv[2]))
    shape, reps = sys.argv[1], int(sys.argv[2])
    modes = [(m.split('=', 1)[0], m.split('=', 1)[1].split()) for m in sys.argv[3:]]
    rounds = [round_(shape, modes, r) for r in range(reps)]
    ref = modes[0][0]
    for name, _ in modes:
        v = [t[name] for t in rounds]
        out = [name]
        for k in range(4):
            out.append('%d' % statistics.median(x[k] for x in v))
            # paired: each round's figure against the first mode's in the same round
            out.append('%.4f' % statistics.median(t[name][k] / t[ref][k] if t[ref][k] else 0 for t in rounds))
            out.append('%d' % statistics.median(t[name][k] - t[ref][k] for t in rounds))
        print(*out, flush=True)
        print('#', name, 'cpu_us', *('%d' % x[1] for x in v), 'wall_us', *('%d' % x[0] for x in v),
              'own_us', *('%d' % x[2] for x in v), file=sys.stderr)

main()
