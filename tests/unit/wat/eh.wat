;; Exception handling in the legacy form clang 19 emits (wat2wasm 1.0.32 knows no try_table):
;; unit/exceptions throws across frames, to and from the host, and checks the limits.
(module
  (import "env" "host_throw" (func $host_throw (param i32)))
  (import "env" "host_tail" (func $host_tail (param i32)))
  (import "env" "call_back" (func $call_back (param i32) (result i32)))
  (import "env" "htag" (tag $htag (param i32)))
  (tag $e (export "e") (param i32))
  (tag $e0 (export "e0"))
  (tag $big (param i64 f64 i32))

  ;; n frames down, then a throw of $e 42
  (func $down (param i32)
    (if (local.get 0)
      (then (call $down (i32.sub (local.get 0) (i32.const 1))))
      (else (throw $e (i32.const 42)))))
  (func (export "catch_deep") (param i32) (result i32)
    (try (result i32)
      (do (call $down (local.get 0)) (i32.const 0))
      (catch $e)))
  (func (export "throw_deep") (param i32) (call $down (local.get 0)))

  (func (export "uncaught") (param i32) (throw $e (local.get 0)))
  (func (export "uncaught_big") (throw $big (i64.const -5) (f64.const 2.5) (i32.const 9)))

  ;; the host's tag, thrown by the host, caught here
  (func (export "catch_host") (param i32) (result i32)
    (try (result i32)
      (do (call $host_throw (local.get 0)) (i32.const -1))
      (catch $htag (i32.add (i32.const 1)))
      (catch_all (i32.const -2))))
  ;; a host function tail-called from inside a try: the try no longer applies
  (func $tail_in_try (param i32) (try (do (return_call $host_tail (local.get 0))) (catch_all)))
  (func (export "host_tail_escapes") (param i32) (result i32)
    (try (result i32)
      (do (call $tail_in_try (local.get 0)) (i32.const -1))
      (catch $htag)))
  ;; the host calls back into "uncaught" and catches what escapes, or lets it through
  (func (export "through_host") (param i32) (result i32)
    (try (result i32)
      (do (call $call_back (local.get 0)))
      (catch $e (i32.add (i32.const 1000)))))

  ;; a throw caught by the catch_all arm of an enclosing loop: spends fuel every round
  (func (export "spin")
    (loop $l
      (try (do (throw $e0)) (catch_all (br $l)))))
  ;; n exceptions live at once: each level keeps the one it caught (rethrow's operand)
  (func $hold (param i32) (result i32)
    (try (result i32)
      (do (throw $e (local.get 0)))
      (catch $e (drop)
        (if (result i32) (i32.eqz (local.get 0))
          (then (i32.const 0))
          (else (i32.add (call $hold (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))))))
  (func (export "hold") (param i32) (result i32) (call $hold (local.get 0)))
  ;; one million throws caught one by one: the dead ones are collected
  (func (export "churn") (param i32) (result i32) (local i32)
    (loop $l
      (try (do (throw $e (local.get 1))) (catch $e (local.set 1 (i32.add (i32.const 1)))))
      (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
    (local.get 1))
  ;; rethrow keeps the exception: the outer catch sees the inner's payload
  (func (export "rethrow") (param i32) (result i32)
    (try (result i32)
      (do (try (do (throw $e (local.get 0))) (catch $e (drop) (rethrow 0))) (i32.const -1))
      (catch $e)))
  ;; delegate: the inner try hands its exception to the outer one's catch
  (func (export "delegate") (param i32) (result i32)
    (try $outer (result i32)
      (do (try (do (throw $e (local.get 0))) (delegate $outer)) (i32.const -1))
      (catch $e (i32.mul (i32.const 2)))))
)
