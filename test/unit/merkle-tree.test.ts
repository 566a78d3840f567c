import fc from 'fast-check';
import { buildMerkleTree, leafHash, nodeHash, rootFromAuditPath } from '../../src/trust/merkle-tree';

// The tree of RFC 9162 §2.1.1, written as the RFC defines it (split at the largest power of two
// below n), to hold the level-by-level construction to.
function referenceRoot(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

// RFC 9162 §2.1.3.1 PATH(m, D[n]), as written there.
function referencePath(index: number, leaves: readonly Buffer[]): Buffer[] {
  if (leaves.length === 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return index < k
    ? [...referencePath(index, leaves.slice(0, k)), referenceRoot(leaves.slice(k))]
    : [...referencePath(index - k, leaves.slice(k)), referenceRoot(leaves.slice(0, k))];
}

const leavesOf = (count: number): Buffer[] => Array.from({ length: count }, (_, i) => leafHash(`leaf ${i}`));

describe('Merkle tree (RFC 9162 §2.1, SHA-256)', () => {
  // The test data of the Certificate Transparency reference implementation (merkle_tree_test):
  // the roots of the trees over its first n inputs.
  const inputs = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
  const roots = [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
    '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
    'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
    '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
  ];
  const vectorLeaves = inputs.map((hex) => leafHash(Buffer.from(hex, 'hex')));

  it.each(roots.map((root, i) => [i + 1, root] as const))('the root over the first %i inputs of the CT test data is %s', (size, root) => {
    expect(buildMerkleTree(vectorLeaves.slice(0, size)).root.toString('hex')).toBe(root);
  });

  it('hashes a leaf as SHA-256(0x00 ‖ UTF-8 text)', () => {
    // SHA-256 of the single byte 0x00: the leaf hash of the empty string
    expect(leafHash('').toString('hex')).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(leafHash('会员')).toEqual(leafHash(Buffer.from('会员', 'utf8')));
  });

  it('equals the RFC definition for every size up to 40: root and every audit path', () => {
    for (let size = 1; size <= 40; size++) {
      const leaves = leavesOf(size);
      const tree = buildMerkleTree(leaves);
      expect(tree.root).toEqual(referenceRoot(leaves));
      for (let index = 0; index < size; index++) expect(tree.auditPath(index)).toEqual(referencePath(index, leaves));
    }
  });

  it('every leaf leads to the root along its audit path, and only there', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.nat(), fc.nat(), (size, i, j) => {
        const leaves = leavesOf(size);
        const tree = buildMerkleTree(leaves);
        const index = i % size;
        const path = tree.auditPath(index);
        expect(rootFromAuditPath(leaves[index]!, index, size, path)).toEqual(tree.root);
        const other = j % size;
        if (other !== index) {
          // the same path does not place another leaf at this index, nor this leaf elsewhere
          expect(rootFromAuditPath(leaves[other]!, index, size, path)).not.toEqual(tree.root);
          const elsewhere = rootFromAuditPath(leaves[index]!, other, size, path);
          if (elsewhere !== undefined) expect(elsewhere).not.toEqual(tree.root);
        }
      }),
    );
  });

  it('refuses a path that cannot belong to the tree', () => {
    const leaves = leavesOf(5);
    const tree = buildMerkleTree(leaves);
    const path = tree.auditPath(2);
    expect(rootFromAuditPath(leaves[2]!, 5, 5, path)).toBeUndefined(); // index outside the tree
    expect(rootFromAuditPath(leaves[2]!, -1, 5, path)).toBeUndefined();
    expect(rootFromAuditPath(leaves[2]!, 2, 5, [...path, leaves[0]!])).toBeUndefined(); // one hash too many
    expect(rootFromAuditPath(leaves[2]!, 2, 5, path.slice(1))).toBeUndefined(); // one too few
    expect(rootFromAuditPath(leaves[2]!, 2, 4, path)).not.toEqual(tree.root); // another tree size
    expect(() => tree.auditPath(5)).toThrow(RangeError);
    expect(() => buildMerkleTree([])).toThrow(RangeError);
  });

  it('a tree of one leaf has that leaf as its root and an empty path', () => {
    const [leaf] = leavesOf(1);
    const tree = buildMerkleTree([leaf!]);
    expect(tree.root).toEqual(leaf);
    expect(tree.auditPath(0)).toEqual([]);
    expect(rootFromAuditPath(leaf!, 0, 1, [])).toEqual(leaf);
  });
});
