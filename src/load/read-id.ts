const MAX_ID = 2n ** 63n - 1n;

/**
 * The `Id` a quarantined record's text names, if it names a valid one: a record the supplier sent
 * is not taken for deleted because another of its values is bad.
 *
 * @example
 * readId('{"Id":"7","PostId":""}'); // 7n
 */
export function readId(text: string): bigint | undefined {
  try {
    const value = (JSON.parse(text) as { Id?: unknown }).Id;
    const digits = typeof value === "number" ? String(value) : value;
    if (typeof digits !== "string" || !/^[1-9]\d{0,18}$/.test(digits)) return undefined;
    const id = BigInt(digits);
    return id <= MAX_ID ? id : undefined;
  } catch {
    return undefined;
  }
}
