import { createHash } from 'node:crypto';

/**
 * Which row first named each user: 64-bit digests of the normalised user in an open-addressing
 * table (12 bytes a slot), so a million rows cost about 25 MB rather than a Map of strings.
 */
export class FirstRowIndex {
  #hi = new Uint32Array(1024);
  #lo = new Uint32Array(1024);
  #row = new Uint32Array(1024);
  #size = 0;

  /** The row that first named `user`; records `row` as that row when none did. */
  firstRow(user: string, row: number): number {
    const key = user.includes('@') ? user.toLowerCase() : user;
    const d = createHash('sha1').update(key).digest();
    const hi = d.readUInt32BE(0);
    const lo = d.readUInt32BE(4);
    const found = this.#find(hi, lo);
    if (this.#row[found] !== 0) return this.#row[found]!;
    this.#hi[found] = hi;
    this.#lo[found] = lo;
    this.#row[found] = row;
    if (++this.#size * 2 > this.#row.length) this.#grow();
    return row;
  }

  #find(hi: number, lo: number): number {
    const mask = this.#row.length - 1;
    let i = (lo ^ (hi >>> 7)) & mask;
    while (this.#row[i] !== 0 && !(this.#hi[i] === hi && this.#lo[i] === lo)) i = (i + 1) & mask;
    return i;
  }

  #grow(): void {
    const [hi, lo, row] = [this.#hi, this.#lo, this.#row];
    this.#hi = new Uint32Array(row.length * 2);
    this.#lo = new Uint32Array(row.length * 2);
    this.#row = new Uint32Array(row.length * 2);
    for (let i = 0; i < row.length; i++) {
      if (row[i] === 0) continue;
      const at = this.#find(hi[i]!, lo[i]!);
      this.#hi[at] = hi[i]!;
      this.#lo[at] = lo[i]!;
      this.#row[at] = row[i]!;
    }
  }
}
