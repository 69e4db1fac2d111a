;; Memory64 (wat2wasm --enable-memory64): refused for its 64-bit memory (cli/feature-*).
(module
  (memory i64 1)
  (func (export "_start")))
