-- real/lua: what Lua 5.4 does with setjmp/longjmp (every error, every pcall, every coroutine
-- resume and yield goes through them), plus the library around it. Run as
--   lua test.lua DIR
-- with DIR a writable directory (the preopened /work under WASI). Prints one line per check;
-- the wasm build (setjmp/longjmp lowered onto Wasm exception handling) must print exactly what
-- the native build prints, to stdout and stderr, and end with the same runtime error (exit 1).
-- Nothing printed depends on addresses, time or the platform's errno numbers.
local DIR = assert(arg[1], "usage: lua test.lua DIR")
local checks = 0
local function say(fmt, ...)
  checks = checks + 1
  io.write(string.format("%3d ", checks), string.format(fmt, ...), "\n")
end
local function show(v)
  local t = type(v)
  if t == "string" then return string.format("%q", v) end
  if t == "number" then return math.type(v) .. " " .. tostring(v) end
  if t == "table" or t == "function" or t == "thread" or t == "userdata" then return t end
  return tostring(v)
end

-- ---- error objects of every type, through pcall and xpcall ----
local objects = {
  nil, true, false, 0, -7, 3.25, 1e300, -0.0, math.huge, "a string", "", {code = 42},
  print, coroutine.create(function() end), io.stdout, math.maxinteger, math.mininteger,
}
for i = 1, 17 do
  local v = objects[i]
  local ok, e = pcall(error, v)
  local ok2, e2 = xpcall(function() error(v, 0) end, function(m) return {wrapped = m} end)
  say("error(%s): pcall %s %s, same %s; xpcall %s %s", show(v), ok, show(e), rawequal(e, v) or
      (v ~= v and e ~= e), ok2, type(e2) == "table" and show(e2.wrapped) or "?")
