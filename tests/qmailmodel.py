#!/usr/bin/python3
"""tests/qmailmodel.py BIN DIR SEED TREES — random qmail trees against a model.

The model answers, for one address, what qmail itself would do, step by step
as qmail-send (locals, virtualdomains), qmail-lspawn (users/assign, exact then
the longest + prefix), qmail-getpw (the longest user at a '-', uid not 0, home
owned by it; else the alias user) and qmail-local (.qmail-ext, then the
-default files from the longest down) do it, plus vpopmail's vdelivermail for
a .qmail-default that bounces the unknown. It is written from the qmail
documentation, independently of src/qmailrcpt.c.

For each random tree: qmail-recipients, cdbmake-rules, then every probe
address through cdbmake-rules -q. A deliverable address that the rules deny is
lost mail: printed, and the exit code is 1. Also printed: how many
undeliverable addresses the rules deny (the point of the exercise).
"""
import os, random, subprocess, sys

BIN, DIR, SEED, TREES = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
ROOT = os.getuid() == 0
WORDS = ['a', 'b', 'ab', 'a-b', 'b-a', 'a-b-c', 'x.y', 'joe', 'ann', 'sales', 'list']


def read_lines(path):
    try:
        with open(path) as f:
            return [l.rstrip('\n') for l in f]
    except FileNotFoundError:
        return None


def exists(path):
    try:
        os.stat(path)
        return True
    except FileNotFoundError:
        return False


class Qmail:
    def __init__(self, q, passwd, alias='alias'):
        self.q = q
        ctl = lambda n: [l.strip() for l in (read_lines(q + '/control/' + n) or []) if l.strip() and not l.startswith('#')]
        self.locals = set(d.lower() for d in ctl('locals'))
        self.rcpthosts = set(d.lower() for d in ctl('rcpthosts'))
        self.vdoms = {}
        for l in ctl('virtualdomains'):
            if ':' in l:       # constmap: a line without a colon is skipped, the last of a key wins
                k, v = l.split(':', 1)
                self.vdoms[k.lower()] = v
        self.assign_exact, self.assign_wild = {}, {}
        for l in read_lines(q + '/users/assign') or []:
            if l == '.':
                break
            f = l[1:].split(':')
            (self.assign_exact if l[0] == '=' else self.assign_wild).setdefault(f[0].lower(), f[1:7])
        self.users = {}
        for l in read_lines(passwd):
            f = l.split(':')
            self.users.setdefault(f[0], (int(f[2]), f[5]))
        self.alias = alias

    def accepted(self, dom):
        parts = dom.split('.')
        return dom in self.rcpthosts or any('.' + '.'.join(parts[i:]) in self.rcpthosts for i in range(1, len(parts)))

    def rewrite(self, local, dom):
        """qmail-send: the local part qmail-lspawn gets, or None (remote)"""
        if dom in self.locals:
            return local
        addr = local + '@' + dom
        keys = [addr, dom] + ['.' + '.'.join(dom.split('.')[i:]) for i in range(1, len(dom.split('.')))] + ['']
        for k in keys:
            if k in self.vdoms:
                return self.vdoms[k] + '-' + local if self.vdoms[k] else None
        return None

    def getpw(self, L):
        """qmail-getpw: (home, dash, ext) or None"""
        ext = len(L)
        while True:
            if ext < 32 and (ext == len(L) or L[ext] == '-'):
                name = L[:ext].lower()
                if name in self.users:
                    uid, home = self.users[name]
                    if uid and exists(home) and os.stat(home).st_uid == uid:
                        return (home, '-' if ext < len(L) else '', L[ext + 1:] if ext < len(L) else '')
            if ext == 0:
                break
            ext -= 1
        if self.alias in self.users:
            return (self.users[self.alias][1], '-', L)
        return None

    def lspawn(self, L):
        low = L.lower()
        if low in self.assign_exact:
            e = self.assign_exact[low]
            return (e[3], e[4], e[5])
        for i in range(len(low), -1, -1):
            if low[:i] in self.assign_wild:
                e = self.assign_wild[low[:i]]
                return (e[3], e[4], e[5] + L[i:])
        return self.getpw(L)

    def vdeliver(self, home, ext):
        """a .qmail-default running vdelivermail: None if not, else deliverable?"""
        try:
            text = open(home + '/.qmail-default').read()
        except (FileNotFoundError, IsADirectoryError):
            return None
        if 'vdelivermail' not in text:
            return None
        if 'bounce-no-mailbox' not in text:
            return True
        names = set()
        for l in read_lines(home + '/vpasswd') or []:
            if ':' in l:
                names.add(l.split(':')[0].lower())
        return ext.lower() in names

    def deliverable(self, addr):
        """'y' delivered, 'n' bounced, 'p' not ours (refused by qmail-smtpd or sent on)"""
        local, dom = addr.rsplit('@', 1)
        dom = dom.lower()
        if not self.accepted(dom):
            return 'p'
        L = self.rewrite(local, dom)
        if L is None:
            return 'p'
        w = self.lspawn(L)
        if w is None:
            return 'n'
        home, dash, ext = w
        if not dash:
            return 'y'
        safe = ext.lower().replace('.', ':')
        if exists(home + '/.qmail' + dash + safe):
            return 'y'
        for i in range(len(safe), -1, -1):
            if i == 0 or safe[i - 1] == '-':
                if exists(home + '/.qmail' + dash + safe[:i] + 'default'):
                    if safe[:i] == '':
                        v = self.vdeliver(home, ext)
                        if v is not None:
                            return 'y' if v else 'n'
                    return 'y'
        return 'n'


