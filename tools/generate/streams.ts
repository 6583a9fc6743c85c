/**
 * Names for the independent random streams of {@link hash32}. Each decision family has its own
 * stream so that adding a decision to one family never shifts the values of another.
 *
 * @example
 * new Rng(hash32(key, Stream.postBase, postId, 0));
 */
export const Stream = {
  postShape: 1,
  parent: 2,
  accepted: 3,
  postBase: 4,
  postInitial: 5,
  postRound: 6,
  change: 7,
  body: 8,
  title: 9,
  duplicate: 10,
  vote: 11,
  postDeletion: 12,
  postRestore: 13,
  voteDeletion: 14,
  voteRestore: 15,
  designated: 16,
} as const;
