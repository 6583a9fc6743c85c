export {
  ndjsonLayout,
  supplierLayout,
  toNdjson,
  toSupplierJson,
  type FlatRecord,
} from "./layout.js";
export { DUPLICATE_COPIES, postRecords } from "./post-records.js";
export { type GeneratorOptions } from "./snapshot-plan.js";
export { voteRecords } from "./vote-records.js";
export { generateDelivery, type DeliveryOptions, type DeliveryResult } from "./write-delivery.js";
