/** Posts and votes that break each data-quality rule, for the check tests of both engines. */

interface PostFields {
  readonly id: number;
  readonly type?: number;
  readonly created?: string;
  readonly activity?: string;
  readonly parent?: number;
  readonly accepted?: number;
}

export function post(fields: PostFields): string {
  const created = fields.created ?? "2019-03-04T10:00:00.000";
  return JSON.stringify({
    Id: String(fields.id),
    PostTypeId: String(fields.type ?? 1),
    ...(fields.accepted === undefined ? {} : { AcceptedAnswerId: String(fields.accepted) }),
    ...(fields.parent === undefined ? {} : { ParentId: String(fields.parent) }),
    CreationDate: created,
    Score: "0",
    Body: "<p>b</p>",
    LastActivityDate: fields.activity ?? created,
    CommentCount: "0",
    ContentLicense: "CC BY-SA 4.0",
  });
}

export function vote(
  id: number,
  postId: number,
  type: number,
  extra: Record<string, string> = {},
): string {
  return JSON.stringify({
    Id: String(id),
    PostId: String(postId),
    VoteTypeId: String(type),
    ...extra,
    CreationDate: extra.CreationDate ?? "2019-03-05T00:00:00.000",
  });
}

/** One post or vote breaking each rule, on top of a clean base, so each check has one finding. */
export const rulebreakers = {
  posts: [
    post({ id: 10, accepted: 11 }),
    post({ id: 11, type: 2, parent: 12 }), // accepted answer of 10, but answers 12
    post({ id: 12 }),
    post({ id: 13, type: 2, parent: 500 }), // parent missing
    post({ id: 14, accepted: 501 }), // accepted answer missing
    post({ id: 17, type: 2, parent: 12, created: "2019-03-01T00:00:00.000" }), // before its question
    post({ id: 18, created: "2019-03-04T10:00:00.000", activity: "2019-03-03T00:00:00.000" }),
    post({ id: 19, type: 42 }), // unknown type
  ],
  votes: [
    vote(20, 10, 2, { UserId: "3" }),
    vote(21, 10, 2, { BountyAmount: "50" }),
    vote(24, 10, 77),
    vote(25, 600, 2), // orphan
  ],
};

/**
 * Rows dated outside 2008 to now. Validation quarantines them, so only a warehouse loaded by an
 * older stackhouse holds them: tests write them in with `loadAsOlderVersion`.
 */
export const outOfWindow = {
  posts: [
    post({ id: 15, created: "2099-01-01T00:00:00.000" }), // future
    post({ id: 16, created: "2007-06-01T00:00:00.000" }), // before 2008
  ],
  votes: [
    vote(22, 10, 2, { CreationDate: "2099-01-01T00:00:00.000" }),
    vote(23, 10, 2, { CreationDate: "2007-01-01T00:00:00.000" }),
  ],
};

/** The ids each check finds in the fixture delivery plus {@link rulebreakers} and {@link outOfWindow}. */
export const expectedFindings: Record<string, readonly number[]> = {
  votes_orphaned: [7, 25],
  answers_without_question: [13],
  accepted_answer_not_an_answer: [10],
  accepted_answer_missing: [14],
  vote_user_id_type: [20],
  vote_bounty_type: [21],
  posts_timestamps_in_future: [15],
  votes_timestamps_in_future: [22],
  posts_timestamps_before_2008: [16],
  votes_timestamps_before_2008: [23],
  answers_before_question: [17],
  posts_activity_before_creation: [18],
  unknown_post_types: [19],
  unknown_vote_types: [24],
};
