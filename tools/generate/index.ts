export { DUPLICATE_COPIES } from "./duplicate-post.js";
export {
  dumpXmlLayout,
  ndjsonLayout,
  supplierLayout,
  toDumpXml,
  toNdjson,
  toSupplierJson,
  type FlatRecord,
} from "./layout.js";
export { postRecords } from "./post-records.js";
export { snapshotChanges, type RecordChanges, type SnapshotChanges } from "./snapshot-changes.js";
export { type Delivery, type GeneratorOptions } from "./snapshot-plan.js";
export { voteRecords } from "./vote-records.js";
export {
  generateDelivery,
  SITE_ARCHIVE,
  type DeliveryFormat,
  type DeliveryOptions,
  type DeliveryResult,
} from "./write-delivery.js";
