# bench/wasi python workload: a small mix of what Python programs spend their time on, about 1.5 s
# natively. Each part prints a checksum line (deterministic: fixed seeds, no time, no hashes of
# str); `python python_bench.py [SCALE]` (SCALE 1 by default) multiplies every part's size.
import json
import math
import random
import re
import sys

SCALE = int(sys.argv[1]) if len(sys.argv) > 1 else 1


# ---- nbody: float arithmetic in a tight loop (the benchmarks game's nbody, 5 bodies) ----------
def nbody(steps):
    pi = math.pi
    days = 365.24
    solar = 4 * pi * pi
    bodies = [
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, solar],
        [4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
         1.66007664274403694e-03 * days, 7.69901118419740425e-03 * days,
         -6.90460016972063023e-05 * days, 9.54791938424326609e-04 * solar],
        [8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
         -2.76742510726862411e-03 * days, 4.99852801234917238e-03 * days,
         2.30417297573763929e-05 * days, 2.85885980666130812e-04 * solar],
        [1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
         2.96460137564761618e-03 * days, 2.37847173959480950e-03 * days,
         -2.96589568540237556e-05 * days, 4.36624404335156298e-05 * solar],
        [1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
         2.68067772490389322e-03 * days, 1.62824170038242295e-03 * days,
         -9.51592254519715870e-05 * days, 5.15138902046611451e-05 * solar],
    ]
    px = py = pz = 0.0
    for b in bodies:
        px += b[3] * b[6]
        py += b[4] * b[6]
        pz += b[5] * b[6]
    bodies[0][3] = -px / solar
    bodies[0][4] = -py / solar
    bodies[0][5] = -pz / solar
    pairs = [(bodies[i], bodies[j]) for i in range(5) for j in range(i + 1, 5)]
    dt = 0.01
    for _ in range(steps):
        for b1, b2 in pairs:
            dx = b1[0] - b2[0]
            dy = b1[1] - b2[1]
            dz = b1[2] - b2[2]
            d2 = dx * dx + dy * dy + dz * dz
            mag = dt / (d2 * d2 ** 0.5)
            m1 = b1[6] * mag
            m2 = b2[6] * mag
            b1[3] -= dx * m2
            b1[4] -= dy * m2
            b1[5] -= dz * m2
            b2[3] += dx * m1
            b2[4] += dy * m1
            b2[5] += dz * m1
        for b in bodies:
            b[0] += dt * b[3]
            b[1] += dt * b[4]
            b[2] += dt * b[5]
    e = 0.0
    for i, b in enumerate(bodies):
        e += 0.5 * b[6] * (b[3] * b[3] + b[4] * b[4] + b[5] * b[5])
        for b2 in bodies[i + 1:]:
            dx, dy, dz = b[0] - b2[0], b[1] - b2[1], b[2] - b2[2]
            e -= b[6] * b2[6] / (dx * dx + dy * dy + dz * dz) ** 0.5
    return f"{e:.9f}"


# ---- objects: a small task scheduler (richards-like: classes, method dispatch, queues) ------------
class Packet:
    __slots__ = ("link", "kind", "datum", "data")

    def __init__(self, link, kind):
        self.link = link
        self.kind = kind
        self.datum = 0
        self.data = [0] * 4


class Task:
    def __init__(self, ident, priority, sched):
        self.ident = ident
        self.priority = priority
        self.sched = sched
        self.queue = []
        self.count = 0
        self.held = False

    def runnable(self):
        return bool(self.queue) and not self.held

    def step(self, packet):
        raise NotImplementedError


class Worker(Task):
    def step(self, packet):
        self.count += 1
        packet.datum = (packet.datum * 31 + self.ident) % 65521
        for i in range(4):
            packet.data[i] = (packet.data[i] + packet.datum + i) & 0xFF
        dest = 1 + (packet.datum % (len(self.sched.tasks) - 1))
        return dest, packet


class Handler(Task):
    def __init__(self, *a):
        super().__init__(*a)
        self.total = 0

    def step(self, packet):
        self.count += 1
        self.total += sum(packet.data) + packet.kind
        if self.count % 7 == 0:
            self.held = not self.held
        return (self.count * 3) % len(self.sched.tasks), packet


class Idle(Task):
    def step(self, packet):
        self.count += 1
        for t in self.sched.tasks:
            t.held = False
        return 1 + self.count % (len(self.sched.tasks) - 1), packet


class Scheduler:
    def __init__(self, nworkers, nhandlers):
        self.tasks = [Idle(0, 0, self)]
        for i in range(nworkers):
            self.tasks.append(Worker(len(self.tasks), i % 5, self))
        for i in range(nhandlers):
            self.tasks.append(Handler(len(self.tasks), 10 + i, self))
        for i, t in enumerate(self.tasks):
            for k in range(3):
                t.queue.append(Packet(None, i * 3 + k))

    def run(self, rounds):
        moved = 0
        for _ in range(rounds):
            ready = [t for t in self.tasks if t.runnable()] or [self.tasks[0]]
            task = max(ready, key=lambda t: (t.priority, -t.ident))
            if not task.queue:
                task.queue.append(Packet(None, 0))
            dest, packet = task.step(task.queue.pop(0))
            self.tasks[dest].queue.append(packet)
            moved += 1
            if len(self.tasks[dest].queue) > 6:
                self.tasks[dest].held = True
        return moved, sum(t.count * (t.ident + 1) for t in self.tasks), sum(
            getattr(t, "total", 0) for t in self.tasks)


