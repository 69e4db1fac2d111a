;; Multiple memories (wat2wasm --enable-multi-memory): refused (cli/feature-*).
(module
  (memory 1)
  (memory 1)
  (func (export "_start")))
