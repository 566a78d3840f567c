import { createHash, hash } from 'node:crypto';

/**
 * Merkle trees as RFC 9162 §2.1 (Certificate Transparency v2, same as RFC 6962 §2.1) defines
 * them, with SHA-256: a leaf hashes as SHA-256(0x00 ‖ data), an inner node as
 * SHA-256(0x01 ‖ left ‖ right), and a tree of n > 1 leaves splits at the largest power of two
 * below n. One signature over the root of a batch's tree covers every quote in it, and each
 * quote carries the audit path that leads from its own hash to that root, so it can still be
 * verified on its own.
 */

const LEAF_PREFIX = Buffer.from([0]);
const NODE_PREFIX = Buffer.from([1]);

/** SHA-256(0x00 ‖ `data`, text as UTF-8): the hash of one leaf. */
export function leafHash(data: string | Uint8Array): Buffer {
  // one-shot for text (a quote's JSON): U+0000 is the byte 0x00 in UTF-8
  if (typeof data === 'string') return hash('sha256', `\u0000${data}`, 'buffer');
  return createHash('sha256').update(LEAF_PREFIX).update(data).digest();
}

/** SHA-256(0x01 ‖ left ‖ right): the hash of an inner node. */
export function nodeHash(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** A tree built once over its leaves' hashes: its root and each leaf's audit path. */
export interface MerkleTree {
  readonly size: number;
  readonly root: Buffer;
  /** The audit path of leaf `index` (RFC 9162 §2.1.3.1), from the leaf's sibling up to the root's child. */
  auditPath(index: number): Buffer[];
}

/**
 * Builds the tree over `leaves` (leaf hashes, at least one) level by level: pairs are hashed
 * left to right and a level's last node without a partner moves up unchanged, which gives the
 * tree RFC 9162 defines by splitting at the largest power of two (a property test holds the two
 * equal).
 */
export function buildMerkleTree(leaves: readonly Buffer[]): MerkleTree {
  if (leaves.length === 0) throw new RangeError('a Merkle tree needs at least one leaf');
  const levels: Buffer[][] = [leaves.slice()];
  for (let level = levels[0]!; level.length > 1; ) {
    const up: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) up.push(i + 1 < level.length ? nodeHash(level[i]!, level[i + 1]!) : level[i]!);
    levels.push(up);
    level = up;
  }
  return {
    size: leaves.length,
    root: levels[levels.length - 1]![0]!,
    auditPath(index: number): Buffer[] {
      if (!Number.isInteger(index) || index < 0 || index >= leaves.length) throw new RangeError(`leaf ${index} is not in a tree of ${leaves.length}`);
      const path: Buffer[] = [];
      let at = index;
      for (let height = 0; height < levels.length - 1; height++) {
        const level = levels[height]!;
        const sibling = at ^ 1;
        if (sibling < level.length) path.push(level[sibling]!);
        at >>= 1;
      }
      return path;
    },
  };
}

/**
 * The root that `hash` at `index` of a tree of `size` leaves leads to along `path`, by the
 * verification procedure of RFC 9162 §2.1.3.2; undefined when the path cannot belong to such
 * a tree (an index outside it, a path too long or too short).
 */
export function rootFromAuditPath(hash: Buffer, index: number, size: number, path: readonly Buffer[]): Buffer | undefined {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return undefined;
  let fn = index;
  let sn = size - 1;
  let r = hash;
  for (const p of path) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : undefined;
}
