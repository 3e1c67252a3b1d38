package dev.vmaddr.store.embedded;

import dev.vmaddr.store.StoreException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The data directory's {@code lock} file, held with {@link FileChannel#tryLock} while a store is
 * open, so that a second process (or a second open in this one) is refused instead of appending to
 * the same log. The operating system drops the lock when the process dies, so a crash leaves no
 * stale lock behind.
 */
final class DataDirLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** @throws StoreException when another process (or another open store here) holds the lock */
    static DataDirLock take(Path dir) throws IOException {
        Path lockFile = dir.resolve("lock");
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new StoreException("data directory " + dir + " is in use by another vmaddr process (lock file "
                    + lockFile + " is locked); stop that process or choose another dataDir");
        }
        return new DataDirLock(channel, lock);
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
