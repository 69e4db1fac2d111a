-- Run by tests/realprograms/run_test.sh sqlite3: the sqlite3 shell reads this on stdin with the
-- database @DIR@/test.db; @DIR@ is the work directory (/work in the wasm guest). Everything it
-- prints, the files it writes and the database file are compared with the native build's.
.bail off
.headers on
.mode list
PRAGMA page_size = 4096;
PRAGMA journal_mode;
CREATE TABLE dept(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, budget REAL);
CREATE TABLE emp(id INTEGER PRIMARY KEY, name TEXT, dept INTEGER REFERENCES dept(id),
                 salary INTEGER, hired TEXT, data BLOB);
INSERT INTO dept VALUES (1,'eng',1.5e6),(2,'ops',250000.25),(3,'sales',NULL),(4,'empty',0);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 2000)
INSERT INTO emp(name, dept, salary, hired, data)
  SELECT printf('emp%04d', i), 1 + i % 3, 30000 + (i * 7919) % 50000,
         date('2000-01-01', '+' || (i * 37 % 8000) || ' days'), zeroblob(i % 17) || x'cafe'
  FROM n;
CREATE INDEX emp_dept_salary ON emp(dept, salary DESC);
SELECT count(*), sum(salary), min(hired), max(hired), total(length(data)) FROM emp;
SELECT d.name, count(e.id) AS n, avg(e.salary) AS avg, max(e.salary) AS max
  FROM dept d LEFT JOIN emp e ON e.dept = d.id GROUP BY d.id ORDER BY n DESC, d.name;
SELECT name, salary, rank() OVER w AS r, sum(salary) OVER w AS running
  FROM emp WHERE dept = 2 WINDOW w AS (ORDER BY salary DESC, id) LIMIT 8;
SELECT strftime('%Y', hired) AS y, count(*) FROM emp GROUP BY y HAVING count(*) > 80 ORDER BY y;
SELECT printf('%08.3f|%-6s|%x|%e|%g', 3.14159, 'ab', 255, 12345.678, 1e-7), round(2.5), round(-2.5),
       10 / 3, 10 / 3.0, 7 % 3, 1 << 40, typeof(1e308 * 10), -9223372036854775808 / -1;
SELECT sqrt(2), pow(2, 0.5), ln(10), log10(1000), sin(1), atan2(1, 2), ceil(-1.5), floor(-1.5);
SELECT upper('straße'), lower('ÀÉÎ'), length('日本語'), hex('日本'), unicode('€'), char(0x263a),
       substr('abcdef', -3, 2), instr('banana', 'nan'), replace('a-b-c', '-', '+'), trim('  x  '),
       quote('it''s'), like('A%', 'abc'), glob('*.c', 'x.c'), 'abc' < 'abd';
SELECT json_object('a', 1, 'b', json_array(1, 2.5, 'x', NULL)), json_extract('{"p":{"q":[5,6]}}', '$.p.q[1]');
SELECT key, value, type FROM json_each('{"x":1,"y":[true,false],"z":"s"}');
SELECT group_concat(name, ',') FROM (SELECT name FROM emp WHERE salary > 79900 ORDER BY name);
CREATE TABLE kv(k TEXT PRIMARY KEY, v) WITHOUT ROWID;
INSERT INTO kv SELECT 'key' || (value * 13 % 101), value FROM generate_series(1, 100);
INSERT INTO kv VALUES ('key1', 'dup');
INSERT OR REPLACE INTO kv VALUES ('key1', 'replaced');
SELECT k, v FROM kv ORDER BY k LIMIT 5;
UPDATE emp SET salary = salary + 1000 WHERE dept = 3 AND salary < 35000;
SELECT changes(), total_changes() > 0;
DELETE FROM emp WHERE id % 5 = 0;
SELECT count(*) FROM emp;
BEGIN;
INSERT INTO dept VALUES (5, 'tmp', 1);
SAVEPOINT sp; DELETE FROM dept; ROLLBACK TO sp; RELEASE sp;
ROLLBACK;
SELECT count(*) FROM dept;
CREATE VIRTUAL TABLE docs USING fts5(title, body);
INSERT INTO docs VALUES ('wasm', 'WebAssembly is a binary instruction format for a stack-based virtual machine'),
  ('wasi', 'The WebAssembly System Interface gives modules files, clocks and random numbers'),
  ('sqlite', 'SQLite is a C library that implements a small, fast, self-contained SQL database engine');
SELECT title, snippet(docs, 1, '[', ']', '...', 5) FROM docs WHERE docs MATCH 'webassembly' ORDER BY rank;
CREATE VIRTUAL TABLE box USING rtree(id, x0, x1, y0, y1);
INSERT INTO box SELECT value, value, value + 2.5, value * 2, value * 2 + 1 FROM generate_series(1, 50);
SELECT id FROM box WHERE x0 <= 10 AND x1 >= 9 AND y0 <= 30 ORDER BY id;
CREATE TRIGGER emp_audit AFTER UPDATE OF salary ON emp BEGIN
  INSERT INTO kv VALUES ('audit' || new.id, old.salary || '->' || new.salary);
END;
UPDATE emp SET salary = 99999 WHERE id IN (1, 2, 3);
SELECT k, v FROM kv WHERE k LIKE 'audit%' ORDER BY k;
CREATE VIEW rich AS SELECT name, salary FROM emp WHERE salary >= 79000;
SELECT * FROM rich ORDER BY salary DESC, name LIMIT 3;
SELECT * FROM nosuchtable;
SELECT 1 +;
INSERT INTO dept VALUES (1, 'dup', 0);
SELECT 'after errors';
.mode box
SELECT id, name, budget FROM dept ORDER BY id;
.mode json
SELECT id, name, hex(data) AS data FROM emp WHERE id < 4;
.mode csv
.output @DIR@/dept.csv
SELECT * FROM dept ORDER BY id;
.output stdout
CREATE TABLE imported(id, name, budget);
.import --skip 1 @DIR@/dept.csv imported
SELECT count(*), sum(budget) FROM imported;
.mode column
.width 6 12 10
SELECT id, name, budget FROM dept ORDER BY id;
.mode list
.schema dept
.tables
.indexes emp
.once @DIR@/dump.sql
.dump dept kv
.read @DIR@/extra.sql
VACUUM INTO '@DIR@/copy.db';
.backup @DIR@/backup.db
PRAGMA integrity_check;
ANALYZE;
SELECT tbl, idx FROM sqlite_stat1 ORDER BY tbl, idx;
EXPLAIN QUERY PLAN SELECT name FROM emp WHERE dept = 2 AND salary > 50000;
SELECT (SELECT count(*) FROM emp) AS emp_rows, (SELECT count(*) FROM kv) AS kv_rows;
