#!/usr/bin/python3
"""tests/stress.py PORT SESSIONS MESSAGES OUTFILE — concurrent pipelined sessions through the chain.

Each session sends MESSAGES messages; each message goes to alice@example.org
(allowed), joe@example.com (denied when the sender is @bad.example) and
unknownN@example.com (refused by the server). Writes to OUTFILE one line per
message the client saw accepted: "<id> <sender>"; exits 1 on any unexpected reply.
"""
import socket, sys, threading, time
port, sessions, messages, outfile = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
lock, accepted, errors = threading.Lock(), [], []

def session(k):
    # 10 ms apart: tcpserver listens with a backlog of 20, and a connection
    # dropped from a full accept queue waits for a banner that never comes
    time.sleep(k * 0.01)
    try:
        s = socket.create_connection(('127.0.0.1', port), timeout=120)
        f = s.makefile('rb')
        def reply():
            while True:
                l = f.readline()
                if not l: raise RuntimeError('closed')
                if l[3:4] != b'-': return l[:3]
        reply(); s.sendall(b'EHLO stress\r\n'); reply()
        for m in range(messages):
            mid = '%d.%d' % (k, m)
            sender = 'spammer%d@bad.example' % m if m % 3 == 0 else 'friend%d@good.example' % m
            s.sendall(('MAIL FROM:<%s>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<joe@example.com>\r\n'
                       'RCPT TO:<unknown%d@example.com>\r\nDATA\r\n' % (sender, m)).encode())
            r = [reply() for _ in range(5)]
            want_joe = b'550' if m % 3 == 0 else b'250'
            if r[0] != b'250' or r[1] != b'250' or r[2] != want_joe or r[3] != b'550' or r[4] != b'354':
                raise RuntimeError('session %d message %d: %r' % (k, m, r))
            s.sendall(('Subject: stress\r\nX-Id: %s\r\nX-From: %s\r\n\r\nbody of %s\r\n.\r\n' % (mid, sender, mid)).encode())
            if reply() == b'250':
                with lock: accepted.append('%s %s' % (mid, sender))
        s.sendall(b'QUIT\r\n'); reply(); s.close()
    except Exception as e:
        with lock: errors.append(str(e))

ts = [threading.Thread(target=session, args=(k,)) for k in range(sessions)]
for t in ts: t.start()
for t in ts: t.join()
open(outfile, 'w').write('\n'.join(accepted) + '\n')
for e in errors[:5]: print('error:', e)
sys.exit(1 if errors else 0)
