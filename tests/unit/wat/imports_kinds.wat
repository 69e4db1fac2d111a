;; One import of each kind but func, for the link errors' wording (errors_test).
(module
  (import "env" "t" (table 2 funcref))
  (import "env" "mem" (memory 1 2))
  (import "env" "g" (global (mut i64))))
