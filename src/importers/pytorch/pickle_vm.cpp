#include "importers/pytorch/pickle_vm.h"

#include <algorithm>
#include <limits>

#include "textq/error.h"

namespace textq {

namespace {

constexpr ObjId kNoObj = std::numeric_limits<ObjId>::max();

const char* kind_name(PyKind k) {
  switch (k) {
    case PyKind::None: return "None";
    case PyKind::Bool: return "bool";
    case PyKind::Int: return "int";
    case PyKind::BigInt: return "int";
    case PyKind::Float: return "float";
    case PyKind::Str: return "str";
    case PyKind::Bytes: return "bytes";
    case PyKind::Tuple: return "tuple";
    case PyKind::List: return "list";
    case PyKind::Dict: return "dict";
    case PyKind::Set: return "set";
    case PyKind::Global: return "global";
    case PyKind::Opaque: return "opaque object";
    case PyKind::Call: return "call";
    case PyKind::PersId: return "persistent id";
  }
  return "?";
}

std::string hex_byte(uint8_t b) {
  static const char* d = "0123456789abcdef";
  return std::string("0x") + d[b >> 4] + d[b & 15];
}

}  // namespace

bool PickleVm::storage_dtype_from_name(const std::string& q, DType* dtype) {
  static const struct { const char* name; DType dtype; } table[] = {
      {"torch.FloatStorage", DType::f32},  {"torch.DoubleStorage", DType::f64},
      {"torch.HalfStorage", DType::f16},   {"torch.BFloat16Storage", DType::bf16},
      {"torch.LongStorage", DType::i64},   {"torch.IntStorage", DType::i32},
      {"torch.ShortStorage", DType::i16},  {"torch.CharStorage", DType::i8},
      {"torch.ByteStorage", DType::u8},    {"torch.BoolStorage", DType::boolean},
  };
  for (const auto& e : table)
    if (q == e.name) {
      *dtype = e.dtype;
      return true;
    }
  return false;
}

ObjId PickleVm::make(PyKind kind, uint64_t offset) {
  if (objs_.size() >= kPickleMaxObjects)
    in_->fail_at(op_offset_, "more than " + std::to_string(kPickleMaxObjects) + " objects (limit)");
  objs_.emplace_back();
  objs_.back().kind = kind;
  objs_.back().offset = offset;
  return static_cast<ObjId>(objs_.size() - 1);
}

ObjId PickleVm::make_global(const std::string& module, const std::string& name, uint64_t offset) {
  const std::string q = module + "." + name;
  DType dtype;
  PyObj g;
  bool known = true;
  if (q == "torch._utils._rebuild_tensor_v2") g.global = GlobalKind::RebuildTensorV2;
  else if (q == "torch._utils._rebuild_tensor") g.global = GlobalKind::RebuildTensor;
  else if (q == "torch._utils._rebuild_parameter") g.global = GlobalKind::RebuildParameter;
  else if (q == "collections.OrderedDict") g.global = GlobalKind::OrderedDict;
  else if (storage_dtype_from_name(q, &dtype)) {
    g.global = GlobalKind::Storage;
    g.storage_dtype = dtype;
  } else {
    known = false;
  }
  ObjId id = make(known ? PyKind::Global : PyKind::Opaque, offset);
  objs_[id].global = g.global;
  objs_[id].storage_dtype = g.storage_dtype;
  objs_[id].s = q;
  return id;
}

void PickleVm::push(ObjId id) {
  if (stack_.size() >= kPickleMaxStack)
    in_->fail_at(op_offset_, "stack deeper than " + std::to_string(kPickleMaxStack) + " (limit)");
  stack_.push_back(id);
}

ObjId PickleVm::pop() {
  if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back()))
    in_->fail_at(op_offset_, "stack underflow");
  ObjId id = stack_.back();
  stack_.pop_back();
  return id;
}

ObjId PickleVm::top() {
  if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back()))
    in_->fail_at(op_offset_, "stack underflow");
  return stack_.back();
}

size_t PickleVm::pop_mark() {
  if (marks_.empty()) in_->fail_at(op_offset_, "no MARK before this opcode");
  size_t m = marks_.back();
  marks_.pop_back();
  return m;
}

void PickleVm::add_child(ObjId parent, ObjId child) {
  objs_[parent].items.push_back(child);
  uint32_t d = objs_[child].depth + 1;
  if (d > objs_[parent].depth) {
    if (d > kPickleMaxDepth)
      in_->fail_at(op_offset_, "nesting deeper than " + std::to_string(kPickleMaxDepth) + " levels (limit)");
    objs_[parent].depth = d;
  }
}

