#!/usr/bin/python3
"""tests/spfsuite.py MODE SUITE.yml[.gz] [only...] — run the RFC 7208 test suite
(the openspf.org YAML that Debian's python3-spf ships) against spfquery.

MODE zone: each scenario's zonedata becomes a zone file for `spfquery -z`
(the evaluator alone, no network). MODE dns=ADDR: the zone is served by
tests/spfdnsd.py on ADDR and spfquery asks it over real DNS (DNSCACHEIP).
Prints one TAP line per test, then "N/M passed". $SPFQUERY is the binary.
Scenario data follows the suite's conventions (as its own driver,
testspf.py, does): a name with SPF records and no TXT records gets them as
TXT; "TXT: NONE" means the name exists with no TXT; TIMEOUT means the
questions for that name after it time out.
"""
import gzip, os, subprocess, sys, time, yaml

OUT_OF_SCOPE = {
    # the SPF RR type (99) is not queried (RFC 7208 3.1 removed it): these
    # two tests expect an answer only a type-99 record gives
}

def q(s):
    out = '"'
    for b in s.encode('utf-8'):
        if b in (34, 92) or b < 32 or b > 126:
            out += '\\%03d' % b
        else:
            out += chr(b)
    return out + '"'

def qn(s):
    return ''.join(c if 32 < ord(c) < 127 and c not in '\\"#' else '\\%03d' % ord(c) for c in s)

def zone_text(zonedata):
    lines = []
    for name, rrs in zonedata.items():
        name = qn(name.rstrip('.'))
        hastxt = any(isinstance(r, dict) and 'TXT' in r for r in rrs)
        spfs = []
        lines.append('%s EXISTS' % name)
        for r in rrs:
            if r == 'TIMEOUT':
                lines.append('%s TIMEOUT' % name)
                continue
            for t, v in r.items():
                if t == 'SPF':
                    if v != 'NONE':
                        spfs.append(v)
                    continue
                if v == 'TIMEOUT':
                    lines.append('%s %s TIMEOUT' % (name, t))
                elif t == 'TXT':
                    if v != 'NONE':
                        v = v if isinstance(v, list) else [v]
                        lines.append('%s TXT %s' % (name, ' '.join(q(x) for x in v)))
                elif t == 'MX':
                    lines.append('%s MX %d %s' % (name, v[0], qn(v[1]) or '.'))
                else:
                    lines.append('%s %s %s' % (name, t, qn(v) if t in ('PTR', 'CNAME') else v))
        if not hastxt:
            for v in spfs:
                v = v if isinstance(v, list) else [v]
                lines.append('%s TXT %s' % (name, ' '.join(q(x) for x in v)))
    return '\n'.join(lines) + '\n'

def main():
    mode, path = sys.argv[1], sys.argv[2]
    only = set(sys.argv[3:])
    spfquery = os.environ.get('SPFQUERY', 'build/spfquery')
    tmp = os.environ.get('T', '/tmp')
    opener = gzip.open if path.endswith('.gz') else open
    docs = list(yaml.safe_load_all(opener(path, 'rt')))
    n = passed = 0
    failed = []
    for si, doc in enumerate(docs):
        zf = os.path.join(tmp, 'zone%d' % si)
        with open(zf, 'w') as f:
            f.write(zone_text(doc.get('zonedata', {})))
        if mode.startswith('dns='):
            # the server re-reads this file when it changes
            os.replace(zf, os.path.join(tmp, 'zone.live.new'))
            os.replace(os.path.join(tmp, 'zone.live.new'), os.path.join(tmp, 'zone.live'))
            time.sleep(0.05)
        for name, t in doc['tests'].items():
            if only and name not in only:
                continue
            n += 1
            want = t['result'] if isinstance(t['result'], list) else [t['result']]
            cmd = [spfquery, '-n', '1400000000', '-r', 'receiver.example.net']
            if mode == 'zone':
                cmd += ['-z', zf]
            else:
                cmd += ['-t', '2']
            cmd += [t['host'], t['mailfrom'], t.get('helo', '')]
            env = dict(os.environ)
            if mode.startswith('dns='):
                env['DNSCACHEIP'] = mode[4:]
            p = subprocess.run(cmd, capture_output=True, env=env)
            lines = p.stdout.decode('latin-1').split('\n')
            got = lines[0]
            exp = ''
            if len(lines) > 1 and 'explanation="' in lines[1]:
                exp = lines[1].split('explanation="', 1)[1].rsplit('"', 1)[0]
            ok = got in want
            why = 'got %s, want %s' % (got, '/'.join(want))
            if ok and 'explanation' in t and got == 'fail':
                wantexp = '' if t['explanation'] == 'DEFAULT' else t['explanation']
                if exp != wantexp:
                    ok = False
                    why = 'explanation %r, want %r' % (exp, wantexp)
            if name in OUT_OF_SCOPE:
                print('ok %d - %s # SKIP out of scope: %s' % (n, name, OUT_OF_SCOPE[name]))
                continue
            if ok:
                passed += 1
                print('ok %d - %s' % (n, name))
            else:
                failed.append(name)
                print('not ok %d - %s (%s) %s' % (n, name, doc['description'], why))
                print('#   ' + ' '.join(cmd) + '\n#   ' + '\n#   '.join(lines))
    skipped = sum(1 for d in docs for k in d['tests'] if k in OUT_OF_SCOPE and (not only or k in only))
    print('# %d/%d passed (%d out of scope)' % (passed, n, skipped))
    print('1..%d' % n)
    return 1 if failed else 0

if __name__ == "__main__":
    sys.exit(main())
