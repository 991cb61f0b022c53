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
 * <p>{@link io.regionkv.engine.raftlog.RaftLogEngine} is the raft layer over it: each write is one record
 * holding {@link io.regionkv.engine.raftlog.LogOp}s (entries, raft state, vote fence, compaction, restart,
 * clearing) of any number of regions; an index in memory, rebuilt by replaying the records at open, says
 * where each region's entries and state lie; space comes back by rewriting the live logs of regions that
 * pin old segments and deleting those segments.
 *
 * <p>{@link io.regionkv.engine.raftlog.LmdbLogOps} writes the same ops into the raft environment's LMDB
 * layout, so the store describes its raft writes once, as ops ({@link io.regionkv.engine.raftlog.RaftLogBatch}),
 * whichever layout it runs on; a test holds both layouts to the same model.
 *
 * <p>The store reads and writes its raft logs only through {@link io.regionkv.engine.raftlog.RaftLogStore},
 * in one of two layouts ({@link io.regionkv.engine.raftlog.RaftLogLayout}, setting
 * {@code regionkv.engine.raft-log}): {@link io.regionkv.engine.raftlog.LmdbRaftLog} over the raft
 * environment, or {@link io.regionkv.engine.raftlog.AppendRaftLog} over the engine above. A store opened
 * in one layout with the other's data moves it over first ({@link io.regionkv.engine.raftlog.RaftLogStores}).
 */
package io.regionkv.engine.raftlog;
