package dev.vmaddr.store.embedded;

/**
 * What the {@link GroupCommitLog}'s committer does between batches besides committing: the
 * {@link Snapshotter}. Its state is guarded by the log's lock
 * ({@link GroupCommitLog#wakeCommitter}).
 */
interface Checkpoints {
    Checkpoints NONE = new Checkpoints() {
        @Override
        public boolean due() {
            return false;
        }

        @Override
        public Runnable take(long appliedSeq, int records, long segmentBytes) {
            return null;
        }

        @Override
        public void stopped(Throwable cause) { }
    };

    /** Under the lock: whether the committer must come round with no records to commit. */
    boolean due();

    /**
     * Under the lock, the committer has just taken a batch of {@code records} (maybe none);
     * memory is at {@code appliedSeq} and the segment will be {@code segmentBytes} long with it.
     * Returns what to do on the committer thread once the batch is durable, or null.
     */
    Runnable take(long appliedSeq, int records, long segmentBytes);

    /** The committer stopped, for {@code cause} (the store closed, or failed). */
    void stopped(Throwable cause);
}
