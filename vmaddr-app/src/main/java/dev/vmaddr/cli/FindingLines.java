package dev.vmaddr.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.function.Function;

/**
 * The table form of the offline checkers' findings ({@code doctor}, {@code nad lint}): one line per
 * finding, its fix indented on the next, and {@code no findings} when there are none, so an
 * operator reads both the same way.
 */
final class FindingLines {
    private FindingLines() {}

    static <F> void print(PrintWriter out, List<F> findings, Function<F, String> line, Function<F, String> fix) {
        for (F f : findings) {
            out.println(line.apply(f));
            String howTo = fix.apply(f);
            if (howTo != null) {
                out.println("        fix: " + howTo);
            }
        }
        if (findings.isEmpty()) {
            out.println("no findings");
        }
    }
}
