#!/usr/bin/env bash
# Checks that every ```cpp block of the given Markdown files is a region of a compiled snippet
# file, character for character. A block is preceded by its marker line
#   <!-- snippet: snippets/FILE.cpp#NAME -->
# (the path relative to the Markdown file) and must equal the lines between "// [NAME]" and
# "// [/NAME]" in FILE.cpp, less the indentation of the "// [NAME]" line. A ```cpp block without
# a marker fails too: every C++ snippet of the docs is compiled (target docs_snippets).
# Usage: check_snippets.sh GUIDE.md...
set -u
status=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# region FILE NAME: the region's lines, dedented; exit 1 when FILE has no such region.
region() {
  awk -v name="$2" '
    !inside && $0 ~ "^[ \t]*// \\[" name "\\][ \t]*$" { inside = 1; match($0, /^[ \t]*/); cut = RLENGTH; found = 1; next }
    inside && $0 ~ "^[ \t]*// \\[/" name "\\][ \t]*$" { inside = 0; next }
    inside { print substr($0, 1, cut) ~ /^[ \t]*$/ ? substr($0, cut + 1) : $0 }
    END { exit found ? 0 : 1 }' "$1"
}

for md in "$@"; do
  dir=$(dirname "$md")
  # Split the Markdown into its cpp blocks: tmp/N.ref holds the marker ("" when none), tmp/N.md the block.
  rm -f "$tmp"/*
  awk -v out="$tmp" '
    /^<!-- snippet: .* -->$/ { ref = $3; next }
    /^```cpp[ \t]*$/ { n++; inside = 1; printf "%s", ref > (out "/" n ".ref"); close(out "/" n ".ref");
                       printf "" > (out "/" n ".md"); ref = ""; next }
    inside && /^```[ \t]*$/ { inside = 0; close(out "/" n ".md"); next }
    inside { print > (out "/" n ".md") }
    /./ { ref_keep = 1 }' "$md"
  blocks=0
  for ref_file in "$tmp"/*.ref; do
    [ -e "$ref_file" ] || continue
    blocks=$((blocks + 1))
    n=$(basename "$ref_file" .ref)
    ref=$(cat "$ref_file")
    if [ -z "$ref" ]; then
      echo "$md: cpp block $n has no <!-- snippet: FILE#NAME --> marker before it"; status=1; continue
    fi
    file="$dir/${ref%%#*}"; name="${ref#*#}"
    if [ ! -f "$file" ]; then echo "$md: block $n: no file $file"; status=1; continue; fi
    if ! region "$file" "$name" > "$tmp/$n.want"; then
      echo "$md: block $n: $file has no region // [$name]"; status=1; continue
    fi
    if ! diff -u --label "$file#$name" --label "$md (block $n)" "$tmp/$n.want" "$tmp/$n.md"; then status=1; fi
  done
  echo "$md: $blocks cpp blocks checked"
done
[ "$status" -eq 0 ] && echo "every snippet matches its compiled source" || echo "snippets differ from their compiled sources"
exit "$status"
