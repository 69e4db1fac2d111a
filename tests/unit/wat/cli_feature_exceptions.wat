;; Exception handling (wat2wasm --enable-exceptions): refused for its tag section (cli/feature-*).
(module
  (tag $e (param i32))
  (func (export "_start") (try (do (throw $e (i32.const 1))) (catch $e drop))))
