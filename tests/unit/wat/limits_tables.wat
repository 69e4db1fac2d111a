;; Two tables of 600 elements: 1,200 in the store.
(module
  (table 600 funcref)
  (table 600 funcref))
