/**
 * The version of the validation rules (`parse-value.ts`, `validate-record.ts` and the fast path
 * that must agree with them). Every load records the version it ran under, and so does the
 * landing archive; a rebuild names the loads whose counts the current rules change.
 * Raise it with every change that can accept or refuse a record differently.
 *
 * 1: the rules up to stackhouse 0.1 (canonical integers, real timestamps, text lengths, UTF-8).
 * 2: timestamps from 2008 to the run's arrival, well-formed Unicode, each field once, valid tags.
 */
export const RULES_VERSION = 2;