def tree(rnd, t):
    q = t + '/qmail'
    for d in ('control', 'users', 'alias', 'home'):
        os.makedirs(q + '/' + d, exist_ok=True)
    doms = ['l.example', 'v1.example', 'v2.example', 'vp.example', 'r.example']
    open(q + '/control/locals', 'w').write('l.example\n')
    open(q + '/control/rcpthosts', 'w').write(''.join(d + '\n' for d in doms))
    vd = ['v1.example:joe', 'v2.example:v2', 'vp.example:vp', 'r.example:'] + rnd.sample(['v1.example:ann', 'r.example:joe', 'junk'], 1)
    rnd.shuffle(vd)
    open(q + '/control/virtualdomains', 'w').write(''.join(l + '\n' for l in vd))
    uid = 2000
    passwd = ['root:x:0:0::/root:/bin/sh']
    homes = {}
    for name in ['joe', 'ann', 'joe-a', 'alias', 'ghost']:
        h = q + '/home/' + name if name != 'alias' else q + '/alias'
        uid += 1
        u = uid if ROOT else os.getuid()
        passwd.append('%s:x:%d:%d::%s:/bin/sh' % (name, u, u, h))
        if name == 'ghost':
            continue           # no home: not a user
        os.makedirs(h, exist_ok=True)
        if ROOT:
            os.chown(h, u, u)
        homes[name] = h
    open(t + '/passwd', 'w').write(''.join(l + '\n' for l in passwd))
    files = ['a', 'b', 'a-b', 'a-default', 'a-b-default', 'default', 'x:y', 'sales', 'list-default', 'joe', 'v2-a', 'v2-default', 'Up', 'a.b']
    for h in homes.values():
        for f in rnd.sample(files, rnd.randint(0, 5)):
            if f == 'default' and rnd.random() < 0.6:
                continue       # keep some closed homes
            open(h + '/.qmail-' + f, 'w').close()
    assign = []
    vp = q + '/vp'
    os.makedirs(vp, exist_ok=True)
    assign.append('+vp-:vpopmail:89:89:%s:-::' % vp)
    open(vp + '/.qmail-default', 'w').write("| /home/vpopmail/bin/vdelivermail '' %s\n" % ('bounce-no-mailbox' if rnd.random() < 0.7 else 'postmaster@vp.example'))
    open(vp + '/vpasswd', 'w').write(''.join('%s:x:1:0::/x:NOQUOTA\n' % u for u in rnd.sample(['bob', 'carol', 'a', 'joe'], 2)))
    for f in rnd.sample(['sales', 'list-default', 'a-b'], 2):
        open(vp + '/.qmail-' + f, 'w').close()
    if rnd.random() < 0.5:
        assign.append('+v2-:ann:%d:%d:%s:-:v2-:' % (2002, 2002, homes['ann']))
    if rnd.random() < 0.5:
        assign.append('=b:ann:%d:%d:%s:-:sales:' % (2002, 2002, homes['ann']))
    if rnd.random() < 0.3:
        assign.append('=shop:joe:%d:%d:%s:::' % (2001, 2001, homes['joe']))
    if rnd.random() < 0.2:
        assign.append('+joe-a-:joe:%d:%d:%s:-:a-:' % (2001, 2001, homes['joe']))
    open(q + '/users/assign', 'w').write(''.join(l + '\n' for l in assign) + '.\n')
    probes = []
    for d in doms + ['other.example']:
        for w in WORDS:
            probes.append(w + '@' + d)
            for v in rnd.sample(WORDS, 3):
                probes.append(w + '-' + v + '@' + d)
    return q, t + '/passwd', probes


def main():
    rnd = random.Random(SEED)
    lost, denied, bounced, over, total = [], 0, 0, 0, 0
    for n in range(TREES):
        t = '%s/tree%d' % (DIR, n)
        q, passwd, probes = tree(rnd, t)
        model = Qmail(q, passwd)
        out = subprocess.run([BIN + '/qmail-recipients', '-d', q, '-p', passwd], capture_output=True)
        if out.returncode:
            print('tree %d: qmail-recipients exit %d: %s' % (n, out.returncode, out.stderr.decode()))
            return 1
        open(t + '/rules', 'wb').write(out.stdout)
        r = subprocess.run([BIN + '/cdbmake-rules', t + '/rules.cdb', t + '/rules.tmp'], stdin=open(t + '/rules', 'rb'), capture_output=True)
        if r.returncode:
            print('tree %d: cdbmake-rules exit %d: %s' % (n, r.returncode, r.stderr.decode()))
            return 1
        for a in probes:
            want = model.deliverable(a)
            got = subprocess.run([BIN + '/cdbmake-rules', '-q', 'x@sender.example', a, t + '/rules.cdb'], capture_output=True).stdout.decode().split(' ')[0]
            total += 1
            if want == 'y' and got == 'deny':
                lost.append('tree %d: %s is delivered by qmail but denied' % (n, a))
            if want == 'p' and got != 'pass':
                lost.append('tree %d: %s is not ours but the rules say %s' % (n, a, got))
            if want == 'n':
                bounced += 1
                denied += got == 'deny'
                over += got == 'allow'
    for l in lost[:20]:
        print(l)
    print('%d trees, %d probes: %d bounced by qmail, %d of them denied by the rules, %d allowed; %d lost' % (TREES, total, bounced, denied, over, len(lost)))
    return 1 if lost else 0


sys.exit(main())
