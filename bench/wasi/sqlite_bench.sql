-- bench/wasi/time_programs.sh: the sqlite3 shell's workload (a fresh database file in the work
-- directory). Prints a few aggregates, which must be the same on every engine.
PRAGMA cache_size = -32768;
PRAGMA synchronous = OFF; -- time the engine, not the disk
CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, grp INTEGER, name TEXT, x REAL);
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
INSERT INTO t(k, grp, name, x)
  SELECT (i * 2654435761) % 1000003, i % 97, printf('name-%08d-%s', (i * 7919) % 100003, hex(i)),
         (i % 1000) / 7.0
  FROM n;
COMMIT;
CREATE INDEX t_k ON t(k);
CREATE INDEX t_grp_name ON t(grp, name);
SELECT count(*), sum(k), round(sum(x), 3), max(name) FROM t;
SELECT grp, count(*), min(k), max(k), round(avg(x), 6) FROM t GROUP BY grp ORDER BY sum(k) DESC LIMIT 5;
SELECT count(*), sum(b.grp) FROM t a JOIN t b ON b.id = a.k % 100000 + 1 WHERE a.grp < 50;
SELECT count(*), sum(length(name)) FROM t WHERE name LIKE '%-0001%' OR name GLOB '*F?';
SELECT name FROM t ORDER BY substr(name, 14), k LIMIT 3;
UPDATE t SET x = x * 2, name = upper(name) WHERE grp % 3 = 0;
DELETE FROM t WHERE k % 11 = 0;
SELECT count(*), round(total(x), 3), sum(length(name)) FROM t;
SELECT grp, group_concat(k % 10, '') FROM (SELECT grp, k FROM t WHERE id < 2000 ORDER BY k) GROUP BY grp ORDER BY grp LIMIT 3;
SELECT sum(rn) FROM (SELECT row_number() OVER (PARTITION BY grp ORDER BY k DESC) AS rn FROM t WHERE id % 4 = 0);
PRAGMA integrity_check;
