/**
 * Greedy packing of commitment items into field elements (circuits/README.md, "Packing"): items
 * are placed in order, the first at offset 0; a new element starts when the next item would not
 * fit in PACK_BITS bits.
 */
import { PACK_BITS, fitsBits } from "./widths";

/** One commitment item: a non-negative value and the width it is range-checked to. */
export interface PackItem {
  value: bigint;
  bits: number;
}

/** Packs `items` into elements of at most 248 bits; throws when a value exceeds its width. */
export function packItems(items: readonly PackItem[]): bigint[] {
  const elements: bigint[] = [];
  let current = 0n;
  let used = 0;
  items.forEach(({ value, bits }, index) => {
    if (!Number.isInteger(bits) || bits < 1 || bits > PACK_BITS) {
      throw new RangeError(`pack item ${index}: width ${bits} is not in 1..${PACK_BITS}`);
    }
    if (!fitsBits(value, bits)) {
      throw new RangeError(`pack item ${index}: value does not fit in ${bits} bits`);
    }
    if (used + bits > PACK_BITS) {
      elements.push(current);
      current = 0n;
      used = 0;
    }
    current += value << BigInt(used);
    used += bits;
  });
  if (used > 0) elements.push(current);
  return elements;
}
