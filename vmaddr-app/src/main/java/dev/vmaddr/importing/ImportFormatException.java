package dev.vmaddr.importing;

/** A file that cannot be imported: names the file, the line and the problem ({@code file:line: problem}). */
public final class ImportFormatException extends RuntimeException {
    private final String file;
    private final int line;

    public ImportFormatException(String file, int line, String problem) {
        super(file + ":" + line + ": " + problem);
        this.file = file;
        this.line = line;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }
}