// SETITEM(S): stack_[from..] holds key, value pairs for the dict below them.
void PickleVm::set_items(ObjId dict, size_t from) {
  if ((stack_.size() - from) % 2 != 0) in_->fail_at(op_offset_, "SETITEMS with an odd number of items");
  PyKind k = objs_[dict].kind;
  if (k == PyKind::Dict) {
    for (size_t i = from; i < stack_.size(); ++i) add_child(dict, stack_[i]);
  } else if (k != PyKind::Opaque) {
    in_->fail_at(op_offset_, std::string("SETITEM on a ") + kind_name(k) + ", not a dict");
  }
  stack_.resize(from);
}

ObjId PickleVm::call(ObjId callee, ObjId args, uint64_t offset) {
  const PyObj& c = objs_[callee];
  if (c.kind == PyKind::Opaque) {
    // Using an opaque object yields another one carrying the same name and origin.
    ObjId r = make(PyKind::Opaque, objs_[callee].offset);
    objs_[r].s = objs_[callee].s;
    return r;
  }
  if (c.kind != PyKind::Global)
    in_->fail_at(offset, std::string("call of a ") + kind_name(c.kind) + ", which is not callable");
  if (objs_[args].kind != PyKind::Tuple)
    in_->fail_at(offset, std::string("call of ") + c.s + " with " + kind_name(objs_[args].kind) + " arguments, not a tuple");
  if (c.global == GlobalKind::OrderedDict) {
    ObjId d = make(PyKind::Dict, offset);
    const std::vector<ObjId> a = objs_[args].items;
    if (a.empty()) return d;
    // OrderedDict([(k, v), ...])
    if (a.size() != 1 || objs_[a[0]].kind != PyKind::List)
      in_->fail_at(offset, "collections.OrderedDict called with arguments other than () or ([(key, value), ...])");
    const std::vector<ObjId> pairs = objs_[a[0]].items;
    for (ObjId p : pairs) {
      if (objs_[p].kind != PyKind::Tuple || objs_[p].items.size() != 2)
        in_->fail_at(offset, "collections.OrderedDict item is not a (key, value) pair");
      ObjId key = objs_[p].items[0], value = objs_[p].items[1];
      add_child(d, key);
      add_child(d, value);
    }
    return d;
  }
  if (c.global == GlobalKind::Storage) {
    // Storages come from persistent ids; constructing one in the pickle is not
    // something torch.save does. Keep it inert and refuse it if it is used.
    ObjId r = make(PyKind::Opaque, offset);
    objs_[r].s = c.s + "()";
    return r;
  }
  ObjId r = make(PyKind::Call, offset);
  add_child(r, callee);
  add_child(r, args);
  return r;
}

