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

    long size() throws IOException;

    /** Cuts the file back to {@code size} bytes (best effort after a failed batch). */
    void truncate(long size) throws IOException;

    @Override
    void close() throws IOException;

    /** Opens (creating if needed) a file for appending at its end. */
    @FunctionalInterface
    interface Opener {
        LogFile open(Path path) throws IOException;
    }

    /** The real one: a {@link FileChannel}, {@code force(false)} (data and the size, not mtime). */
    Opener FILES = path -> {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        ch.position(ch.size());
        return new LogFile() {
            @Override
            public void write(ByteBuffer data) throws IOException {
                while (data.hasRemaining()) {
                    ch.write(data);
                }
            }

            @Override
            public void force() throws IOException {
                ch.force(false);
            }

            @Override
            public long size() throws IOException {
                return ch.size();
            }

            @Override
            public void truncate(long size) throws IOException {
                ch.truncate(size);
                ch.position(size);
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    };
}
