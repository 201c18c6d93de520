#!/usr/bin/python3
"""tests/slowclient.py MODE INPUT CMD... — slowloris, both ways, against an
SMTP program on stdin/stdout (rblsmtpd2, rcptfilter).

trickle: writes INPUT one byte every SLOW_GAP seconds (default 0.5), reading
         replies all the while.
noread:  writes INPUT, then pipelines NOOPs and never reads a reply.
Either way it stops at SLOW_MAX seconds (default 30). It prints one line,
"SECONDS EXIT" (EXIT is "alive" when the program was still running and had
to be killed), then every byte the program wrote (trickle only)."""
import os, select, subprocess, sys, time
mode, data, cmd = sys.argv[1], sys.argv[2].encode().decode('unicode_escape').encode('latin-1'), sys.argv[3:]
gap = float(os.environ.get('SLOW_GAP', '0.5'))
limit = float(os.environ.get('SLOW_MAX', '30'))
p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
os.set_blocking(p.stdin.fileno(), False)
os.set_blocking(p.stdout.fileno(), False)
start, got, pos, nextw = time.time(), b'', 0, time.time()
noops = b'NOOP\r\n' * 1000
while p.poll() is None and time.time() - start < limit:
    r, _, _ = select.select([p.stdout] if mode == 'trickle' else [], [], [], 0.05)
    if r:
        try: got += os.read(p.stdout.fileno(), 65536)
        except BlockingIOError: pass
    try:
        if mode == 'trickle' and pos < len(data) and time.time() >= nextw:
            pos += os.write(p.stdin.fileno(), data[pos:pos + 1])
            nextw = time.time() + gap
        elif mode == 'noread':
            if pos < len(data): pos += os.write(p.stdin.fileno(), data[pos:])
            else: os.write(p.stdin.fileno(), noops)
    except (BlockingIOError, BrokenPipeError):
        pass
elapsed = time.time() - start
rc = p.poll()
if rc is None:
    p.kill(); p.wait(); rc = 'alive'
if mode == 'trickle':
    try:
        while True:
            b = os.read(p.stdout.fileno(), 65536)
            if not b: break
            got += b
    except (BlockingIOError, OSError):
        pass
sys.stdout.write('%.1f %s\n' % (elapsed, rc))
sys.stdout.flush()
sys.stdout.buffer.write(got)
