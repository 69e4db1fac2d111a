#include "decode/decoder.h"

#include <string>

#include "decode/const_expr.h"
#include "decode/features.h"
#include "decode/types.h"

namespace corowasm::detail {

namespace {

enum class Phase : uint8_t {
  Header,         // waiting for magic + version
  SectionHeader,  // waiting for a section id and size
  Payload,        // waiting for a whole (non-code) section payload
  CodeCount,      // inside the code section: waiting for the body count
  CodeBody,       // inside the code section: waiting for the next body
  Failed,
};

// The sections of the binary format, in the order it requires them (tags sit between memory
// and global, data count before code; custom sections may stand anywhere).
struct SectionInfo {
  uint8_t id;
  const char* name;
};
constexpr SectionInfo kSections[] = {{0, "custom"},    {1, "type"},      {2, "import"}, {3, "function"}, {4, "table"},
                                     {5, "memory"},    {13, "tag"},      {6, "global"}, {7, "export"},   {8, "start"},
                                     {9, "element"},   {12, "datacount"}, {10, "code"}, {11, "data"}};

// The position of a non-custom section id in that order; -1 for custom and unknown ids.
int section_rank(uint8_t id) {
  for (size_t i = 1; i < std::size(kSections); ++i)
    if (kSections[i].id == id) return int(i);
  return -1;
}

}  // namespace

const char* section_name(uint8_t id) {
  for (const SectionInfo& s : kSections)
    if (s.id == id) return s.name;
  return nullptr;
}

struct ModuleDecoder::State {
  std::shared_ptr<ModuleData> m = std::make_shared<ModuleData>();
  std::vector<uint8_t>& buf = m->bytes;
  size_t pos = 0;  // everything before pos is parsed
  Phase phase = Phase::Header;
  int last_rank = 0;
  uint8_t section_id = 0;
  size_t section_start = 0, section_end = 0;
  uint32_t code_count = 0, code_done = 0;
  bool saw_function_section = false, saw_code_section = false;
  uint32_t declared_funcs = 0;  // from the function section
};

ModuleDecoder::ModuleDecoder(std::shared_ptr<const Config> config, BodyConsumer on_body)
    : on_body_(on_body), s_(std::make_unique<State>()) {
  s_->m->config = std::move(config);
}
ModuleDecoder::~ModuleDecoder() = default;

size_t ModuleDecoder::bytes_received() const { return s_->buf.size(); }

namespace {

// LEB128 u32 at `pos`: its length if complete in buf, 0 if more bytes may complete it.
size_t leb_length(const std::vector<uint8_t>& buf, size_t pos, size_t limit) {
  for (size_t i = 0; i < 5; ++i) {
    if (pos + i >= buf.size() || pos + i >= limit) return 0;
    if (!(buf[pos + i] & 0x80)) return i + 1;
  }
  return 5;  // let the Reader report the over-long encoding
}

// A memory's or a table's limits; flags past 1 belong to proposals (features.h) or are malformed.
Limits read_limits(Reader& r, bool memory, uint64_t max_allowed, const char* range_msg) {
  size_t at = r.offset();
  uint8_t flag = r.u8();
  if (flag > 1) {
    const char* why = unsupported_limits(flag, memory);
    r.fail_at(at, why ? why : "integer too large");
  }
  Limits l;
  l.min = r.u32();
  if (flag & 1) l.max = r.u32();
  if (l.min > max_allowed || (l.max && *l.max > max_allowed)) throw ValidationError(at, range_msg);
  if (l.max && *l.max < l.min) throw ValidationError(at, "size minimum must not be greater than maximum");
  return l;
}

TableType read_table_type(Reader& r) {
  TableType t;
  t.elem = read_ref_type(r);
  t.limits = read_limits(r, false, 0xFFFFFFFFull, "table size must be at most 2^32-1");
  return t;
}

MemoryType read_memory_type(Reader& r) {
  MemoryType t;
  t.limits = read_limits(r, true, 65536, "memory size must be at most 65536 pages (4GiB)");
  return t;
}

GlobalType read_global_type(Reader& r) {
  GlobalType g;
  g.type = read_val_type(r);
  size_t at = r.offset();
  uint8_t mut = r.u8();
  if (mut > 1) r.fail_at(at, "malformed mutability");
  g.mut = mut == 1;
  return g;
}

// A tag's type: attribute 0 (exception) and a function type without results.
uint32_t read_tag_type(Reader& r, const ModuleData& m) {
  size_t at = r.offset();
  if (r.u8() != 0x00) r.fail_at(at, "malformed tag attribute");
  size_t type_at = r.offset();
  uint32_t t = r.u32();
  if (t >= m.types.size()) throw ValidationError(type_at, "unknown type");
  if (!m.types[t].results.empty()) throw ValidationError(type_at, "non-empty tag result type");
  return t;
}

void note_refs(const ConstExpr& e, ModuleData& m) {
  for (auto& op : e)
    if (op.kind == ConstOp::RefFunc) m.declared_refs.insert(uint32_t(op.value));
}

// Implementation limits, those of the JS API (WebAssembly JS Interface, "Limits"): a module
// past one is refused with a ValidationError naming it, before anything is sized by it.
constexpr uint32_t kMaxTypes = 1'000'000, kMaxFunctions = 1'000'000, kMaxImports = 100'000,
                   kMaxExports = 100'000, kMaxGlobals = 1'000'000, kMaxDataSegments = 100'000,
                   kMaxElemSegments = 10'000'000, kMaxTables = 100'000, kMaxTags = 1'000'000, kMaxParams = 1'000, kMaxResults = 1'000,
                   kMaxTableInit = 10'000'000, kMaxFunctionBodyBytes = 7'654'321;

uint32_t limited(uint32_t n, uint64_t already, uint32_t max, const char* what, size_t at) {
  if (already + n > max)
    throw ValidationError(at, std::string("too many ") + what + ": " + std::to_string(already + n) +
                                  " (the implementation limit is " + std::to_string(max) + ")");
  return n;
}
// A count read from `r`, checked against its limit.
uint32_t read_count(Reader& r, uint64_t already, uint32_t max, const char* what) {
  size_t at = r.offset();
  return limited(r.u32(), already, max, what, at);
}

void parse_type_section(Reader& r, ModuleData& m) {
  uint32_t n = read_count(r, m.types.size(), kMaxTypes, "types");
  for (uint32_t i = 0; i < n; ++i) {
    size_t at = r.offset();
    if (uint8_t form = r.u8(); form != 0x60) {
      const char* why = unsupported_type_form(form);
      r.fail_at(at, why ? why : "malformed function type");
    }
    FuncType ft;
    uint32_t np = read_count(r, 0, kMaxParams, "parameters");
    for (uint32_t j = 0; j < np; ++j) ft.params.push_back(read_val_type(r));
    uint32_t nr = read_count(r, 0, kMaxResults, "results");
    for (uint32_t j = 0; j < nr; ++j) ft.results.push_back(read_val_type(r));
    m.type_ids.reserve(m.type_ids.size() + 1);  // no throw between acquiring and recording the id
    m.type_ids.push_back(acquire_type_id(ft));
    m.types.push_back(std::move(ft));
  }
}

void parse_import_section(Reader& r, ModuleData& m) {
  uint32_t n = read_count(r, 0, kMaxImports, "imports");
  for (uint32_t i = 0; i < n; ++i) {
    ImportEntry e;
    e.module = r.name();
    e.name = r.name();
    size_t at = r.offset();
    uint8_t kind = r.u8();
    switch (kind) {
      case 0:
        e.kind = ImportDesc::Func;
        e.type_index = r.u32();
        if (e.type_index >= m.types.size()) throw ValidationError(at, "unknown type");
        m.func_types.push_back(e.type_index);
        ++m.num_imported_funcs;
        break;
      case 1:
        e.kind = ImportDesc::Table;
        e.table = read_table_type(r);
        m.tables.push_back(e.table);
        ++m.num_imported_tables;
        break;
      case 2:
        e.kind = ImportDesc::Memory;
        e.memory = read_memory_type(r);
        m.memories.push_back(e.memory);
        ++m.num_imported_memories;
        if (m.memories.size() > 1) throw ValidationError(at, "multiple memories are not supported");
        break;
      case 3:
        e.kind = ImportDesc::Global;
        e.global = read_global_type(r);
        m.globals.push_back(e.global);
        ++m.num_imported_globals;
        break;
      case 4:
        e.kind = ImportDesc::Tag;
        e.type_index = read_tag_type(r, m);
        m.tag_types.push_back(e.type_index);
        ++m.num_imported_tags;
        break;
      default: {
        const char* why = unsupported_extern_kind(kind, true);
        r.fail_at(at, why ? why : "malformed import kind");
      }
    }
    m.imports.push_back(std::move(e));
  }
}

void parse_function_section(Reader& r, ModuleData& m, uint32_t& declared) {
  uint32_t n = read_count(r, m.func_types.size(), kMaxFunctions, "functions");
  declared = n;
  for (uint32_t i = 0; i < n; ++i) {
    size_t at = r.offset();
    uint32_t t = r.u32();
    if (t >= m.types.size()) throw ValidationError(at, "unknown type");
    m.func_types.push_back(t);
    m.codes.push_back(std::make_unique<FuncCode>());
  }
}

void parse_table_section(Reader& r, ModuleData& m) {
  uint32_t n = read_count(r, m.tables.size(), kMaxTables, "tables");
  for (uint32_t i = 0; i < n; ++i) {
    if (r.peek() == 0x40) r.fail_at(r.offset(), "typed function references (table initializer) are not supported");
    m.tables.push_back(read_table_type(r));
  }
}

void parse_memory_section(Reader& r, ModuleData& m) {
  uint32_t n = r.u32();
  for (uint32_t i = 0; i < n; ++i) {
    size_t at = r.offset();
    m.memories.push_back(read_memory_type(r));
    if (m.memories.size() > 1) throw ValidationError(at, "multiple memories are not supported");
  }
}

void parse_tag_section(Reader& r, ModuleData& m) {
  uint32_t n = read_count(r, m.tag_types.size(), kMaxTags, "tags");
  for (uint32_t i = 0; i < n; ++i) m.tag_types.push_back(read_tag_type(r, m));
}

void parse_global_section(Reader& r, ModuleData& m) {
  uint32_t n = read_count(r, m.globals.size(), kMaxGlobals, "globals");
  for (uint32_t i = 0; i < n; ++i) {
    GlobalDef g;
    g.type = read_global_type(r);
    // Wasm 2.0 (with extended-const): an initialiser sees the imported globals only.
    g.init = read_const_expr(r, m, g.type.type, m.num_imported_globals);
    note_refs(g.init, m);
    m.globals.push_back(g.type);
    m.global_defs.push_back(std::move(g));
  }
}

void parse_export_section(Reader& r, ModuleData& m) {
  uint32_t n = read_count(r, 0, kMaxExports, "exports");
  std::unordered_set<std::string> seen;
  for (uint32_t i = 0; i < n; ++i) {
    ExportEntry e;
    size_t name_at = r.offset();
    e.name = r.name();
    size_t at = r.offset();
    uint8_t kind = r.u8();
    e.index = r.u32();
    switch (kind) {
      case 0:
        e.kind = ImportDesc::Func;
        if (e.index >= m.func_types.size()) throw ValidationError(at, "unknown function");
        m.declared_refs.insert(e.index);
        break;
      case 1:
        e.kind = ImportDesc::Table;
        if (e.index >= m.tables.size()) throw ValidationError(at, "unknown table");
        break;
      case 2:
        e.kind = ImportDesc::Memory;
        if (e.index >= m.memories.size()) throw ValidationError(at, "unknown memory");
        break;
      case 3:
        e.kind = ImportDesc::Global;
        if (e.index >= m.globals.size()) throw ValidationError(at, "unknown global");
        break;
      case 4:
        e.kind = ImportDesc::Tag;
        if (e.index >= m.tag_types.size()) throw ValidationError(at, "unknown tag");
        break;
      default: {
        const char* why = unsupported_extern_kind(kind, false);
        r.fail_at(at, why ? why : "malformed export kind");
      }
    }
    if (!seen.insert(e.name).second) throw ValidationError(name_at, "duplicate export name");
    m.exports.push_back(std::move(e));
  }
}

void parse_start_section(Reader& r, ModuleData& m) {
  size_t at = r.offset();
  uint32_t f = r.u32();
  if (f >= m.func_types.size()) throw ValidationError(at, "unknown function");
  const FuncType& t = m.func_type(f);
  if (!t.params.empty() || !t.results.empty()) throw ValidationError(at, "start function");
  m.start = f;
}

void parse_element_section(Reader& r, ModuleData& m) {
  uint32_t n = read_count(r, 0, kMaxElemSegments, "element segments");
  for (uint32_t i = 0; i < n; ++i) {
    size_t at = r.offset();
    uint32_t flags = r.u32();
    if (flags > 7) r.fail_at(at, "malformed elements segment kind");
    ElemSegment seg;
    bool passive_or_decl = flags & 1;
    bool explicit_table = flags & 2;
    bool uses_exprs = flags & 4;
    if (!passive_or_decl) {
      seg.mode = SegmentMode::Active;
      if (explicit_table) {
        size_t tat = r.offset();
        seg.table = r.u32();
        if (seg.table >= m.tables.size()) throw ValidationError(tat, "unknown table");
      } else if (m.tables.empty()) {
        throw ValidationError(at, "unknown table 0");
      }
      seg.offset = read_const_expr(r, m, ValType::I32, m.num_imported_globals);
    } else {
      seg.mode = explicit_table ? SegmentMode::Declarative : SegmentMode::Passive;
    }
    // Flags 0 and 4 imply funcref; others carry an elemkind (0x00) or a reference type.
    if (flags & 3) {
      if (uses_exprs) {
        seg.type = read_ref_type(r);
      } else {
        size_t kat = r.offset();
        if (r.u8() != 0x00) r.fail_at(kat, "malformed element kind");
        seg.type = ValType::FuncRef;
      }
    }
    uint32_t count = read_count(r, 0, kMaxTableInit, "elements in one segment");
    for (uint32_t j = 0; j < count; ++j) {
      if (uses_exprs) {
        seg.items.push_back(read_const_expr(r, m, seg.type, uint32_t(m.globals.size())));
      } else {
        size_t fat = r.offset();
        uint32_t f = r.u32();
        if (f >= m.func_types.size()) throw ValidationError(fat, "unknown function " + std::to_string(f));
        seg.items.push_back({ConstOp{ConstOp::RefFunc, f}});
      }
      note_refs(seg.items.back(), m);
    }
    if (seg.mode == SegmentMode::Active && m.tables[seg.table].elem != seg.type)
      throw ValidationError(at, "type mismatch");
    m.elems.push_back(std::move(seg));
  }
}

void parse_data_count_section(Reader& r, ModuleData& m) {
  m.has_data_count = true;
  m.data_count = read_count(r, 0, kMaxDataSegments, "data segments");
}

void parse_data_section(Reader& r, ModuleData& m) {
  uint32_t n = read_count(r, 0, kMaxDataSegments, "data segments");
  if (m.has_data_count && n != m.data_count)
    throw DecodeError(r.offset(), "data count and data section have inconsistent lengths");
  for (uint32_t i = 0; i < n; ++i) {
    size_t at = r.offset();
    uint32_t flags = r.u32();
    if (flags > 2) r.fail_at(at, "malformed data segment kind");
    DataSegment seg;
    if (flags == 1) {
      seg.mode = SegmentMode::Passive;
    } else {
      seg.mode = SegmentMode::Active;
      if (flags == 2) seg.memory = r.u32();
      if (seg.memory >= m.memories.size()) throw ValidationError(at, "unknown memory " + std::to_string(seg.memory));
      seg.offset = read_const_expr(r, m, ValType::I32, m.num_imported_globals);
    }
    uint32_t len = r.u32();
    if (len > r.remaining()) r.fail("unexpected end of section or function");
    seg.bytes_offset = r.offset();
    seg.size = len;
    r.bytes(len);
    m.datas.push_back(seg);
  }
}

void parse_name_section(Reader& r, ModuleData& m) {
  // Best effort: a malformed name section is ignored, as the spec allows for custom sections.
  try {
    while (!r.at_end()) {
      uint8_t sub = r.u8();
      uint32_t size = r.u32();
      auto payload = r.bytes(size);
      if (sub != 1) continue;
      Reader nr(payload, 0);
      uint32_t count = nr.u32();
      for (uint32_t i = 0; i < count; ++i) {
        uint32_t idx = nr.u32();
        std::string name = nr.name();
        if (idx < m.func_types.size()) {
          if (m.func_names.size() < m.func_types.size()) m.func_names.resize(m.func_types.size());
          m.func_names[idx] = std::move(name);
        }
      }
    }
  } catch (const DecodeError&) {
  }
}

}  // namespace

void ModuleDecoder::feed(std::span<const uint8_t> bytes) {
  State& s = *s_;
  if (s.phase == Phase::Failed) throw Error("decoder used after an error");
  s.buf.insert(s.buf.end(), bytes.begin(), bytes.end());
  try {
    while (step(false)) {
    }
  } catch (...) {
    s.phase = Phase::Failed;
    throw;
  }
}

std::shared_ptr<const ModuleData> ModuleDecoder::finish() {
  State& s = *s_;
  if (s.phase == Phase::Failed) throw Error("decoder used after an error");
  try {
    while (step(true)) {
    }
    if (s.phase != Phase::SectionHeader || s.pos != s.buf.size()) {
      Reader r(std::span(s.buf).subspan(s.buf.size()), s.buf.size());
      r.fail("unexpected end");
    }
    ModuleData& m = *s.m;
    if (s.code_done != m.codes.size())
      throw DecodeError(s.buf.size(), "function and code section have inconsistent lengths");
    if (m.has_data_count && m.data_count != m.datas.size())
      throw DecodeError(s.buf.size(), "data count and data section have inconsistent lengths");
    // Functions the name section does not name are known by their export name (backtraces).
    for (const ExportEntry& e : m.exports) {
      if (e.kind != ImportDesc::Func) continue;
      if (m.func_names.size() < m.func_types.size()) m.func_names.resize(m.func_types.size());
      if (m.func_names[e.index].empty()) m.func_names[e.index] = e.name;
    }
  } catch (...) {
    s.phase = Phase::Failed;
    throw;
  }
  return std::move(s.m);
}

// Parse one unit if all its bytes are here (or, at EOF, parse it anyway to get the error).
// Returns false when it needs more bytes or is done.
bool ModuleDecoder::step(bool at_eof) {
  State& s = *s_;
  ModuleData& m = *s.m;
  auto avail = [&] { return s.buf.size() - s.pos; };
  auto reader = [&](size_t len) { return Reader(std::span(s.buf).subspan(s.pos, len), s.pos); };

  switch (s.phase) {
    case Phase::Header: {
      if (avail() < 8 && !at_eof) return false;
      Reader r = reader(std::min<size_t>(avail(), 8));
      static const uint8_t magic[4] = {0x00, 0x61, 0x73, 0x6D};
      // Fewer than 4 bytes is a truncated module whatever they are (as binary.wast expects).
      if (avail() < 4) r.fail("unexpected end");
      if (std::memcmp(&s.buf[0], magic, 4) != 0) r.fail_at(0, "magic header not detected");
      r.bytes(4);
      if (avail() < 8) r.fail("unexpected end");
      if (r.fixed_u32() != 1) r.fail_at(4, "unknown binary version");
      s.pos += 8;
      s.phase = Phase::SectionHeader;
      return true;
    }
    case Phase::SectionHeader: {
      if (avail() == 0) return false;
      size_t len = leb_length(s.buf, s.pos + 1, SIZE_MAX);
      if (len == 0 && !at_eof) return false;
      Reader r = reader(avail());
      size_t id_at = r.offset();
      uint8_t id = r.u8();
      uint32_t size = r.u32();
      if (const char* why = unsupported_section(id)) r.fail_at(id_at, why);
      if (id > 13) r.fail_at(id_at, "malformed section id");
      s.section_id = id;
      s.section_start = r.offset();
      s.section_end = s.section_start + size;
      s.pos = r.offset();
      if (id != 0) {
        int rank = section_rank(id);
        if (rank <= s.last_rank) r.fail_at(id_at, "unexpected content after last section");
        s.last_rank = rank;
      }
      if (on_section) on_section(SectionEvent{id, s.section_start, size});
      if (id == 10) {
        s.saw_code_section = true;
        s.phase = Phase::CodeCount;
      } else {
        s.phase = Phase::Payload;
      }
      return true;
    }
    case Phase::Payload: {
      size_t size = s.section_end - s.section_start;
      if (avail() < size) {
        if (!at_eof) return false;
        reader(avail()).fail("unexpected end of section or function");
      }
      Reader r = reader(size);
      switch (s.section_id) {
        case 0: {
          std::string name = r.name();
          if (name == "name") parse_name_section(r, m);
          r.bytes(r.remaining());
          break;
        }
        case 1: parse_type_section(r, m); break;
        case 2: parse_import_section(r, m); break;
        case 3: parse_function_section(r, m, s.declared_funcs); s.saw_function_section = true; break;
        case 4: parse_table_section(r, m); break;
        case 5: parse_memory_section(r, m); break;
        case 13: parse_tag_section(r, m); break;
        case 6: parse_global_section(r, m); break;
        case 7: parse_export_section(r, m); break;
        case 8: parse_start_section(r, m); break;
        case 9: parse_element_section(r, m); break;
        case 11: parse_data_section(r, m); break;
        case 12: parse_data_count_section(r, m); break;
      }
      if (!r.at_end()) r.fail("section size mismatch");
      s.pos = s.section_end;
      s.phase = Phase::SectionHeader;
      return true;
    }
    case Phase::CodeCount: {
      size_t len = leb_length(s.buf, s.pos, s.section_end);
      if (len == 0 && !at_eof && s.buf.size() < s.section_end) return false;
      Reader r(std::span(s.buf).subspan(s.pos, std::min(avail(), s.section_end - s.pos)), s.pos);
      s.code_count = r.u32();
      uint32_t defined = uint32_t(m.func_types.size()) - m.num_imported_funcs;
      if (s.code_count != defined) r.fail("function and code section have inconsistent lengths");
      s.pos = r.offset();
      s.phase = Phase::CodeBody;
      return true;
    }
    case Phase::CodeBody: {
      if (s.code_done == s.code_count) {
        if (s.pos != s.section_end) Reader(std::span(s.buf).subspan(s.pos, 0), s.pos).fail("section size mismatch");
        s.phase = Phase::SectionHeader;
        return true;
      }
      size_t len = leb_length(s.buf, s.pos, s.section_end);
      if (len == 0 && !at_eof && s.buf.size() < s.section_end) return false;
      Reader r(std::span(s.buf).subspan(s.pos, std::min(avail(), s.section_end - s.pos)), s.pos);
      size_t size_at = r.offset();
      uint32_t body_size = limited(r.u32(), 0, kMaxFunctionBodyBytes, "bytes in one function body", size_at);
      size_t body_start = r.offset();
      if (body_start + body_size > s.section_end) r.fail("unexpected end of section or function");
      if (s.buf.size() < body_start + body_size) {
        if (!at_eof) return false;
        r.fail("unexpected end of section or function");
      }
      uint32_t func_index = m.num_imported_funcs + s.code_done;
      on_body_(m, func_index, std::span(s.buf).subspan(body_start, body_size), body_start, *m.codes[s.code_done]);
      ++s.code_done;
      s.pos = body_start + body_size;
      if (on_function_compiled) on_function_compiled(func_index);
      return true;
    }
    case Phase::Failed: return false;
  }
  return false;
}

}  // namespace corowasm::detail
