const MAX_ID = 2n ** 63n - 1n;

/**
 * The `Id` a quarantined record names, if it names a valid one: a record the supplier sent is not
 * taken for deleted by a full snapshot because another of its values is bad. Read from the record
 * as parsed (a JSON object's key, an XML row's attribute), whatever the file's layout.
 *
 * @example
 * readId({ Id: "7", PostId: "" }); // 7n
 */
export function readId(record: Readonly<Record<string, unknown>>): bigint | undefined {
  const value = record.Id;
  const digits = typeof value === "number" ? String(value) : value;
  if (typeof digits !== "string" || !/^[1-9]\d{0,18}$/.test(digits)) return undefined;
  const id = BigInt(digits);
  return id <= MAX_ID ? id : undefined;
}
