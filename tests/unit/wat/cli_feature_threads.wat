;; Threads (wat2wasm --enable-threads): refused for its shared memory (cli/feature-*).
(module
  (memory 1 1 shared)
  (func (export "_start") (drop (i32.atomic.load (i32.const 0)))))
