type TypedArray = Float64Array | Int32Array | Uint8Array;

/** A typed array that grows by doubling as values are pushed: a column of numbers without a JS object per value. */
export interface Growable<T extends TypedArray = TypedArray> {
  readonly length: number;
  push(value: number): void;
  at(index: number): number;
  set(index: number, value: number): void;
  /** A copy of the values pushed so far. */
  copy(): T;
}

function growable<T extends TypedArray>(make: (length: number) => T): Growable<T> {
  let values = make(16);
  let length = 0;
  return {
    get length() {
      return length;
    },
    push(value) {
      if (length === values.length) {
        const grown = make(values.length * 2);
        grown.set(values);
        values = grown;
      }
      values[length++] = value;
    },
    at: (index) => values[index]!,
    set(index, value) {
      values[index] = value;
    },
    copy: () => values.slice(0, length) as T,
  };
}

export const growableFloat64 = (): Growable<Float64Array> => growable((length) => new Float64Array(length));
export const growableInt32 = (): Growable<Int32Array> => growable((length) => new Int32Array(length));
export const growableUint8 = (): Growable<Uint8Array> => growable((length) => new Uint8Array(length));