ObjId PickleVm::load(BoundedReader& in) {
  in_ = &in;
  stack_.clear();
  marks_.clear();
  memo_.clear();
  auto read_line = [&]() {
    std::string s;
    for (;;) {
      uint8_t ch = in.u8();
      if (ch == '\n') return s;
      if (s.size() >= 256) in.fail_at(op_offset_, "GLOBAL name longer than 256 characters");
      s += static_cast<char>(ch);
    }
  };
  auto read_string = [&](PyKind kind, uint64_t n) {
    if (n > kPickleMaxString)
      in.fail_at(op_offset_, "string of " + std::to_string(n) + " bytes exceeds the limit of " +
                                 std::to_string(kPickleMaxString));
    ObjId id = make(kind, op_offset_);
    objs_[id].s = in.str(n);
    push(id);
  };
  auto make_int = [&](int64_t v) {
    ObjId id = make(PyKind::Int, op_offset_);
    objs_[id].i = v;
    push(id);
  };
  auto make_long = [&](uint64_t n) {
    if (n > 256) in.fail_at(op_offset_, "integer of " + std::to_string(n) + " bytes exceeds the limit of 256");
    const uint8_t* p = in.bytes(n);
    if (n <= 8) {
      uint64_t v = 0;
      for (uint64_t i = 0; i < n; ++i) v |= uint64_t(p[i]) << (8 * i);
      if (n > 0 && n < 8 && (p[n - 1] & 0x80)) v |= ~uint64_t(0) << (8 * n);  // sign-extend
      make_int(static_cast<int64_t>(v));
    } else {
      ObjId id = make(PyKind::BigInt, op_offset_);
      objs_[id].s.assign(reinterpret_cast<const char*>(p), n);
      push(id);
    }
  };
  auto memo_put = [&](uint64_t key) {
    if (key >= kPickleMaxMemo)
      in.fail_at(op_offset_, "memo key " + std::to_string(key) + " exceeds the limit of " + std::to_string(kPickleMaxMemo));
    if (memo_.size() <= key) memo_.resize(key + 1, kNoObj);
    memo_[key] = top();
  };
  auto memo_get = [&](uint64_t key) {
    if (key >= memo_.size() || memo_[key] == kNoObj) in.fail_at(op_offset_, "memo key " + std::to_string(key) + " was never set");
    push(memo_[key]);
  };
  auto from_mark = [&](PyKind kind) {
    size_t m = pop_mark();
    ObjId id = make(kind, op_offset_);
    for (size_t i = m; i < stack_.size(); ++i) add_child(id, stack_[i]);
    stack_.resize(m);
    push(id);
  };
  auto tuple_n = [&](size_t n) {
    std::vector<ObjId> items(n);
    for (size_t i = n; i-- > 0;) items[i] = pop();
    ObjId id = make(PyKind::Tuple, op_offset_);
    for (ObjId x : items) add_child(id, x);
    push(id);
  };

  for (;;) {
    op_offset_ = in.offset();
    const uint8_t op = in.u8();
    switch (op) {
      case 0x80: {  // PROTO
        uint8_t proto = in.u8();
        if (proto < 2 || proto > 5) in.fail_at(op_offset_, "pickle protocol " + std::to_string(proto) + " is not supported (2..5 are)");
        break;
      }
      case 0x95: {  // FRAME: a length hint only; data is already in memory
        uint64_t n = in.u64le();
        if (n > in.remaining()) in.fail_at(op_offset_, "FRAME of " + std::to_string(n) + " bytes runs past the end of the data");
        break;
      }
      case '}': push(make(PyKind::Dict, op_offset_)); break;
      case ']': push(make(PyKind::List, op_offset_)); break;
      case ')': push(make(PyKind::Tuple, op_offset_)); break;
      case 0x8f: push(make(PyKind::Set, op_offset_)); break;  // EMPTY_SET
      case '(':  // MARK
        if (marks_.size() >= kPickleMaxDepth)
          in.fail_at(op_offset_, "more than " + std::to_string(kPickleMaxDepth) + " open MARKs (nesting limit)");
        marks_.push_back(stack_.size());
        break;
      case 'X': read_string(PyKind::Str, in.u32le()); break;    // BINUNICODE
      case 0x8c: read_string(PyKind::Str, in.u8()); break;      // SHORT_BINUNICODE
      case 0x8d: read_string(PyKind::Str, in.u64le()); break;   // BINUNICODE8
      case 'U': read_string(PyKind::Str, in.u8()); break;       // SHORT_BINSTRING
      case 'T': {                                               // BINSTRING
        int32_t n = in.i32le();
        if (n < 0) in.fail_at(op_offset_, "BINSTRING with negative length");
        read_string(PyKind::Str, static_cast<uint64_t>(n));
        break;
      }
      case 'C': read_string(PyKind::Bytes, in.u8()); break;     // SHORT_BINBYTES
      case 'B': read_string(PyKind::Bytes, in.u32le()); break;  // BINBYTES
      case 0x8e: read_string(PyKind::Bytes, in.u64le()); break; // BINBYTES8
      case 0x96: read_string(PyKind::Bytes, in.u64le()); break; // BYTEARRAY8
      case 'J': make_int(in.i32le()); break;                    // BININT
      case 'K': make_int(in.u8()); break;                       // BININT1
      case 'M': make_int(in.u16le()); break;                    // BININT2
      case 0x8a: make_long(in.u8()); break;                     // LONG1
      case 0x8b: {                                              // LONG4
        int32_t n = in.i32le();
        if (n < 0) in.fail_at(op_offset_, "LONG4 with negative length");
        make_long(static_cast<uint64_t>(n));
        break;
      }
      case 'G': {  // BINFLOAT
        ObjId id = make(PyKind::Float, op_offset_);
        objs_[id].f = in.f64be();
        push(id);
        break;
      }
      case 'N': push(make(PyKind::None, op_offset_)); break;
      case 0x88:
      case 0x89: {  // NEWTRUE / NEWFALSE
        ObjId id = make(PyKind::Bool, op_offset_);
        objs_[id].i = op == 0x88;
        push(id);
        break;
      }
      case 0x85: tuple_n(1); break;
      case 0x86: tuple_n(2); break;
      case 0x87: tuple_n(3); break;
      case 't': from_mark(PyKind::Tuple); break;
      case 'l': from_mark(PyKind::List); break;
      case 0x91: from_mark(PyKind::Set); break;  // FROZENSET
      case 'd': {                                // DICT
        size_t m = pop_mark();
        ObjId id = make(PyKind::Dict, op_offset_);
        stack_.insert(stack_.begin() + static_cast<std::ptrdiff_t>(m), id);
        set_items(id, m + 1);
        break;
      }
      case 's': {  // SETITEM
        ObjId v = pop(), k = pop();
        ObjId d = top();
        push(k);
        push(v);
        set_items(d, stack_.size() - 2);
        break;
      }
      case 'u': {  // SETITEMS
        size_t m = pop_mark();
        if (m == 0) in.fail_at(op_offset_, "SETITEMS without a dict below the MARK");
        set_items(stack_[m - 1], m);
        break;
      }
      case 'a': {  // APPEND
        ObjId v = pop();
        ObjId l = top();
        if (objs_[l].kind == PyKind::List) add_child(l, v);
        else if (objs_[l].kind != PyKind::Opaque)
          in.fail_at(op_offset_, std::string("APPEND to a ") + kind_name(objs_[l].kind) + ", not a list");
        break;
      }
      case 'e':      // APPENDS
      case 0x90: {   // ADDITEMS
        size_t m = pop_mark();
        if (m == 0) in.fail_at(op_offset_, "APPENDS without a list below the MARK");
        ObjId l = stack_[m - 1];
        PyKind want = op == 'e' ? PyKind::List : PyKind::Set;
        if (objs_[l].kind == want) {
          for (size_t i = m; i < stack_.size(); ++i) add_child(l, stack_[i]);
        } else if (objs_[l].kind != PyKind::Opaque) {
          in.fail_at(op_offset_, std::string(op == 'e' ? "APPENDS to a " : "ADDITEMS to a ") + kind_name(objs_[l].kind));
        }
        stack_.resize(m);
        break;
      }
      case 'q': memo_put(in.u8()); break;     // BINPUT
      case 'r': memo_put(in.u32le()); break;  // LONG_BINPUT
      case 0x94: memo_put(memo_.size()); break;  // MEMOIZE
      case 'h': memo_get(in.u8()); break;     // BINGET
      case 'j': memo_get(in.u32le()); break;  // LONG_BINGET
      case 'c': {  // GLOBAL "module\nname\n"
        std::string module = read_line();
        std::string name = read_line();
        push(make_global(module, name, op_offset_));
        break;
      }
      case 0x93: {  // STACK_GLOBAL
        ObjId name = pop(), module = pop();
        if (objs_[name].kind != PyKind::Str || objs_[module].kind != PyKind::Str)
          in.fail_at(op_offset_, "STACK_GLOBAL operands are not strings");
        std::string m = objs_[module].s, n = objs_[name].s;
        push(make_global(m, n, op_offset_));
        break;
      }
      case 'R': {  // REDUCE
        ObjId args = pop(), callee = pop();
        push(call(callee, args, op_offset_));
        break;
      }
      case 0x81: {  // NEWOBJ: cls.__new__(cls, *args)
        ObjId args = pop(), cls = pop();
        push(call(cls, args, op_offset_));
        break;
      }
      case 0x92: {  // NEWOBJ_EX
        ObjId kwargs = pop(), args = pop(), cls = pop();
        if (objs_[cls].kind != PyKind::Opaque && !objs_[kwargs].items.empty())
          in.fail_at(op_offset_, "NEWOBJ_EX with keyword arguments on " + objs_[cls].s);
        push(call(cls, args, op_offset_));
        break;
      }
      case 'b': {  // BUILD: obj.__setstate__(state) or __dict__ update
        pop();  // the state is dropped: it can only set attributes
        ObjId target = top();
        PyKind k = objs_[target].kind;
        // Dict: OrderedDict's _metadata; Call: tensor attributes; Opaque: stays opaque.
        if (k != PyKind::Dict && k != PyKind::Opaque && k != PyKind::Call)
          in.fail_at(op_offset_, std::string("BUILD on a ") + kind_name(k));
        break;
      }
      case 'Q': {  // BINPERSID
        ObjId pid = pop();
        ObjId id = make(PyKind::PersId, op_offset_);
        add_child(id, pid);
        push(id);
        break;
      }
      case '0': pop(); break;  // POP
      case '1': stack_.resize(pop_mark()); break;  // POP_MARK
      case '2': push(top()); break;  // DUP
      case '.': {  // STOP
        ObjId root = pop();
        if (!stack_.empty() || !marks_.empty()) in.fail_at(op_offset_, "STOP with items left on the stack");
        in_ = nullptr;
        return root;
      }
      default:
        in.fail_at(op_offset_, "opcode " + hex_byte(op) + " is not supported (only the binary opcodes torch.save emits are)");
    }
  }
}

}  // namespace textq
