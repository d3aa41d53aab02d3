/**
 * Sets `owners[entry] = ref`, growing the array (doubling) when `entry` is past its end.
 * Returns the array to keep (the same one, or its larger copy). Used by the first pass's
 * tables of who holds each match key and identifier (dense entry numbers → record references).
 */
export function setOwner(owners: Int32Array<ArrayBuffer>, entry: number, ref: number): Int32Array<ArrayBuffer> {
  let out = owners;
  if (entry >= out.length) {
    out = new Int32Array(Math.max(out.length * 2, entry + 1));
    out.set(owners);
  }
  out[entry] = ref;
  return out;
}
