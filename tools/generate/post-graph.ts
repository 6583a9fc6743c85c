import { hash32, unit, WeightedTable } from "./prng.js";
import { Stream } from "./streams.js";

/** PostTypeId values used by Stack Exchange. */
export const PostType = {
  question: 1,
  answer: 2,
  tagWikiExcerpt: 4,
  tagWiki: 5,
  moderatorNomination: 6,
  wikiPlaceholder: 7,
} as const;

/** One of the {@link PostType} values. */
export type PostTypeId = (typeof PostType)[keyof typeof PostType];

const BASE_TYPES = new WeightedTable<PostTypeId>([
  [PostType.question, 440],
  [PostType.answer, 540],
  [PostType.tagWikiExcerpt, 8],
  [PostType.tagWiki, 8],
  [PostType.moderatorNomination, 1],
  [PostType.wikiPlaceholder, 3],
]);

/** Share of post ids missing from the posts file (deleted before the dump) yet still voted on. */
const DELETED_SHARE = 0.1;
const MAX_PARENT_OFFSET = 24;
const MAX_PARENT_SEARCH = 32;
/** No answer is further than this many ids after its question. */
const ANSWER_REACH = MAX_PARENT_OFFSET + MAX_PARENT_SEARCH;
const ACCEPTED_SHARE = 0.55;

/**
 * The question/answer structure of the id space, computed per id from hashes so it needs no
 * memory: an answer's question is a nearby earlier question, so a question finds its answers by
 * looking at a bounded number of later ids.
 *
 * @example
 * const graph = new PostGraph(plan.key);
 * const parent = graph.parentOf(42); // a question id below 42, or undefined
 */
export class PostGraph {
  constructor(private readonly key: number) {}

  /** True when the post was deleted before the dump: it is never written but can be voted on. */
  isDeleted(id: number): boolean {
    return unit(hash32(this.key, Stream.postShape, id, 1)) < DELETED_SHARE;
  }

  /** The post's type: answers that find no question to belong to become questions. */
  typeOf(id: number): PostTypeId {
    const base = this.baseTypeOf(id);
    return base === PostType.answer && this.parentOf(id) === undefined ? PostType.question : base;
  }

  /** The question an answer belongs to: an earlier, existing (not deleted) question. */
  parentOf(id: number): number | undefined {
    if (this.baseTypeOf(id) !== PostType.answer) {
      return undefined;
    }
    const offset = 1 + (hash32(this.key, Stream.parent, id, 0) % MAX_PARENT_OFFSET);
    const lowest = Math.max(1, id - offset - MAX_PARENT_SEARCH);
    for (let candidate = id - offset; candidate >= lowest; candidate--) {
      if (this.baseTypeOf(candidate) === PostType.question && !this.isDeleted(candidate)) {
        return candidate;
      }
    }
    return undefined;
  }

  /** Ids of the question's existing answers (including ones not yet delivered), ascending. */
  answersOf(questionId: number): readonly number[] {
    const answers: number[] = [];
    for (let id = questionId + 1; id <= questionId + ANSWER_REACH; id++) {
      if (!this.isDeleted(id) && this.parentOf(id) === questionId) {
        answers.push(id);
      }
    }
    return answers;
  }

  /**
   * The answer the asker accepts once it exists, if any; chosen among the question's answers
   * (pass them when already known, to avoid looking them up again).
   */
  acceptedAnswerOf(questionId: number, knownAnswers?: readonly number[]): number | undefined {
    const h = hash32(this.key, Stream.accepted, questionId, 0);
    if (unit(h) >= ACCEPTED_SHARE) {
      return undefined;
    }
    const answers = knownAnswers ?? this.answersOf(questionId);
    return answers.length === 0 ? undefined : answers[h % answers.length];
  }

  private baseTypeOf(id: number): PostTypeId {
    return id === 1
      ? PostType.question
      : BASE_TYPES.pick(unit(hash32(this.key, Stream.postShape, id, 0)));
  }
}
