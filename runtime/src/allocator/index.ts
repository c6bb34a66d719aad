// The allocator: pure decisions over Eip pools and Service requests, no I/O.
export { UsedSet } from './usedSet';
export { Allocations, type Allocation, type AllocationView } from './allocations';
export { BatchOverlay } from './overlay';
export * from './poolState';
export * from './service';
export { planService, chooseAddress, type Plan, type AssignReason } from './plan';
export { overlapRefusals, olderFirst, type OverlapInput, type Refusal } from './overlap';
export { sharingRefusal, type PeerLookup, type SharingRefusal } from './sharing';
export { planBatch, type BatchItem, type BatchDecision, type BatchPlan } from './batch';
