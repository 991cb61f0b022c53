/**
 * The disk layout of a store-wide raft log written once and sequentially, in the manner of TiKV's
 * raft-engine: {@link io.regionkv.engine.raftlog.AppendLog} appends checksummed records to numbered
 * segment files, syncs them in groups, cuts a torn tail when it opens, and deletes whole segments.
 *
 * <p>Why: the raft environment keeps entries in one LMDB B-tree keyed by region and index, so a synced
 * commit that carries entries of 12 regions rewrites 12 tail leaves and their branch pages, about 97 pages
 * where an appended commit writes 7 (BENCHMARKS.md, "What a synced raft-log commit writes"). That is the
 * largest part of what a put costs more at 12 regions than at one on the raft-log writer's thread.
 *
 * <p>State: the record log only. The raft layer above it (records that carry each region's entries and
 * raft state, an in-memory index from region and index to record, rewriting the live entries of regions
 * that pin old segments, and the switch in the raft-log writer and {@code PeerStorage}) is not built yet,
 * and no store uses this package.
 */
package io.regionkv.engine.raftlog;
