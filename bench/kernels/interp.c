/* interp: a switch-dispatched bytecode interpreter (a tiny stack machine with registers and
 * branches). One iteration = the guest program below looping LOOP_N times (~25 bytecode
 * operations per guest loop). */
#include "../support/bench_kernel.h"

#define LOOP_N 100000

enum op {
  OP_HALT, OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_AND, OP_XOR, OP_SHL, OP_SHR,
  OP_LT, OP_EQ, OP_JZ, OP_JMP, OP_DUP, OP_DROP, OP_INC,
};

static i32 code[256];
static u32 pc_len;

static void emit(i32 v) { code[pc_len++] = v; }

/* r0 = i, r1 = acc, r2 = limit, r3 = tmp
 *   loop: if !(i < limit) goto end
 *         acc = acc * 33 ^ i
 *         if ((i & 3) == 0) acc = acc + (i >> 1) else acc = acc - 7
 *         r3 = (acc << 3) ^ (acc >> 5); acc = acc + r3 & 0x7fffffff
 *         i++ ; goto loop
 *   end:  push acc ; halt */
static void assemble(i32 limit, i32 seed) {
  pc_len = 0;
  emit(OP_PUSH); emit(0); emit(OP_STORE); emit(0);
  emit(OP_PUSH); emit(seed); emit(OP_STORE); emit(1);
  emit(OP_PUSH); emit(limit); emit(OP_STORE); emit(2);
  u32 loop = pc_len;
  emit(OP_LOAD); emit(0); emit(OP_LOAD); emit(2); emit(OP_LT);
  emit(OP_JZ); u32 fix_end = pc_len; emit(0);
  emit(OP_LOAD); emit(1); emit(OP_PUSH); emit(33); emit(OP_MUL);
  emit(OP_LOAD); emit(0); emit(OP_XOR); emit(OP_STORE); emit(1);
  emit(OP_LOAD); emit(0); emit(OP_PUSH); emit(3); emit(OP_AND); emit(OP_PUSH); emit(0); emit(OP_EQ);
  emit(OP_JZ); u32 fix_else = pc_len; emit(0);
  emit(OP_LOAD); emit(1); emit(OP_LOAD); emit(0); emit(OP_PUSH); emit(1); emit(OP_SHR); emit(OP_ADD);
  emit(OP_STORE); emit(1);
  emit(OP_JMP); u32 fix_join = pc_len; emit(0);
  code[fix_else] = (i32)pc_len;
  emit(OP_LOAD); emit(1); emit(OP_PUSH); emit(7); emit(OP_SUB); emit(OP_STORE); emit(1);
  code[fix_join] = (i32)pc_len;
  emit(OP_LOAD); emit(1); emit(OP_DUP); emit(OP_PUSH); emit(3); emit(OP_SHL);
  emit(OP_STORE); emit(3); emit(OP_PUSH); emit(5); emit(OP_SHR); emit(OP_LOAD); emit(3); emit(OP_XOR);
  emit(OP_LOAD); emit(1); emit(OP_ADD); emit(OP_PUSH); emit(0x7fffffff); emit(OP_AND);
  emit(OP_STORE); emit(1);
  emit(OP_INC); emit(0);
  emit(OP_JMP); emit((i32)loop);
  code[fix_end] = (i32)pc_len;
  emit(OP_LOAD); emit(1); emit(OP_HALT);
}

static BENCH_NOINLINE i32 execute(const i32 *prog) {
  i32 stack[64];
  i32 regs[8] = {0};
  i32 sp = 0;
  u32 pc = 0;
  for (;;) {
    i32 op = prog[pc++];
    switch (op) {
      case OP_HALT: return sp > 0 ? stack[sp - 1] : 0;
      case OP_PUSH: stack[sp++] = prog[pc++]; break;
      case OP_LOAD: stack[sp++] = regs[prog[pc++] & 7]; break;
      case OP_STORE: regs[prog[pc++] & 7] = stack[--sp]; break;
      case OP_ADD: sp--; stack[sp - 1] = (i32)((u32)stack[sp - 1] + (u32)stack[sp]); break;
      case OP_SUB: sp--; stack[sp - 1] = (i32)((u32)stack[sp - 1] - (u32)stack[sp]); break;
      case OP_MUL: sp--; stack[sp - 1] = (i32)((u32)stack[sp - 1] * (u32)stack[sp]); break;
      case OP_AND: sp--; stack[sp - 1] &= stack[sp]; break;
      case OP_XOR: sp--; stack[sp - 1] ^= stack[sp]; break;
      case OP_SHL: sp--; stack[sp - 1] = (i32)((u32)stack[sp - 1] << (stack[sp] & 31)); break;
      case OP_SHR: sp--; stack[sp - 1] = (i32)((u32)stack[sp - 1] >> (stack[sp] & 31)); break;
      case OP_LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
      case OP_EQ: sp--; stack[sp - 1] = stack[sp - 1] == stack[sp]; break;
      case OP_JZ: { i32 t = prog[pc++]; if (stack[--sp] == 0) pc = (u32)t; break; }
      case OP_JMP: pc = (u32)prog[pc]; break;
      case OP_DUP: stack[sp] = stack[sp - 1]; sp++; break;
      case OP_DROP: sp--; break;
      case OP_INC: regs[prog[pc] & 7]++; pc++; break;
      default: return -1;
    }
    sp &= 63;
  }
}

i32 run(i32 n) {
  u32 h = 0x31415926u;
  for (i32 it = 0; it < n; it++) {
    assemble(LOOP_N, it);
    h = bench_mix(h, (u32)execute(code));
  }
  return (i32)h;
}