class Tree:
    __slots__ = ("left", "right")

    def __init__(self, left, right):
        self.left = left
        self.right = right

    def check(self):
        if self.left is None:
            return 1
        return 1 + self.left.check() + self.right.check()


def make_tree(d):
    return Tree(None, None) if d == 0 else Tree(make_tree(d - 1), make_tree(d - 1))


def objects(rounds, depth):
    moved, weighted, total = Scheduler(8, 4).run(rounds)
    trees = sum(make_tree(d).check() for d in range(4, depth + 1, 2) for _ in range(2 ** (depth - d)))
    return f"{moved} {weighted} {total} {trees}"


# ---- dicts and strings: a word index over generated text --------------------------------------
def make_text(rng, nwords):
    syll = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "zu", "pe", "qua", "dre"]
    vocab = ["".join(rng.choice(syll) for _ in range(rng.randint(1, 4))) for _ in range(3000)]
    words = [vocab[min(int(rng.paretovariate(1.2)) - 1, 2999)] for _ in range(nwords)]
    lines = []
    for i in range(0, nwords, 12):
        chunk = words[i:i + 12]
        lines.append(" ".join(chunk).capitalize() + (". " if i % 5 else f" ({i}@{i % 97}.org) "))
    return "\n".join(lines)


def dict_str(text):
    index = {}
    for lineno, line in enumerate(text.splitlines()):
        for w in line.lower().replace(".", " ").split():
            index.setdefault(w, []).append(lineno)
    freq = sorted(((len(v), k) for k, v in index.items()), reverse=True)
    top = freq[:50]
    out = []
    for n, w in top:
        out.append(f"{w:>12}:{n:6d}:{w[::-1].upper()}:{len(set(index[w]))}")
    report = "\n".join(out)
    counts = {}
    for ch in text:
        counts[ch] = counts.get(ch, 0) + 1
    h = 0
    for ch in report:
        h = (h * 131 + ord(ch)) % 1000000007
    return f"{len(index)} {top[0][0]} {top[0][1]} {sorted(counts.items())[:3]} {h}"


# ---- json: dumps and loads round trips ------------------------------------------------------------
def json_round(rng, nrec, rounds):
    recs = [{"id": i, "name": f"user{i:05d}", "score": round(rng.random() * 100, 3),
             "tags": [f"t{rng.randint(0, 20)}" for _ in range(rng.randint(0, 5))],
             "active": rng.random() < 0.5, "parent": None if i % 7 else i // 7,
             "pos": {"x": rng.randint(-1000, 1000), "y": rng.uniform(-1, 1)}} for i in range(nrec)]
    total = 0
    for r in range(rounds):
        s = json.dumps(recs, sort_keys=(r % 2 == 0))
        back = json.loads(s)
        total += len(s) + sum(x["pos"]["x"] for x in back)
        recs = back
    pretty = json.dumps(recs[:100], indent=2)
    return f"{total} {len(pretty)} {sum(len(x['tags']) for x in recs)}"


# ---- regex: scanning the text ------------------------------------------------------------------------
def regex_scan(text, rounds):
    pats = [re.compile(p) for p in (r"\b[A-Z]\w+", r"\((\d+)@(\d+)\.org\)", r"\b(\w+) \1\b",
                                    r"(?:ka|lo)(?:mi|ne)+\w*", r"[aeiou]{2,}", r"\b\w{10,}\b")]
    counts = [0] * len(pats)
    acc = 0
    for _ in range(rounds):
        for i, p in enumerate(pats):
            for m in p.finditer(text):
                counts[i] += 1
                acc = (acc + m.end() - m.start()) % 1000003
    subbed = re.sub(r"(\w)(\w*)", lambda m: m.group(2) + m.group(1), text[:20000])
    return f"{counts} {acc} {len(subbed)} {len(re.split(r'[.!?] ', text))}"


def main():
    rng = random.Random(2024)
    text = make_text(rng, 60000 * SCALE)
    parts = [
        ("nbody", nbody(50000 * SCALE)),
        ("objects", objects(60000 * SCALE, 14)),
        ("dict_str", dict_str(text)),
        ("json", json_round(rng, 3000 * SCALE, 4)),
        ("regex", regex_scan(text, 2)),
    ]
    check = 0
    for name, res in parts:
        print(f"{name}: {res}")
        for ch in res:
            check = (check * 257 + ord(ch)) % 2147483647
    print(f"checksum {check}")


main()
