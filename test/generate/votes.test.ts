import { describe, expect, it } from "vitest";
import { postRecords, voteRecords } from "../../tools/generate/index.js";

const VOTE_KEY_ORDER = ["Id", "UserId", "PostId", "VoteTypeId", "BountyAmount", "CreationDate"];
/** Shares of each VoteTypeId on the real DevOps site (40,299 votes). */
const REAL_SHARES: Readonly<Record<string, number>> = {
  "1": 0.047,
  "2": 0.74,
  "3": 0.075,
  "5": 0.062,
  "10": 0.027,
  "15": 0.011,
  "16": 0.031,
};

const options = { posts: 3000, votes: 40_000, seed: 11 };
const votes = [...voteRecords(options)];
const postsById = new Map([...postRecords(options)].map((post) => [post.Id, post]));

function countWhere(predicate: (vote: Readonly<Record<string, string>>) => boolean): number {
  return votes.filter(predicate).length;
}

describe("generated votes", () => {
  it("delivers about the requested number of votes", () => {
    expect(votes.length).toBeGreaterThan(options.votes * 0.97);
    expect(votes.length).toBeLessThan(options.votes * 1.03);
  });

  it("keeps the real file's key order", () => {
    const misordered = votes.filter((vote) => {
      const keys = Object.keys(vote);
      return keys.join() !== VOTE_KEY_ORDER.filter((key) => keys.includes(key)).join();
    });
    expect(misordered).toEqual([]);
  });

  it("mixes vote types like the real site and never uses types 6 and 7", () => {
    for (const [type, real] of Object.entries(REAL_SHARES)) {
      const observed = countWhere((vote) => vote.VoteTypeId === type) / votes.length;
      expect(observed).toBeGreaterThan(real * 0.8);
      expect(observed).toBeLessThan(real * 1.2);
    }
    for (const type of ["8", "9", "11", "12"]) {
      expect(countWhere((vote) => vote.VoteTypeId === type)).toBeGreaterThan(0);
    }
    expect(countWhere((vote) => vote.VoteTypeId === "6" || vote.VoteTypeId === "7")).toBe(0);
  });

  it("has UserId exactly on Favorite (5) and BountyStart (8) votes", () => {
    const wrong = votes.filter(
      (vote) =>
        (vote.UserId !== undefined) !== (vote.VoteTypeId === "5" || vote.VoteTypeId === "8"),
    );
    expect(wrong).toEqual([]);
    expect(votes.filter((vote) => vote.UserId !== undefined).length).toBeGreaterThan(0);
  });

  it("has BountyAmount on every BountyStart (8), on some BountyClose (9), nowhere else", () => {
    const closes = votes.filter((vote) => vote.VoteTypeId === "9");
    const paidCloses = closes.filter((vote) => vote.BountyAmount !== undefined).length;
    expect(paidCloses).toBeGreaterThan(0);
    expect(paidCloses).toBeLessThan(closes.length);
    const wrong = votes.filter((vote) =>
      vote.VoteTypeId === "8" || vote.VoteTypeId === "9"
        ? !["25", "50", "100", "250", undefined].includes(vote.BountyAmount)
        : vote.BountyAmount !== undefined,
    );
    expect(wrong).toEqual([]);
    expect(votes.filter((v) => v.VoteTypeId === "8" && v.BountyAmount === undefined)).toEqual([]);
    const fifties = countWhere((vote) => vote.BountyAmount === "50");
    expect(fifties / countWhere((vote) => vote.BountyAmount !== undefined)).toBeGreaterThan(0.6);
  });

  it("dates votes at midnight, from 2017-02-28, never before the voted post's day", () => {
    expect(votes[0]?.CreationDate).toBe("2017-02-28T00:00:00.000");
    const notMidnight = votes.filter(
      (vote) => !/^\d{4}-\d\d-\d\dT00:00:00\.000$/.test(vote.CreationDate ?? ""),
    );
    expect(notMidnight).toEqual([]);
    const tooEarly = votes.filter((vote) => {
      const post = postsById.get(vote.PostId ?? "");
      return (
        post !== undefined && (vote.CreationDate ?? "") < (post.CreationDate ?? "").slice(0, 10)
      );
    });
    expect(tooEarly).toEqual([]);
  });

  it("raises ids with dates and skips about 18% of ids", () => {
    const outOfOrder = votes.filter((vote, i) => {
      const previous = votes[i - 1];
      return (
        previous !== undefined &&
        (Number(vote.Id) <= Number(previous.Id) ||
          (vote.CreationDate ?? "") < (previous.CreationDate ?? ""))
      );
    });
    expect(outOfOrder).toEqual([]);
    const skipped = 1 - votes.length / Number(votes.at(-1)?.Id);
    expect(skipped).toBeGreaterThan(0.15);
    expect(skipped).toBeLessThan(0.21);
  });

  it("votes on about one post in ten that the posts file does not contain", () => {
    const voted = new Set(votes.map((vote) => vote.PostId ?? ""));
    const missing = [...voted].filter((id) => !postsById.has(id)).length;
    expect(missing / voted.size).toBeGreaterThan(0.07);
    expect(missing / voted.size).toBeLessThan(0.13);
  });

  it("puts acceptances on accepted answers, favorites and bounties on questions", () => {
    const typeOf = (vote: Readonly<Record<string, string>>): string | undefined =>
      postsById.get(vote.PostId ?? "")?.PostTypeId;
    const delivered = votes.filter((vote) => postsById.has(vote.PostId ?? ""));
    const acceptances = delivered.filter((vote) => vote.VoteTypeId === "1");
    const onAccepted = acceptances.filter((vote) => {
      const answer = postsById.get(vote.PostId ?? "");
      return postsById.get(answer?.ParentId ?? "")?.AcceptedAnswerId === vote.PostId;
    });
    expect(onAccepted.length / acceptances.length).toBeGreaterThan(0.9);
    const favoritesAndBounties = delivered.filter(
      (vote) => vote.VoteTypeId === "5" || vote.VoteTypeId === "8",
    );
    expect(favoritesAndBounties.length).toBeGreaterThan(0);
    expect(favoritesAndBounties.filter((vote) => typeOf(vote) !== "1")).toEqual([]);
  });
});
