#!/usr/bin/python3
"""tests/noreader.py CMD... — a client that pipelines NOOPs and never reads a reply.
Writes until the pipe stays full for 2 s (at most 64 MB), then prints the
server's peak resident memory (VmHWM, KiB) and the bytes it managed to write."""
import os, select, subprocess, sys, time
p = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
os.set_blocking(p.stdin.fileno(), False)
chunk, sent, stuck = b'NOOP\r\n' * 10000, 0, None
while sent < 64 << 20:
    _, w, _ = select.select([], [p.stdin], [], 0.2)
    if not w:
        stuck = stuck or time.time()
        if time.time() - stuck > 2: break
        continue
    stuck = None
    try: sent += os.write(p.stdin.fileno(), chunk)
    except BlockingIOError: pass
hwm = [l.split()[1] for l in open('/proc/%d/status' % p.pid) if l.startswith('VmHWM')][0]
print(hwm, sent)
p.kill()
