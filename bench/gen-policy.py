#!/usr/bin/env python3
# A larger policy for measuring the matcher: conf/policy.json's rules,
# then HOSTS made-up tracker hosts and URLS made-up URL patterns (none of
# them on the bench pages, so they cost what a rule that does not match
# costs: the common case).  Deterministic.
#
#   python3 bench/gen-policy.py OUT [HOSTS [URLS]]     default 200, 50

import json
import os
import random
import sys

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1]
nhosts = int(sys.argv[2]) if len(sys.argv) > 2 else 200
nurls = int(sys.argv[3]) if len(sys.argv) > 3 else 50

with open(os.path.join(here, '..', 'conf', 'policy.json')) as f:
    policy = json.load(f)

rng = random.Random(19)
syll = ['ad', 'an', 'bo', 'ca', 'de', 'fi', 'go', 'ha', 'in', 'lo', 'ma',
        'ne', 'op', 'pi', 'qu', 'ro', 'si', 'ta', 'un', 've', 'wo', 'xi']
tlds = ['com', 'com', 'com', 'net', 'io', 'de', 'co.uk', 'org']


def word(n):
    return ''.join(rng.choice(syll) for _ in range(n))


hosts = set()
while len(hosts) < nhosts:
    h = word(rng.randint(2, 4)) + '.' + rng.choice(tlds)
    if rng.random() < 0.4:
        h = rng.choice(['cdn', 'px', 'static', 'track', 'sdk']) + '.' + h
    hosts.add(h)

urls = set()
while len(urls) < nurls:
    urls.add('/' + word(rng.randint(2, 3)) + rng.choice(
        ['.js', '.gif', '/collect', '/pixel', '/v1/event']))

hosts = sorted(hosts)
urls = sorted(urls)
half = len(hosts) // 2
policy['rules'].append({'category': 'analytics', 'hosts': hosts[:half],
                        'urls': urls[:len(urls) // 2]})
policy['rules'].append({'category': 'marketing', 'hosts': hosts[half:],
                        'urls': urls[len(urls) // 2:]})

with open(out, 'w') as f:
    json.dump(policy, f, indent=1)
    f.write('\n')
