-- Read with .read by test.sql (from the work directory).
SELECT 'extra.sql', count(*) FROM dept;
CREATE TABLE fib(n INTEGER PRIMARY KEY, f INTEGER);
WITH RECURSIVE fb(n, a, b) AS (SELECT 0, 0, 1 UNION ALL SELECT n + 1, b, a + b FROM fb WHERE n < 90)
INSERT INTO fib SELECT n, a FROM fb;
SELECT n, f FROM fib WHERE n IN (10, 50, 90);
