;; Exception handling (wat2wasm --enable-exceptions): a throw caught in _start runs; "oops"
;; lets one escape (cli/exception-*).
(module
  (tag $e (export "e") (param i32))
  (func (export "_start") (try (do (throw $e (i32.const 1))) (catch $e drop)))
  (func (export "oops") (param i32) (throw $e (local.get 0))))
