// js-yaml ships no types; the two functions the tests use.
declare module 'js-yaml' {
  export function load(text: string, options?: { filename?: string }): unknown;
  export function loadAll(text: string, iterator?: null, options?: { filename?: string }): unknown[];
}
