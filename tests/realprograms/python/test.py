# real/python: a broad slice of CPython 3.11 (the interpreter and the stdlib's C and Python
# modules) that must print the same natively and as wasm32-wasi. Run as
#   python test.py DIR
# with DIR a writable directory (the preopened /work under WASI), PYTHONHASHSEED=0 and
# PYTHONUTF8=1. Prints one numbered line per check and ends with an uncaught exception (exit 1,
# a chained traceback through json's modules on stderr). Nothing printed depends on addresses, the platform's word size (hash(),
# sys.maxsize, native struct sizes), errno numbers, libm's last bits (transcendental results are
# rounded) or the file system's directory order.
import sys

if len(sys.argv) != 2:
    sys.exit("usage: python test.py DIR")
DIR = sys.argv[1]

import array
import bisect
import collections
import contextlib
import copy
import csv
import dataclasses
import datetime
import decimal
import enum
import fractions
import functools
import gc
import hashlib
import heapq
import io
import itertools
import json
import math
import operator
import os
import pathlib
import pickle
import random
import re
import string
import struct
import textwrap
import traceback
import typing
import unicodedata
import weakref

try:
    import zlib
except ImportError:
    zlib = None

checks = 0


def say(*parts):
    global checks
    checks += 1
    print(f"{checks:3d}", *parts)


def r(x, digits=12):
    """A float rounded to DIGITS significant digits (libm results may differ in the last ulp)."""
    return float(f"{x:.{digits}g}")


# ---- integers: bignums -------------------------------------------------------------------------
sys.set_int_max_str_digits(0)  # 3.11's limit on int<->str conversions (4300 digits by default)
f1000 = math.factorial(1000)
say("1000! has", len(str(f1000)), "digits, digit sum", sum(map(int, str(f1000))),
    "trailing zeros", len(str(f1000)) - len(str(f1000).rstrip("0")))
