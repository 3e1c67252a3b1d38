package dev.vmaddr.store.embedded;

import java.io.IOException;
import java.nio.ByteBuffer;

/** A log file that does what the real one does; tests override write or force to inject trouble. */
class ForwardingLogFile implements LogFile {
    private final LogFile real;

    ForwardingLogFile(LogFile real) {
        this.real = real;
    }

    @Override
    public void write(ByteBuffer data) throws IOException {
        real.write(data);
    }

    @Override
    public void force() throws IOException {
        real.force();
    }

    @Override
    public long size() throws IOException {
        return real.size();
    }

    @Override
    public void truncate(long size) throws IOException {
        real.truncate(size);
    }

    @Override
    public void close() throws IOException {
        real.close();
    }
}
