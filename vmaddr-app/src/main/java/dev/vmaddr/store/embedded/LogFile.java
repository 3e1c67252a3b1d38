package dev.vmaddr.store.embedded;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An append-only file the committer writes batches to. An interface so that a test can make
 * {@link #write} or {@link #force} fail the way a full or read-only disk does.
 */
public interface LogFile extends AutoCloseable {
    /** Appends all of {@code data}. */
    void write(ByteBuffer data) throws IOException;

    /** Makes everything written durable (fsync). */
    void force() throws IOException;

    /** The logical end: bytes of records written. */
    long size() throws IOException;

    /** Cuts the file back to {@code size} bytes (best effort after a failed batch). */
    void truncate(long size) throws IOException;

    @Override
    void close() throws IOException;

    /** Opens (creating if needed) a file for appending at {@code appendAt}, its logical end. */
    @FunctionalInterface
    interface Opener {
        LogFile open(Path path, long appendAt) throws IOException;
    }

    /** Bytes the real log file is extended by, with zeros, ahead of the records. */
    int PREALLOCATE = 4 << 20;

    /**
     * The real one: a {@link FileChannel} synced with {@code force(false)} (fdatasync). The file is
     * extended with written zeros {@link #PREALLOCATE} bytes at a time ahead of the records, so
     * most fdatasyncs overwrite allocated blocks and need not commit a size change to the file
     * system journal (on ext4 that halves the fsync time). Recovery reads a zero tail as the end.
     */
    Opener FILES = (path, appendAt) -> {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        return new LogFile() {
            private long position = appendAt;
            private long allocated = ch.size();

            @Override
            public void write(ByteBuffer data) throws IOException {
                if (position + data.remaining() > allocated) {
                    extend(position + data.remaining());
                }
                while (data.hasRemaining()) {
                    position += ch.write(data, position);
                }
            }

            private void extend(long needed) throws IOException {
                long target = Math.max(needed, allocated) + PREALLOCATE;
                ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
                for (long at = Math.max(allocated, position); at < target; ) {
                    zeros.clear().limit((int) Math.min(zeros.capacity(), target - at));
                    at += ch.write(zeros, at);
                }
                allocated = target;
            }

            @Override
            public void force() throws IOException {
                ch.force(false);
            }

            @Override
            public long size() {
                return position;
            }

            @Override
            public void truncate(long size) throws IOException {
                ch.truncate(size);
                position = size;
                allocated = size;
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    };
}