end
say("error with level 1: %s", select(2, pcall(function() error("here") end)))
say("error with level 2: %s", select(2, pcall(function() local function f() error("caller", 2) end f() end)))
say("error(tbl) keeps identity: %s", (function() local t = {} local _, e = pcall(error, t) return e == t end)())
say("runtime errors: %s | %s | %s", select(2, pcall(function() return 1 + {} end)),
    select(2, pcall(function() local s = "x" return s.y.z end)),
    select(2, pcall(function() return #nil end)))
say("integer errors: %s | %s", select(2, pcall(function() return 1 // 0 end)),
    select(2, pcall(function() return 1 % 0 end)))
say("string->int: %s", select(2, pcall(function() return ("abc") | 1 end)))
say("tostring(nil)..: %s", select(2, pcall(function() return "a" .. nil end)))
say("error in xpcall handler: %s", show(select(2, xpcall(error, function() error("again") end, "first"))))
say("pcall(nil): %s %s", pcall(nil))
say("assert: %s | %s", select(2, pcall(assert, false)), select(2, pcall(assert, nil, "custom")))
say("select('#', pcall(error)): %d", select("#", pcall(error)))

-- ---- deep: Lua recursion 5000 frames deep, one pcall at the top ----
local function down(n) if n == 0 then error("bottom reached") end return down(n - 1) + 1 end
say("5000 deep: %s", select(2, pcall(down, 5000)))
local function down_tbl(n) if n == 0 then error({depth = 0}) end local r = down_tbl(n - 1) return r end
say("20000 deep, table error: %s", select(2, pcall(down_tbl, 20000)).depth)
-- nested pcalls: each one is a C call and a setjmp; Lua allows about 200 C levels (LUAI_MAXCCALLS)
local function nest(n, at)
  if n == at then error("at " .. n) end
  local ok, e = pcall(nest, n + 1, at)
  if not ok then error(e, 0) end
  return e
end
for _, at in ipairs({1, 50, 150, 180}) do say("nested pcall %d: %s", at, select(2, pcall(nest, 1, at))) end
say("too many C levels: %s", select(2, pcall(nest, 1, 100000)))
-- every level catches and rethrows a new error: 1000 errors raised in sequence
local function chain(n)
  if n == 0 then error(0) end
  local ok, e = pcall(chain, n - 1)
  error(e + 1, 0)
end
local total = 0
for _ = 1, 10 do total = total + select(2, pcall(chain, 100)) end
say("1010 chained errors: %d", total)
local count = 0
for i = 1, 100000 do if not pcall(error, i) then count = count + 1 end end
say("100000 pcall/error pairs: %d", count)
-- infinite Lua recursion: the stack overflow is an error too
local function inf(n) return inf(n + 1) + 1 end
local ok, e = pcall(inf, 1)
say("stack overflow: %s %s", ok, (e:gsub("^.-:%d+: ", "")))
local function xinf() return xinf() + 1 end
local ok2, e2 = xpcall(xinf, function(m) return "handled: " .. m:gsub("^.-:%d+: ", "") end)
say("stack overflow in xpcall: %s %s", ok2, e2)

-- ---- errors in metamethods ----
local mt = {}
mt.__index = function(t, k) if k == "bad" then error("no field " .. k) end return k .. "!" end
mt.__newindex = function(t, k, v) error("read-only: " .. tostring(k)) end
mt.__add = function(a, b) error({op = "add"}) end
mt.__eq = function(a, b) error("eq called") end
mt.__lt = function(a, b) error("lt called") end
mt.__le = function(a, b) return true end
mt.__concat = function(a, b) error("concat", 2) end
mt.__call = function(self, x) if x < 0 then error("negative call") end return x * 2 end
mt.__len = function() error("len") end
mt.__unm = function() return "neg" end
mt.__tostring = function() error("tostring fails") end
mt.__close = function(o, err) io.write("    closing with ", show(err), "\n") end
local a, b = setmetatable({}, mt), setmetatable({}, mt)
say("__index ok: %s; bad: %s", a.good, select(2, pcall(function() return a.bad end)))
say("__newindex: %s", select(2, pcall(function() a.x = 1 end)))
say("__add: %s", select(2, pcall(function() return a + 1 end)).op)
say("__eq: %s", select(2, pcall(function() return a == b end)))
say("__lt: %s; __le: %s", select(2, pcall(function() return a < b end)), a <= b)
say("__concat: %s", select(2, pcall(function() return a .. "x" end)))
say("__call: %s; error: %s", a(21), select(2, pcall(a, -1)))
say("__len: %s; __unm: %s", select(2, pcall(function() return #a end)), -a)
say("__tostring: %s", select(2, pcall(tostring, a)))
say("__index chain 100 deep: %s", (function()
  local base = setmetatable({}, {__index = function(_, k) error("end of chain " .. k) end})
  for _ = 1, 100 do base = setmetatable({}, {__index = base}) end
  return select(2, pcall(function() return base.key end))
end)())
-- to-be-closed variables: closed on error too, the error goes on
local function with_close(fail)
  local x <close> = setmetatable({}, mt)
  if fail then error("inside close scope") end
  return "no error"
end
say("close normal: %s", with_close(false))
say("close on error: %s", select(2, pcall(with_close, true)))
say("close error replaces: %s", select(2, pcall(function()
  local y <close> = setmetatable({}, {__close = function() error("close failed") end})
  error("original")
end)))
-- errors in __gc are warnings (stderr), not errors
warn("@on")
do
  setmetatable({}, {__gc = function() error("in finalizer") end})
end
collectgarbage()
collectgarbage()
warn("@off")
say("after __gc error: still running")

-- ---- coroutines ----
local co = coroutine.create(function(x, y)
  local z = coroutine.yield(x + y)
  local ok, w = pcall(function()
    local v = coroutine.yield(z * 2) -- a yield across pcall (5.4)
    error("inside pcall inside coroutine: " .. v)
  end)
  coroutine.yield(w)
  error({final = true})
end)
say("resume 1: %s %s", coroutine.resume(co, 1, 2))
say("resume 2: %s %s", coroutine.resume(co, 10))
say("resume 3: %s %s", coroutine.resume(co, "v"))
local okr, er = coroutine.resume(co)
say("resume 4: %s %s; status %s", okr, type(er) == "table" and er.final, coroutine.status(co))
say("resume dead: %s %s", coroutine.resume(co))
local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end error("wrap done") end)
say("wrap: %d %d %d %s", gen(), gen(), gen(), select(2, pcall(gen)))
say("yield outside: %s", select(2, pcall(coroutine.yield, 1)))
say("resume running: %s", select(2, coroutine.resume(coroutine.running())))
-- generators nested 100 deep, each yielding through the others; errors thrown from the innermost
local function nested_gen(n)
  return coroutine.wrap(function()
    if n == 0 then
      for i = 1, 5 do coroutine.yield(i) end
      error("innermost exhausted")
    end
    local inner = nested_gen(n - 1)
    while true do coroutine.yield(inner() * 2 % 1000003) end
  end)
end
local g = nested_gen(100)
local vals = {}
for _ = 1, 5 do vals[#vals + 1] = g() end
local gmsg = select(2, pcall(g))
local gtail, glevels = gmsg:gsub("[^ ]*test%.lua:%d+: ", "")
say("100 nested generators: %s; then '%s' through %d positions", table.concat(vals, ","), gtail, glevels)
-- coroutine.close with pending to-be-closed variables, and a close error
local cc = coroutine.create(function()
  local r <close> = setmetatable({}, {__close = function(_, e) io.write("    cc closed: ", show(e), "\n") end})
  coroutine.yield("suspended")
end)
coroutine.resume(cc)
say("close suspended: %s; status %s", coroutine.close(cc), coroutine.status(cc))
local ce = coroutine.create(function() error("dies") end)
coroutine.resume(ce)
say("close dead with error: %s %s", coroutine.close(ce))
-- a yield across pcall in a loop: 1000 coroutines, each yields 10 times from inside 3 pcalls
local sum = 0
for i = 1, 1000 do
  local c = coroutine.wrap(function()
    pcall(function() pcall(function() pcall(function()
      for j = 1, 10 do coroutine.yield(i * j) end
      error("done")
    end) end) end)
    return -1
  end)
  for _ = 1, 10 do sum = sum + c() end
  sum = sum + c()
end
say("1000 coroutines x 10 yields across pcall: %d", sum)
-- table.sort with an erroring comparator, string.gsub with an erroring callback
say("sort error: %s", select(2, pcall(table.sort, {3, 1, 2}, function(x, y) error("cmp " .. x .. y) end)))
say("invalid order: %s", select(2, pcall(table.sort, {5, 4, 3, 2, 1, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, function() return true end)))
say("gsub callback error: %s", select(2, pcall(string.gsub, "abc", "%w", function(c) if c == "b" then error("at b") end end)))
say("load error: %s", select(2, load("return +")))
say("load runtime error: %s", select(2, pcall(load("local x = nil; return x()", "=chunk"))))

-- ---- strings ----
say("format: [%s]", string.format("%5d|%-5d|%05.1f|%x|%X|%o|%e|%g|%g|%c|%10.3s|%%", 42, 42, 3.14159, 255, 255, 8, 12345.678, 1e20, 0.1, 65, "abcdef"))
say("format %%q: %s", string.format("%q", "line1\nline2\0tab\t\"quoted\"\\"))
say("format %%q numbers: %s %s %s", string.format("%q", 1 / 3), string.format("%q", math.mininteger), string.format("%q", 2 ^ 63))
say("format %%i: %s; %s", string.format("%i", -0), string.format("%.14g", 2 ^ 53 + 1))
say("format errors: %s | %s", select(2, pcall(string.format, "%d", 1.5)), select(2, pcall(string.format, "%y", 1)))
say("find: %s %s", string.find("hello world", "o w"))
say("find plain: %s %s", string.find("a.b.c", ".", 2, true))
say("match: %s %s %s", string.match("key = value # comment", "^(%w+)%s*=%s*(%w+)%s*#%s*(.*)$"))
say("gmatch: %s", (function() local t = {} for k, v in string.gmatch("a=1, b=22, ccc=333", "(%w+)=(%w+)") do t[#t + 1] = k .. ":" .. v end return table.concat(t, ";") end)())
say("gsub: %s %d", string.gsub("hello world from lua", "(%w+)", "<%1>"))
say("gsub table/function: %s | %s", (string.gsub("$name is $age", "%$(%w+)", {name = "Ann", age = 7})), (string.gsub("abc", "%w", function(c) return c:byte() end)))
say("balanced/frontier: %s | %s", string.match("f(a(b)c)d", "%b()"), (string.gsub("THE (quick) fox", "%f[%a]%a+", "W")))
say("anchors/classes: %s %s %s", ("  trim me  "):match("^%s*(.-)%s*$"), ("x123y"):match("%d+"), ("CamelCaseWord"):gsub("%u", "_%0"))
say("rep/reverse/upper: %s %s %s", ("ab"):rep(3, "-"), ("stressed"):reverse(), ("MiXeD"):lower() .. ("MiXeD"):upper())
say("byte/char/len: %s %s %d %d", ("ABC"):byte(1, -1), string.char(72, 105), #"\u{10FFFF}", utf8.len("héllo wörld"))
say("utf8: %s %s", utf8.char(72, 228, 8364, 128512), table.concat({utf8.codepoint("aé€", 1, -1)}, ","))
say("pack/unpack: %s", table.concat({string.unpack("<i4 >I2 z d", string.pack("<i4 >I2 z d", -2, 513, "zs", 0.5))}, ","))
say("malformed pattern: %s", select(2, pcall(string.find, "x", "[a")))
say("string too large: %s", select(2, pcall(string.rep, "x", math.maxinteger)))
local parts = {}
for i = 1, 2000 do parts[i] = string.format("%04d", i * 7 % 10000) end
local big = table.concat(parts, ",")
local sumd = 0
for d in big:gmatch("%d") do sumd = sumd + tonumber(d) end
say("big string: len %d digits sum %d, %d commas", #big, sumd, select(2, big:gsub(",", ",")))

-- ---- numbers ----
say("integer wrap: %d %d %d", math.maxinteger + 1 == math.mininteger and 1 or 0, math.mininteger // -1, math.maxinteger * 2)
say("floor div/mod: %d %d %d %d | %s %s", 7 // 2, -7 // 2, 7 % -3, -7 % 3, 7.5 // 2, -7.5 % 2)
say("float: %.17g %.17g %.17g %s", 0.1 + 0.2, 1 / 3, math.pi, 1e308 * 10)
say("nan/inf: %s %s %s %s", tostring(0 / 0):gsub("-", ""), -math.huge, math.huge // 1, 0.0 == -0.0)
say("tointeger: %s %s %s %s", math.tointeger(3.0), math.tointeger(3.5), math.tointeger("8"), 2 ^ 53 | 0)
say("conversions: %s %s %s %s %s", tonumber("0x1p4"), tonumber("  10  "), tonumber("z", 36), tonumber("1e1"), tonumber("0x7fffffffffffffff"))
say("string arith: %s %s %s", "10" + 5, "3.0" * "2", 10 .. 20)
say("bitwise: %d %d %d %d %d", 0xF0 & 0x3C, 0xF0 | 0x0F, 0xFF ~ 0x0F, ~0, 1 << 62 >> 61)
say("math: %.10f %.10f %.10f %.10f %d %d", math.sqrt(2), math.sin(1), math.exp(1), math.log(100, 10), math.floor(-3.5), math.ceil(-3.5))
say("fmod/abs/ult: %s %s %s %s", math.fmod(-7, 3), math.fmod(7, -3.0), math.abs(math.mininteger), math.ult(1, -1))
say("compare int/float: %s %s %s", 1 == 1.0, math.maxinteger + 0.0 == math.maxinteger, math.maxinteger < math.huge)
math.randomseed(42, 7)
local rs = {}
for i = 1, 8 do rs[i] = math.random(1000) end
say("random(42,7): %s %s %.15f", table.concat(rs, ","), math.random(math.mininteger, math.maxinteger), math.random())
local acc = 0
for i = 1, 200000 do acc = (acc * 31 + i) % 1000000007 end
local facc = 0.0
for i = 1, 100000 do facc = facc + 1 / i end
say("loops: %d %.15f", acc, facc)
local fib = {1, 1}
for i = 3, 90 do fib[i] = fib[i - 1] + fib[i - 2] end
say("fib(90) = %d", fib[90])

-- ---- tables ----
local t = {}
for i = 1, 1000 do t[i] = (i * 7919) % 1009 end
table.sort(t)
say("sort: %d %d %d", t[1], t[500], t[1000])
table.sort(t, function(x, y) return x > y end)
say("sort desc: %d %d", t[1], t[1000])
say("insert/remove/move: %s", (function()
  local u = {1, 2, 3}
  table.insert(u, 2, 9) table.insert(u, 7) table.remove(u, 1)
  table.move(u, 1, 3, 2)
  return table.concat(u, ",")
end)())
say("unpack/pack: %s %d", select(3, table.unpack({1, 2, 3, 4})), table.pack(1, nil, 3).n)
local keys = {}
for k in pairs({alpha = 1, beta = 2, gamma = 3, [1] = "x", [2] = "y"}) do keys[#keys + 1] = tostring(k) end
table.sort(keys)
say("pairs keys: %s", table.concat(keys, " "))
say("next after last: %s", select(2, pcall(next, {}, "nokey")))

-- ---- io and os in DIR ----
local path = DIR .. "/lua-io.txt"
local f = assert(io.open(path, "w"))
f:write("first line\n", 42, " ", 3.5, "\n", "third\n")
for i = 1, 100 do f:write(string.format("row %03d %s\n", i, ("*"):rep(i % 7))) end
f:close()
say("io.type: %s %s %s", io.type(f), io.type(io.stdout), io.type(42))
f = assert(io.open(path, "r"))
say("read l/n/n/L: %s | %s %s | %s", f:read("l"), f:read("n"), f:read("n"), show(f:read("L")))
say("read l: %s; seek: %d", f:read("l"), f:seek("cur"))
local rest = f:read("a")
say("read a: %d bytes, %d lines", #rest, select(2, rest:gsub("\n", "")))
say("read at eof: %s %s", f:read("l"), show(f:read("a")))
say("seek set/end: %d %d %s", f:seek("set", 6), f:seek("end"), f:seek("set", 0) and f:read(5))
f:close()
say("closed file: %s", select(2, pcall(f.read, f)))
local n = 0
for line in io.lines(path) do if line:find("%*%*%*") then n = n + 1 end end
say("io.lines: %d lines with ***", n)
local cnt = 0
for a, b in io.lines(path, 3, "l") do cnt = cnt + 1 if cnt > 3 then break end end
say("io.lines formats: %d", cnt)
f = assert(io.open(path, "a+"))
f:write("appended\n")
f:seek("set")
say("a+: first %s", f:read("l"))
f:close()
local bin = DIR .. "/lua-bin.dat"
f = assert(io.open(bin, "wb"))
for i = 0, 255 do f:write(string.char(i)) end
f:setvbuf("full", 64)
f:write(string.pack(">I4", 0xDEADBEEF))
f:close()
f = assert(io.open(bin, "rb"))
local data = f:read("a")
f:close()
local h = 0
for i = 1, #data do h = (h * 131 + data:byte(i)) % 4294967296 end
say("binary: %d bytes hash %d", #data, h)
say("rename: %s", os.rename(bin, DIR .. "/lua-bin2.dat"))
say("open missing: %s", (select(2, io.open(DIR .. "/no/such/file", "r")):gsub("^.*/no/such/file", "NOFILE")))
say("remove missing: %s", (select(2, os.remove(DIR .. "/nothing-here")):gsub("^.*/nothing%-here", "NOFILE")))
say("remove: %s %s", os.remove(DIR .. "/lua-bin2.dat"), io.open(DIR .. "/lua-bin2.dat") == nil)
say("io.open bad mode: %s", select(2, pcall(io.open, path, "rw")))
say("os.time: %d %d", os.time({year = 2024, month = 2, day = 29, hour = 12, min = 30, sec = 15}),
    os.time({year = 2000, month = 13, day = 1, hour = 0}))
say("os.date: %s | %s", os.date("!%Y-%m-%d %H:%M:%S %j %a %b", 1700000000), os.date("!%c", 0))
local d = os.date("!*t", 86400 * 365)
say("os.date *t: %d-%d-%d %d:%d wday %d yday %d", d.year, d.month, d.day, d.hour, d.min, d.wday, d.yday)
say("os.difftime: %s", os.difftime(os.time({year = 2020, month = 1, day = 2, hour = 0}), os.time({year = 2020, month = 1, day = 1, hour = 0})))
say("os.getenv: %s %s", os.getenv("HOME") ~= nil, os.getenv("SURELY_NOT_SET_ANYWHERE"))
say("os.tmpname: %s", select(2, pcall(os.tmpname)))
say("os.clock is a number: %s", math.type(os.clock()))
say("io.write returns file: %s", io.write("") == io.stdout)
io.stderr:write("to stderr: a line\n")
say("require missing: %s", (select(2, pcall(require, "no_such_module")):match("^[^\n]*")))
say("string.dump/load: %s", load(string.dump(function(x) return x * 3 end))(14))
collectgarbage("collect")
say("gc count is a number: %s; done, %d checks", math.type(collectgarbage("count")), checks + 1)

-- ---- the end: an uncaught runtime error, three calls deep (stderr and exit status 1) ----
local function final(k)
  if k == 0 then
    local missing = nil
    return missing.field
  end
  return final(k - 1) + 1
end
final(3)