p = 2**4423 - 1  # a Mersenne prime
say("2**4423-1: bits", p.bit_length(), "mod 10**20", p % 10**20, "popcount", p.bit_count())
say("pow(3, 10**6, 10**9+7) =", pow(3, 10**6, 10**9 + 7), "inverse of 17 mod 101:", pow(17, -1, 101))
a, b = 7**500, 3**700 + 12345
q, m = divmod(a, b)
say("divmod bignum: q bits", q.bit_length(), "m mod 997", m % 997, "check", q * b + m == a)
say("negative floor division:", -7 // 2, -7 % 2, divmod(-(10**30), 7), (-(10**30)) >> 70)
say("gcd/lcm:", math.gcd(2**100 * 3**50, 6**60), math.lcm(12, 18, 30), math.isqrt(10**41))
say("to_bytes/from_bytes:", (2**70 + 5).to_bytes(10, "big").hex(),
    int.from_bytes(b"\xff\xfe", "little", signed=True), (-1234567).to_bytes(4, "little", signed=True).hex())
say("int from strings:", int("zz", 36), int("-0b1011", 0), int("1_000_000"), int("0o777", 8))
try:
    int("12x")
except ValueError as e:
    say("int('12x'):", e)
say("comb/perm:", math.comb(100, 50), math.perm(20, 5), sum(math.comb(30, k) for k in range(31)) == 2**30)
fib = [0, 1]
for _ in range(300):
    fib.append(fib[-1] + fib[-2])
say("fib(300) =", fib[300])
say("hex/oct/bin/format:", hex(-255), oct(64), bin(37), f"{2**64:,}", f"{255:#010x}", format(10**20, "_"))

# ---- floats: arithmetic and repr (correctly rounded operations print exactly) -----------------
say("repr:", 0.1 + 0.2, 1 / 3, 2.0**0.5, 1e22, 1e-7, 123456789.0 * 1000, -0.0, 5e-324)
say("float parse:", float("1e308") * 10, float("-inf"), float("nan") != float("nan"),
    float.fromhex("0x1.8p1"), (0.1).hex(), float.fromhex("0x1.fffffffffffffp+1023"))
say("rounding:", round(2.5), round(3.5), round(2.675, 2), round(-0.5), round(1234.5678, -2))
say("format:", f"{math.pi:.10f}", f"{1e-5:e}", f"{12345.678:g}", f"{0.000123:%}", f"{1/7:.3}",
    "%.17g" % 0.1, "%08.3f" % -3.14159)
say("fsum vs sum:", math.fsum([0.1] * 10), sum([0.1] * 10), math.fsum([1e100, 1.0, -1e100, 1e-100]))
say("sqrt/floor/ceil/trunc:", math.sqrt(2), math.floor(-2.5), math.ceil(-2.5), math.trunc(-2.7),
    math.sqrt(1e300 * 1e8) if False else math.sqrt(9.0))
say("libm (12 digits):", r(math.sin(1)), r(math.cos(1e6)), r(math.exp(10)), r(math.log(2)),
    r(math.atan2(1, -1)), r(math.gamma(5.5)), r(math.erf(0.5)), r(10**0.3), r(math.tanh(0.7)))
say("float/int interplay:", 2**53 + 1 == float(2**53 + 1), (2**63).__float__(), int(1e20),
    (1.5).as_integer_ratio(), (0.1).as_integer_ratio(), float(10**400 // 10**390))
try:
    1.0 / 0
except ZeroDivisionError as e:
    say("1.0/0:", e)
try:
    math.sqrt(-1)
except ValueError as e:
    say("sqrt(-1):", e)
try:
    float(10**400)
except OverflowError as e:
    say("float(10**400):", e)
say("complex:", (1 + 2j) * (3 - 4j), abs(3 + 4j), (1j)**2, complex("1.5-2.5j"), r(((2j) ** 0.5).real))
say("nan/inf handling:", math.isnan(float("inf") - float("inf")), math.isinf(1e308 * 10),
    sorted([3.0, float("inf"), -1.0, float("-inf")]), max(1, 2.5, 2))

# ---- strings and unicode -----------------------------------------------------------------------
s = "Grüße, 世界! Ελληνικά ǅ ﬁ 𝄞"
say("len/upper/casefold:", len(s), s.upper(), s.casefold())
say("utf-8/utf-16/latin-1:", len(s.encode()), s.encode("utf-16-le")[:12].hex(),
    s.encode("latin-1", errors="replace")[:12], s.encode("ascii", "backslashreplace")[:40])
say("unicodedata:", unicodedata.name("𝄞"), unicodedata.category("ǅ"), unicodedata.normalize("NFKD", "ﬁé"),
    unicodedata.numeric("½"), unicodedata.decimal("٣"), unicodedata.east_asian_width("世"))
say("methods:", "  strip me  ".strip(), "a,b,,c".split(","), "x".join("abc"), "Hello".center(11, "*"),
    "title case words".title(), "CamelCaseString".swapcase(), "abc".zfill(6), "tab\tbed".expandtabs(4))
say("find/replace/count:", s.find("世"), s.rfind("ß"), "banana".count("an"), "banana".replace("a", "o", 2),
    "banana".partition("n"), "banana".rpartition("n"), "a-b_c d".translate(str.maketrans("-_", "  ")))
say("isX:", "123".isdigit(), "١٢٣".isdecimal(), "abc".isidentifier(), "ǅ".istitle(), " \t".isspace(),
    "Ⅻ".isnumeric(), "ß".isalpha())
say("format mini-language:", f"{'left':<8}|{'right':>8}|{'mid':^9}|", f"{3.14159:+.2f}", f"{-42:=+8d}",
    "{0}-{1}-{0}".format("a", "b"), "%s %r %5.1f%%" % ("s", "r", 99.44), f"{'é'!a}")
t = string.Template("$who likes $what")
say("Template/textwrap:", t.substitute(who="tim", what="kung pao"),
    textwrap.wrap("The quick brown fox jumps over the lazy dog " * 2, 20)[:3], repr(textwrap.dedent("  a\n  b")))
say("bytes:", b"abc" * 2, bytes(range(5)), bytearray(b"hello").upper(), b"\x00\xff".hex(":"),
    bytes.fromhex("de ad be ef"), memoryview(b"abcdef")[1:4].tobytes(), b"a b  c".split())
say("sorted unicode:", sorted(["b", "A", "é", "a", "Z", "ä", "z"]), sorted("Straße", key=str.lower))

# ---- dicts and sets ------------------------------------------------------------------------------
d = {}
for i, w in enumerate("the quick brown fox jumps over the lazy dog".split()):
    d.setdefault(w, []).append(i)
say("dict insertion order:", list(d), d["the"])
d2 = {k: len(v) for k, v in d.items()}
del d2["quick"]
d2["quick"] = 9
say("delete and reinsert:", list(d2.items())[-3:], d2 | {"new": 1}, {"a": 1} == dict(a=1))
sa, sb = set(range(0, 30, 3)), set(range(0, 30, 5))
say("sets:", sorted(sa & sb), sorted(sa ^ sb), sorted(sa - sb), sa.isdisjoint({1, 2}), frozenset("aab") == {"a", "b"})
say("small-int set order:", list({5, 3, 9, 1, 7}), list(set(range(20, 0, -3))))
big = {i * 7919 % 100003: i for i in range(50000)}
say("big dict:", len(big), sum(big) % 1000003, big[7919], list(big)[:5], min(big), max(big))
dd = collections.defaultdict(int)
for ch in "mississippi":
    dd[ch] += 1
say("defaultdict:", dict(dd), sorted(dd.items(), key=lambda kv: (-kv[1], kv[0])))
od = collections.OrderedDict.fromkeys("abcde")
od.move_to_end("b")
od.move_to_end("e", last=False)
say("OrderedDict:", "".join(od), od.popitem(last=False))
cm = collections.ChainMap({"a": 1}, {"a": 2, "b": 3})
say("ChainMap:", cm["a"], cm["b"], sorted(cm), dict(cm.new_child({"c": 4})))

# ---- classes, inheritance, dunder methods ----------------------------------------------------------
class Vec:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __repr__(self):
        return f"Vec({self.x!r}, {self.y!r})"

    def __add__(self, o):
        return Vec(self.x + o.x, self.y + o.y)

    def __mul__(self, k):
        return Vec(self.x * k, self.y * k)

    __rmul__ = __mul__

    def __eq__(self, o):
        return isinstance(o, Vec) and (self.x, self.y) == (o.x, o.y)

    def __hash__(self):
        return hash((self.x, self.y))

    def __abs__(self):
        return math.hypot(self.x, self.y)

    def __iter__(self):
        yield self.x
        yield self.y

    def __bool__(self):
        return bool(self.x or self.y)

    def __lt__(self, o):
        return abs(self) < abs(o)


v = Vec(3, 4)
say("Vec:", v + Vec(1, 1), 2 * v, v * 0.5, abs(v), list(v), bool(Vec(0, 0)), v == Vec(3, 4),
    len({v, Vec(3, 4), Vec(4, 3)}), sorted([Vec(5, 5), Vec(1, 0), v]))


class Animal:
    count = 0

    def __init__(self, name):
        self.name = name
        Animal.count += 1

    def speak(self):
        return f"{self.name} makes {self.sound()}"

    def sound(self):
        raise NotImplementedError

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        cls.registered = cls.__name__.lower()


class Dog(Animal):
    def sound(self):
        return "woof"


class Puppy(Dog):
    def sound(self):
        return super().sound().upper() + "!"


class Loud:
    def speak(self):
        return "LOUD " + super().speak()


class LoudPuppy(Loud, Puppy):
    pass


say("inheritance:", Dog("rex").speak(), Puppy("bit").speak(), LoudPuppy("max").speak(), Animal.count,
    [c.__name__ for c in LoudPuppy.__mro__], LoudPuppy.registered, issubclass(LoudPuppy, Animal))


class Meta(type):
    def __new__(mcls, name, bases, ns):
        ns["fields"] = sorted(k for k in ns if not k.startswith("_"))
        return super().__new__(mcls, name, bases, ns)

    def __call__(cls, *a):
        obj = super().__call__(*a)
        obj.created_by = "Meta"
        return obj


class Rec(metaclass=Meta):
    b = 1
    a = 2

    def __init__(self, v):
        self.v = v


class Prop:
    def __init__(self):
        self._t = 0

    @property
    def t(self):
        return self._t

    @t.setter
    def t(self, val):
        if val < 0:
            raise ValueError("negative")
        self._t = val

    def __getattr__(self, name):
        return f"<missing {name}>"

    def __getitem__(self, k):
        return k * 2 if isinstance(k, int) else (k.start, k.stop, k.step)

    def __contains__(self, x):
        return x == 42

    def __call__(self, *a, **k):
        return (a, sorted(k.items()))

    def __enter__(self):
        return "entered"

    def __exit__(self, *exc):
        return True  # swallow


pr = Prop()
pr.t = 5
try:
    pr.t = -1
except ValueError as e:
    neg = str(e)
with pr as ent:
    raise KeyError("swallowed")
say("metaclass/property/getattr:", Rec.fields, Rec(1).created_by, pr.t, neg, pr.nothing, pr[21], pr[1:9:2],
    42 in pr, pr(1, z=2, a=3), ent)


@dataclasses.dataclass(order=True, frozen=True)
class Point:
    x: int
    y: int = 0
    tags: tuple = ()


pts = sorted([Point(2, 1), Point(1, 5), Point(1, 2, ("a",))])
say("dataclass:", pts, dataclasses.asdict(pts[0]), dataclasses.replace(pts[1], y=9), Point(1) == Point(1, 0))
try:
    pts[0].x = 9
except dataclasses.FrozenInstanceError as e:
    say("frozen:", type(e).__name__, e)


class Color(enum.Enum):
    RED = 1
    GREEN = 2
    BLUE = 3


class Perm(enum.IntFlag):
    R = 4
    W = 2
    X = 1


say("enum:", Color.GREEN, Color(3).name, [c.name for c in Color], Perm.R | Perm.W, int(Perm.R | Perm.X),
    Perm(7), Color["RED"].value)


class NT(typing.NamedTuple):
    a: int
    b: str = "x"


say("namedtuple:", NT(1), NT(2, "y")._asdict(), collections.namedtuple("P", "x y")(1, 2)._replace(y=5),
    typing.get_type_hints(NT))

# ---- generators, closures, comprehensions -----------------------------------------------------------
def primes():
    found = []
    n = 2
    while True:
        if all(n % p for p in found if p * p <= n):
            found.append(n)
            yield n
        n += 1


def take(n, it):
    return list(itertools.islice(it, n))


say("generator primes:", take(15, primes()), sum(itertools.takewhile(lambda x: x < 10000, primes())))


def echo():
    received = []
    try:
        while True:
            x = yield len(received)
            received.append(x)
    except GeneratorExit:
        received.append("closed")
    finally:
        echo.last = received


g = echo()
next(g)
outs = [g.send(c) for c in "abc"]
g.close()
say("send/close:", outs, echo.last)


def chain_gen():
    r1 = yield from range(3)
    yield from (x * 10 for x in range(3))
    return "done"


def outer():
    res = yield from chain_gen()
    yield res


say("yield from:", list(outer()))


def counter():
    n = 0

    def inc(k=1):
        nonlocal n
        n += k
        return n

    return inc


c1, c2 = counter(), counter()
c1(), c1(5), c2()
adders = [lambda x, i=i: x + i for i in range(4)]
late = [lambda x: x + i for i in range(4)]
say("closures:", c1(), c2(), [f(10) for f in adders], [f(10) for f in late], c1.__closure__[0].cell_contents)
say("comprehensions:", [x * y for x in range(4) for y in range(x)], {x % 5: x for x in range(12)},
    sorted({c for c in "hello world" if c.isalpha()}), list(zip(*[(1, "a"), (2, "b")])))


async def acoro(n):
    total = 0
    for i in range(n):
        total += await aval(i)
    return total


class Awaitable:
    def __init__(self, v):
        self.v = v

    def __await__(self):
        got = yield ("suspend", self.v)
        return got


async def aval(i):
    return await Awaitable(i)


co = acoro(5)
steps = []
try:
    msg = co.send(None)
    while True:
        steps.append(msg)
        msg = co.send(msg[1] * msg[1])
except StopIteration as e:
    say("coroutine driven by hand:", steps[:3], "result", e.value)


async def agen():
    for i in range(3):
        yield i


async def use_agen():
    return [x async for x in agen()]


try:
    use_agen().send(None)
except StopIteration as e:
    say("async generator:", e.value)

# ---- exceptions and tracebacks -----------------------------------------------------------------------
class AppError(Exception):
    def __init__(self, code, msg):
        super().__init__(msg)
        self.code = code


def level3(x):
    return {"a": 1}[x]


def level2(x):
    try:
        return level3(x)
    except KeyError as e:
        raise AppError(7, f"no key {x!r}") from e


def level1():
    return level2("zz")


try:
    level1()
except AppError as e:
    tb = traceback.format_exception(e)
    say("chained traceback:", len(tb), "parts; code", e.code)
    for line in "".join(tb).rstrip("\n").split("\n"):
        print("    |", line)

try:
    try:
        1 / 0
    finally:
        say("finally runs")
except ZeroDivisionError as e:
    say("caught after finally:", repr(e), e.__traceback__.tb_lineno > 0)

try:
    [][1]
except IndexError as e:
    e.add_note("a note added in 3.11")
    say("note:", traceback.format_exception_only(e)[-1].rstrip(), e.__notes__)

try:
    raise ExceptionGroup("many", [ValueError("v1"), TypeError("t1"), ValueError("v2"), KeyError("k")])
except* ValueError as eg:
    say("except* ValueError:", [str(x) for x in eg.exceptions])
except* (TypeError, KeyError) as eg:
    say("except* Type/Key:", sorted(type(x).__name__ for x in eg.exceptions))


def gen_fail():
    yield 1
    raise RuntimeError("inside generator")


try:
    list(gen_fail())
except RuntimeError as e:
    frames = [f.name for f in traceback.extract_tb(e.__traceback__)]
    say("generator traceback frames:", frames)

for bad in (lambda: None.attr, lambda: "a" + 1, lambda: int("x"), lambda: [].pop(), lambda: {}["k"],
            lambda: undefined_name, lambda: (1).__add__(), lambda: math.factorial(-1),
            lambda: open(os.path.join(DIR, "no", "such", "file")), lambda: 1 < "a",
            lambda: b"x".decode("ascii") + b"\xff".decode("utf-8")):
    try:
        bad()
    except Exception as e:
        msg = str(e)
        if isinstance(e, OSError):
            msg = f"{type(e).__name__} errno-is-ENOENT={e.errno == __import__('errno').ENOENT}"
        say("error:", type(e).__name__, "|", msg.replace(DIR, "DIR"))

with contextlib.suppress(ZeroDivisionError):
    1 // 0
stack = []
with contextlib.ExitStack() as es:
    for i in range(3):
        es.callback(stack.append, i)
say("suppress/ExitStack:", stack)


@contextlib.contextmanager
def tag(name, log):
    log.append(f"<{name}>")
    try:
        yield name
    except ValueError as e:
        log.append(f"handled {e}")
    finally:
        log.append(f"</{name}>")


log = []
with tag("a", log), tag("b", log):
    raise ValueError("boom")
say("contextmanager:", log)

# ---- recursion ---------------------------------------------------------------------------------------
sys.setrecursionlimit(12000)


def depth(n):
    return 0 if n == 0 else 1 + depth(n - 1)


def ackermann(m, n):
    if m == 0:
        return n + 1
    if n == 0:
        return ackermann(m - 1, 1)
    return ackermann(m - 1, ackermann(m, n - 1))


say("recursion 5000 and 10000 deep:", depth(5000), depth(10000), "ackermann(2, 3) =", ackermann(2, 3),
    "ackermann(3, 5) =", ackermann(3, 5))
reached = 0


def runaway(n):
    global reached
    reached = n
    runaway(n + 1)


try:
    runaway(1)
except RecursionError as e:
    say("RecursionError:", e, "at depth > 11900:", reached > 11900)
sys.setrecursionlimit(1000)
nested = []
cur = nested
for _ in range(200):
    cur.append([])
    cur = cur[0]
say("nested repr/json/copy 200 deep:", len(repr(nested)), len(json.dumps(nested)), copy.deepcopy(nested) == nested)

# ---- re ----------------------------------------------------------------------------------------------
text = "Contact: alice@example.com, bob.smith@mail.co.uk; dates 2023-01-15 and 1999-12-31. Tel +44 20 7946 0958."
say("findall:", re.findall(r"[\w.]+@[\w.]+\w", text), re.findall(r"(\d{4})-(\d\d)-(\d\d)", text))
mo = re.search(r"(?P<y>\d{4})-(?P<m>\d\d)-(?P<d>\d\d)", text)
say("groupdict/span:", mo.groupdict(), mo.span(), mo.group(0), mo.start("m"))
say("sub with function:", re.sub(r"\d+", lambda m: str(int(m.group()) * 2), "a1 b22 c333"),
    re.sub(r"(\w+)@(\w+)", r"\2 at \1", "x@y z@w"), re.subn("a", "A", "banana"))
say("split/flags:", re.split(r"[,;.]\s*", "a, b;c. d"), re.findall(r"^\w", "ab\ncd\nef", re.M),
    bool(re.match(r"hello", "HeLLo", re.I)), re.findall(r"(?x) \d+  # digits", "1 22 333"))
say("unicode and lookaround:", re.findall(r"\w+", "naïve café 世界"), re.findall(r"(?<=\$)\d+", "$10 $20 30"),
    re.findall(r"\b\w+(?=ing\b)", "singing and dancing"), re.fullmatch(r"(ab)+", "ababab") is not None)
say("greedy/lazy/backrefs:", re.findall(r"<.+?>", "<a><b></b></a>"), re.search(r"(\w)\1", "abccd").group(),
    re.findall(r"(a|b)*c", "ababcabc"), re.compile(r"x*").sub("-", "abc"))
words = re.findall(r"[a-z]+", (text * 50).lower())
say("scan 50x text:", len(words), collections.Counter(words).most_common(3))
try:
    re.compile("(unclosed")
except re.error as e:
    say("re.error:", e)

# ---- json --------------------------------------------------------------------------------------------
doc = {"name": "test", "values": [1, 2.5, -3e-10, 1e100, True, None], "nested": {"z": [], "a": {"b": "ü\n\"q\""}},
       "unicode": "世界 𝄞", "big": 2**70}
enc = json.dumps(doc, sort_keys=True)
say("dumps:", enc)
say("dumps indent:", json.dumps(doc["nested"], indent=2, ensure_ascii=False).replace("\n", "\\n"))
say("loads round trip:", json.loads(enc) == doc, json.loads("[1.0, 1e400, -0.0]"), json.loads('"\\ud834\\udd1e"'))
try:
    json.loads('{"a": 1,}')
except json.JSONDecodeError as e:
    say("JSONDecodeError:", e)
records = [{"id": i, "name": f"item{i}", "price": round(i * 1.37, 2), "tags": ["t%d" % (i % 3)]} for i in range(2000)]
blob = json.dumps(records, separators=(",", ":"))
say("2000 records:", len(blob), hashlib.md5(blob.encode()).hexdigest(), sum(r_["price"] for r_ in json.loads(blob)))

# ---- struct, array, pickle, binary ----------------------------------------------------------------------
packed = struct.pack("<hHiIqQfd?3s", -2, 65535, -2**31, 2**32 - 1, -2**63, 2**64 - 1, 1.5, math.pi, True, b"abc")
say("struct pack:", len(packed), packed.hex())
say("struct unpack:", struct.unpack("<hHiIqQfd?3s", packed), struct.calcsize(">bhiq"), struct.pack("!I", 1))
say("struct iter/errors:", list(struct.iter_unpack("<2h", bytes(range(8)))),
    struct.unpack(">e", struct.pack(">e", 0.1)), struct.pack("<f", 1e-40).hex())
try:
    struct.pack("<h", 40000)
except struct.error as e:
    say("struct.error:", e)
arr = array.array("i", range(10))
arr.reverse()
arr2 = array.array("d", [1.5, 2.5])
say("array:", arr.tolist(), arr.itemsize, arr2.tobytes().hex(), array.array("u", "hi").tounicode(),
    array.array("b", b"\x01\xff").tolist())
obj = {"list": [1, 2.5, "s", None, (1, 2)], "set": frozenset({1, 2}), "pt": Point(1, 2), "nt": NT(3), "v": Vec(1, 2),
       "big": 3**200, "bytes": b"\x00\x01", "color": Color.BLUE}
for proto in (2, 4, 5):  # 0 and 1 cannot pickle Vec (__slots__)
    data = pickle.dumps(obj, protocol=proto)
    back = pickle.loads(data)
    say(f"pickle protocol {proto}:", len(data), back == obj, back["pt"], back["color"])
say("copy:", copy.copy(obj)["list"] is obj["list"], copy.deepcopy(obj)["list"] is obj["list"], copy.deepcopy(obj) == obj)

# ---- hashlib, zlib ---------------------------------------------------------------------------------------
msg = b"The quick brown fox jumps over the lazy dog"
say("md5/sha1:", hashlib.md5(msg).hexdigest(), hashlib.sha1(msg).hexdigest())
say("sha256/sha512:", hashlib.sha256(msg).hexdigest(), hashlib.sha512(msg).hexdigest()[:32])
say("sha3/blake2:", hashlib.sha3_256(msg).hexdigest()[:32], hashlib.blake2b(msg, digest_size=16).hexdigest(),
    hashlib.blake2s(msg, key=b"k").hexdigest()[:16])
h = hashlib.sha256()
for i in range(1000):
    h.update(str(i).encode() * 37)
say("sha256 of 1000 updates:", h.hexdigest())
say("hmac:", __import__("hmac").new(b"key", msg, "sha256").hexdigest()[:32])
if zlib is not None:
    raw = ("".join(f"line {i}: {i * i} {'x' * (i % 17)}\n" for i in range(5000))).encode()
    comp = zlib.compress(raw, 9)
    say("zlib:", len(raw), len(comp), zlib.crc32(raw), zlib.adler32(raw), zlib.decompress(comp) == raw,
        hashlib.md5(comp).hexdigest())
    co_ = zlib.compressobj(6, zlib.DEFLATED, -15)
    stream = co_.compress(raw) + co_.flush()
    do_ = zlib.decompressobj(-15)
    say("zlib raw deflate stream:", len(stream), do_.decompress(stream[:1000]) + do_.decompress(stream[1000:]) == raw)
    import gzip
    gz = gzip.compress(raw, compresslevel=5, mtime=0)
    say("gzip:", len(gz), gzip.decompress(gz) == raw)
else:
    say("zlib: not built")

# ---- collections, itertools, functools, heapq, bisect, operator -------------------------------------------------
cnt = collections.Counter("abracadabra alakazam")
say("Counter:", cnt.most_common(4), cnt["z"], sorted((cnt + collections.Counter("aaa")).items())[:3], cnt.total())
dq = collections.deque(range(10), maxlen=7)
dq.rotate(3)
dq.appendleft(-1)
say("deque:", list(dq), dq.maxlen, dq.count(5))
say("itertools:", list(itertools.accumulate([1, 2, 3, 4, 5], operator.mul)), list(itertools.combinations("abcd", 2))[:4],
    list(itertools.permutations(range(3))), list(itertools.product("ab", repeat=2)),
    [(k, len(list(g_))) for k, g_ in itertools.groupby("aaabccdddd")], list(itertools.chain.from_iterable(["ab", "cd"])))
say("itertools 2:", list(itertools.zip_longest("abc", "d", fillvalue="-")), list(itertools.compress("abcdef", [1, 0, 1, 0, 1])),
    list(itertools.starmap(pow, [(2, 5), (3, 2)])), list(itertools.pairwise(range(5))),
    list(itertools.islice(itertools.cycle("xy"), 5)), list(itertools.repeat(7, 3)),
    list(itertools.filterfalse(lambda x: x % 3, range(10))), sum(1 for _ in itertools.combinations(range(20), 5)))


@functools.lru_cache(maxsize=None)
def part(n, k):
    if n == 0:
        return 1
    if n < 0 or k == 0:
        return 0
    return part(n - k, k) + part(n, k - 1)


say("lru_cache partitions:", part(100, 100), part.cache_info().misses > 0, functools.reduce(operator.add, range(101)))


@functools.singledispatch
def describe(x):
    return "object"


@describe.register
def _(x: int):
    return "int"


@describe.register
def _(x: list):
    return f"list of {len(x)}"


say("singledispatch/partial/total_ordering:", describe(1), describe([1, 2]), describe("s"),
    functools.partial(int, base=2)("1011"), sorted(["bb", "a", "ccc"], key=functools.cmp_to_key(lambda a, b: len(a) - len(b))))
hp = [5, 1, 8, 3, 9, 2]
heapq.heapify(hp)
say("heapq:", [heapq.heappop(hp) for _ in range(3)], heapq.nlargest(3, range(20), key=lambda x: -abs(x - 10)),
    list(heapq.merge([1, 4, 7], [2, 5, 8], [0, 9])))
srt = list(range(0, 100, 7))
say("bisect:", bisect.bisect_left(srt, 50), bisect.bisect_right(srt, 49), bisect.insort(srt, 50) or srt[7:10])
say("operator:", operator.itemgetter(1, 3)("abcd"), operator.attrgetter("x")(Vec(7, 8)),
    operator.methodcaller("split", ",")("a,b"), sorted([(1, "b"), (0, "c"), (1, "a")], key=operator.itemgetter(0)))

# ---- decimal and fractions --------------------------------------------------------------------------
D = decimal.Decimal
say("decimal:", D("0.1") + D("0.2"), D(1) / D(7), D("1.30") * D("1.20"), D(2).sqrt(), D("1e-30").exp(),
    D("123.456").quantize(D("0.01")), D(0.1))
with decimal.localcontext() as ctx:
    ctx.prec = 60
    say("decimal prec 60:", D(2).sqrt(), D(10).ln(), D(1) / D(3), D("2.5").to_integral_value(decimal.ROUND_HALF_EVEN))
    ctx.traps[decimal.DivisionByZero] = True
    try:
        D(1) / D(0)
    except decimal.DivisionByZero as e:
        say("DivisionByZero:", type(e).__name__)
say("decimal misc:", D("-0"), D("NaN").is_nan(), D("1.2345E+5").normalize(), D("1000").as_tuple(),
    sum(D(i) / 100 for i in range(1000)), D("7.5") % D(2), D("-7") // D(2), round(D("2.675"), 2))
F = fractions.Fraction
say("fractions:", F(1, 3) + F(1, 6), F("3.1415926535").limit_denominator(1000), F(0.1), F(2, 3) ** 10,
    sum(F(1, n) for n in range(1, 30)), F(7, -3) // 1, F(1, 3) < F(0.3334), float(F(22, 7)))

# ---- datetime, with fixed dates ----------------------------------------------------------------------
dt = datetime.datetime(2024, 2, 28, 23, 30, 15, 123456)
say("datetime:", dt, dt + datetime.timedelta(days=1, hours=1), dt.isoformat(), dt.strftime("%Y-%m-%d %H:%M:%S %j %a %b %A %B %p %U %W"))
say("date math:", datetime.date(2000, 1, 1).toordinal(), (datetime.date(2024, 3, 1) - datetime.date(2023, 3, 1)).days,
    datetime.date(2024, 12, 31).isocalendar(), datetime.date.fromisoformat("2021-07-04").weekday(),
    datetime.date(1970, 1, 1) + datetime.timedelta(days=20000))
utc = datetime.timezone.utc
tz5 = datetime.timezone(datetime.timedelta(hours=5, minutes=30), "IST")
aware = datetime.datetime(2021, 6, 1, 12, 0, tzinfo=utc)
say("timezones:", aware.astimezone(tz5), aware.timestamp(), datetime.datetime.fromtimestamp(1e9, utc),
    datetime.datetime.fromisoformat("2011-11-04T00:05:23+04:00").utcoffset(), tz5.tzname(None))
say("strptime/timedelta:", datetime.datetime.strptime("03/Feb/2019:10:20:30", "%d/%b/%Y:%H:%M:%S"),
    datetime.timedelta(seconds=100000.5), datetime.timedelta(weeks=3) / datetime.timedelta(days=2),
    str(datetime.timedelta(days=-1, seconds=5)), datetime.time(1, 2, 3).isoformat("milliseconds"))
import calendar
say("calendar:", calendar.isleap(2100), calendar.monthrange(2024, 2), calendar.weekday(2000, 1, 1),
    calendar.month(2024, 2).split("\n")[2].strip(), calendar.timegm((2001, 9, 9, 1, 46, 40, 0, 0, 0)))
import time
say("time (fixed):", time.gmtime(86400 * 365).tm_year, time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(1234567890)),
    time.mktime(time.gmtime(0)) == 0 or "local time not UTC", time.asctime(time.gmtime(0)))

# ---- files in DIR ----------------------------------------------------------------------------------------
os.chdir(DIR)
say("cwd is DIR:", os.path.samefile(os.getcwd(), DIR), os.path.exists("test.py"))
with open("data.txt", "w", encoding="utf-8") as f:
    for i in range(1000):
        f.write(f"{i}\t{i * i}\tzeile {i} grüße\n")
with open("data.txt", "rb") as f:
    raw_ = f.read()
with open("data.txt", encoding="utf-8") as f:
    lines = f.readlines()
say("text file:", len(raw_), len(lines), lines[999].rstrip("\n"), hashlib.sha1(raw_).hexdigest())
with open("data.bin", "w+b") as f:
    f.write(struct.pack("<1000I", *range(0, 3000, 3)))
    f.seek(400)
    four = f.read(8)
    f.seek(-4, os.SEEK_END)
    last = f.read()
    pos = f.tell()
    f.seek(0)
    f.write(b"HEAD")
    f.truncate(2000)
say("binary file:", struct.unpack("<2I", four), struct.unpack("<I", last), pos, os.path.getsize("data.bin"))
with open("data.txt", "a", encoding="utf-8") as f:
    print("appended", 1, 2.5, sep="|", file=f)
with open("data.txt", encoding="utf-8") as f:
    tail = f.read().splitlines()[-1]
os.makedirs("sub/deeper/deepest", exist_ok=True)
for n in ("b.txt", "a.txt", "c.log"):
    pathlib.Path("sub", n).write_text(n * 3, encoding="utf-8")
os.rename("sub/c.log", "sub/deeper/c.log")
say("append/dirs:", tail, sorted(os.listdir("sub")), sorted(p.name for p in pathlib.Path("sub").rglob("*.log")),
    os.path.isdir("sub/deeper"), os.path.exists("sub/c.log"))
walked = []
for root, dirs, files in os.walk("sub"):
    dirs.sort()
    walked.append((root, sorted(files)))
say("os.walk:", walked)
pth = pathlib.Path("sub/a.txt")
say("pathlib:", pth.read_text(encoding="utf-8"), pth.suffix, pth.stem, pth.parent.name, pth.with_suffix(".md").name,
    sorted(str(p) for p in pathlib.Path("sub").glob("*.txt")), pathlib.PurePosixPath("/a/b/../c").parts)
st = os.stat("data.bin")
say("stat:", st.st_size, os.path.isfile("data.bin"), os.stat("sub").st_size >= 0)
os.remove("sub/b.txt")
os.rmdir("sub/deeper/deepest")
say("remove/rmdir:", sorted(os.listdir("sub")), sorted(os.listdir("sub/deeper")))
try:
    os.rmdir("sub")
except OSError as e:
    say("rmdir non-empty:", type(e).__name__)
buf = io.StringIO()
w = csv.writer(buf)
w.writerows([["id", "name", "note"], [1, "a,b", 'say "hi"'], [2, "é", "multi\nline"]])
with open("out.csv", "w", newline="", encoding="utf-8") as f:
    f.write(buf.getvalue())
with open("out.csv", newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
say("csv:", buf.getvalue().encode("unicode_escape").decode(), rows[1]["note"] == "multi\nline", rows[0]["name"])
bio = io.BytesIO()
bio.write(b"abc")
bio.seek(1)
tw = io.TextIOWrapper(io.BytesIO("line1\r\nline2\nline3".encode()), encoding="utf-8", newline=None)
say("io:", bio.read(), tw.readlines(), repr(io.StringIO("a\nb").readline()))

# ---- sorting large lists ------------------------------------------------------------------------------------
rng = random.Random(12345)
nums = [rng.randint(-10**6, 10**6) for _ in range(200000)]
s1 = sorted(nums)
say("random ints:", nums[:5], rng.random(), rng.choice("abcdef"), rng.sample(range(100), 5), rng.gauss(0, 1) != 0)
say("sorted 200000 ints:", s1[:3], s1[-3:], s1[100000], sum(s1[::1000]), all(s1[i] <= s1[i + 1] for i in range(len(s1) - 1)))
fl = [rng.random() * 1e6 for _ in range(100000)]
say("sorted floats:", sorted(fl)[:2], sorted(fl, reverse=True)[0], math.fsum(fl))
strs = ["".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(1, 12))) for _ in range(50000)]
ss = sorted(strs)
say("sorted strings:", ss[:3], ss[-2:], len(set(strs)), sorted(strs, key=lambda x: (len(x), x))[:3])
recs = [(rng.randint(0, 9), i) for i in range(30000)]
stable = sorted(recs, key=lambda t: t[0])
say("stable sort:", all(stable[i][1] < stable[i + 1][1] for i in range(len(stable) - 1) if stable[i][0] == stable[i + 1][0]),
    stable[:3], stable[-1])
lst = list(range(100000))
rng.shuffle(lst)
lst.sort(key=lambda x: -x)
say("shuffle/sort key:", lst[:4], lst.index(0), sorted(range(10), key=lambda x: (x % 3, -x)))

# ---- weakref and gc ---------------------------------------------------------------------------------------
class Node:
    def __init__(self, name):
        self.name = name
        self.other = None


n1, n2 = Node("a"), Node("b")
n1.other, n2.other = n2, n1
wr = weakref.ref(n1)
fin = []
weakref.finalize(n2, fin.append, "n2 finalized")
del n1, n2
gc.collect()
say("cycle collected:", wr() is None, fin)
wvd = weakref.WeakValueDictionary()
keep = Node("keep")
wvd["k"] = keep
wvd["t"] = Node("temp")
gc.collect()
say("WeakValueDictionary:", sorted(wvd.keys()))

# ---- misc builtins and language ----------------------------------------------------------------------------
def match_shape(x):
    match x:
        case {"kind": "circle", "r": r_}:
            return f"circle {r_}"
        case [a_, b_, *rest]:
            return f"seq {a_} {b_} +{len(rest)}"
        case Point(x=0, y=y_):
            return f"on y axis at {y_}"
        case int() | float() as num if num > 100:
            return "big number"
        case str(s_):
            return f"string {s_!r}"
        case _:
            return "other"


say("match:", [match_shape(v_) for v_ in ({"kind": "circle", "r": 2}, [1, 2, 3, 4], Point(0, 7), 500, "hi", 3)])
say("builtins:", list(map(lambda x: x**2, range(5))), list(filter(None, [0, 1, "", "a", [], [0]])), any([]), all([]),
    list(enumerate("ab", 1)), list(reversed(range(3))), divmod(17, 5), pow(2, -1), abs(-3), min("bca"), sum([[1], [2]], []))
say("eval/exec/compile:", eval("sum(x * x for x in range(10))"), (lambda ns: (exec("y = 2 ** 10", ns), ns["y"])[1])({}),
    compile("a + 1", "<expr>", "eval").co_names, repr(ascii("ä€")), chr(0x1F600).encode("utf-8"), ord("€"))
say("slicing:", "abcdefgh"[::-2], list(range(20))[3:15:4], [1, 2, 3][-5:10], "x"[5:], slice(1, 10, 3).indices(5))
g_vars = {"a": 1}
say("isinstance/type/vars:", isinstance(True, int), type(1.0).__name__, callable(len), hasattr(Vec, "__slots__"),
    sorted(k for k in vars(Prop) if not k.startswith("__")), getattr(Vec(1, 2), "y"), type("Dyn", (Vec,), {}).__mro__[1].__name__)
import inspect
say("inspect:", str(inspect.signature(ackermann)), inspect.isgeneratorfunction(primes), inspect.getsource(r).split("\n")[0])
import dis
say("code objects:", ackermann.__code__.co_argcount, ackermann.__code__.co_varnames, len(list(dis.get_instructions(depth))) > 3)
say("sys:", sys.version_info[:2], sys.getrecursionlimit(), sys.flags.utf8_mode, sys.flags.hash_randomization == 0 or "randomised",
    sys.byteorder, sys.float_info.dig, sys.float_repr_style)  # not hash_info: FNV on wasm32, SipHash-1-3 on x86_64
say("str(hash) stability:", hash("abc") == hash("abc"), hash(1.5) == hash(F(3, 2)) == hash(D("1.5")), hash(-1), hash(2**40) > 0)
say("done,", checks + 1, "checks")

# ---- the end: an uncaught exception, its traceback (through the stdlib) on stderr, exit status 1 --------------
def final(config):
    try:
        return config["missing"]
    except KeyError:
        return json.loads(config["text"])


final({"text": "{'single': 'quotes'}"})
