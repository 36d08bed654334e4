// Heap allocation exported to the host. Buffers are 16-byte aligned (TLSF), which keeps
// v128 loads on natural boundaries.

/** Allocates `bytes` bytes and returns the address (16-byte aligned). */
export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

/** Frees a block returned by `alloc`. */
export function free(ptr: usize): void {
  heap.free(ptr);
}
