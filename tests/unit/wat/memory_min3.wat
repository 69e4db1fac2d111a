;; A memory whose minimum (3 pages) exceeds a Config::max_memory_pages of 2.
(module (memory (export "mem") 3))
