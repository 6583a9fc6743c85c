import type { Field } from "./field.js";

/** The fields of a delivered vote, in the supplier's order, and the `votes` columns they fill. */
export const VOTE_FIELDS: readonly Field[] = [
  { key: "Id", column: "id", type: "id", required: true, description: "Vote id." },
  {
    key: "PostId",
    column: "post_id",
    type: "id",
    required: true,
    description: "The voted post; it may not (yet) be in `posts`.",
  },
  {
    key: "VoteTypeId",
    column: "vote_type_id",
    type: "id",
    required: true,
    description: "Kind of vote; see `vote_types`.",
  },
  {
    key: "UserId",
    column: "user_id",
    type: "integer",
    required: false,
    description: "Voter, given only for favorites (5) and bounty starts (8).",
  },
  {
    key: "BountyAmount",
    column: "bounty_amount",
    type: "count",
    required: false,
    description: "Reputation offered, only on bounty start (8) and close (9).",
  },
  {
    key: "CreationDate",
    column: "creation_date",
    type: "timestamp",
    required: true,
    description: "Day of the vote (UTC midnight: votes carry no time of day).",
  },
];
