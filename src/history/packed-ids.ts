/**
 * A read-back's ids, in the order the server returned them, as one short string (the read-back
 * event's `packedIds`): each id's difference from the one before (the first's from 0), zigzag
 * mapped to a non-negative integer, written least significant first in base64url digits of 5 bits
 * whose sixth bit says another digit follows. Ids read in key order differ by little, so most
 * take one character where a JSON array spends seven or more; a duplicate is a difference of 0.
 */

const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DIGIT_CODES = Uint8Array.from(DIGITS, (digit) => digit.charCodeAt(0));
const DIGIT_VALUES = (() => {
  const values = new Int8Array(128).fill(-1);
  DIGIT_CODES.forEach((code, value) => (values[code] = value));
  return values;
})();
const MORE = 32;
/** Differences beyond this are not packed: their zigzag value must stay an exact integer. */
const MAX_DIFFERENCE = 2 ** 51;

/** The packed form of `ids`, or undefined when one is not a safe integer or two are too far apart (keep them as a plain array then). */
export function packIds(ids: ArrayLike<number>): string | undefined {
  // At most 11 digits per id (53 bits), grown on demand.
  let bytes = new Uint8Array(Math.max(16, ids.length * 2));
  let length = 0;
  let previous = 0;
  for (let index = 0; index < ids.length; index++) {
    const id = ids[index]!;
    if (!Number.isSafeInteger(id)) return undefined;
    const difference = id - previous;
    if (Math.abs(difference) > MAX_DIFFERENCE) return undefined;
    previous = id;
    let value = difference >= 0 ? 2 * difference : -2 * difference - 1;
    if (length + 11 > bytes.length) {
      const grown = new Uint8Array(bytes.length * 2);
      grown.set(bytes);
      bytes = grown;
    }
    do {
      const low = value % 32;
      value = Math.floor(value / 32);
      bytes[length++] = DIGIT_CODES[value > 0 ? low + MORE : low]!;
    } while (value > 0);
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, length).toString('latin1');
}

/** The ids of a packed string; throws on a character or a digit sequence packIds never writes. */
export function unpackIds(packed: string): Float64Array {
  // Every id takes at least one character.
  const ids = new Float64Array(packed.length);
  let count = 0;
  let previous = 0;
  let value = 0;
  let scale = 1;
  for (let position = 0; position < packed.length; position++) {
    const code = packed.charCodeAt(position);
    const digit = code < 128 ? DIGIT_VALUES[code]! : -1;
    if (digit < 0) throw new Error(`packed ids: unexpected character ${JSON.stringify(packed[position])} at ${position}`);
    value += (digit & 31) * scale;
    if (digit & MORE) {
      scale *= 32;
      if (scale > 2 ** 55) throw new Error(`packed ids: a number longer than 11 digits ends at ${position}`);
      continue;
    }
    previous += value % 2 === 0 ? value / 2 : -(value + 1) / 2;
    ids[count++] = previous;
    value = 0;
    scale = 1;
  }
  if (scale !== 1) throw new Error('packed ids: the last number is cut off');
  return count === ids.length ? ids : ids.slice(0, count);
}

/** The ids a read-back recorded, packed (`packedIds`) or as a plain array (`ids`, run folders before packing); undefined when it has neither. */
export function readBackIds(event: { readonly ids?: readonly number[]; readonly packedIds?: string }): Float64Array | undefined {
  if (typeof event.packedIds === 'string') return unpackIds(event.packedIds);
  return event.ids === undefined ? undefined : Float64Array.from(event.ids);
}
