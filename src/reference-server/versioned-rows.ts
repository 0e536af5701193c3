/**
 * Rows of one partition (hot) or scope (cold) by primary key, with a counter that every change
 * bumps, so a view derived from them (the key-ordered rows a SELECT pages through) can tell it is
 * stale. A Map subclass so that no writer can change rows without the counter seeing it.
 */
export class VersionedRows<K, V> extends Map<K, V> {
  #version = 0;

  // No initial entries: Map's constructor would call set() before #version exists.
  constructor() {
    super();
  }

  get version(): number {
    return this.#version;
  }

  override set(key: K, row: V): this {
    this.#version++;
    return super.set(key, row);
  }

  override delete(key: K): boolean {
    const deleted = super.delete(key);
    if (deleted) this.#version++;
    return deleted;
  }

  override clear(): void {
    this.#version++;
    super.clear();
  }
}
