;; For the CLI's --max-table-elements: a table of 10, grown by n.
(module
  (table $t 10 funcref)
  (func (export "table_grow") (param $n i32) (result i32) (table.grow $t (ref.null func) (local.get $n))))
