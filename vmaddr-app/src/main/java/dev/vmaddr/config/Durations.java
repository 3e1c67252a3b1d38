package dev.vmaddr.config;

import java.time.Duration;

/** Durations as the config file writes them: a whole number and a unit, {@code ms}, {@code s}, {@code m}, {@code h} or {@code d}. */
public final class Durations {
    private Durations() {}

    public static Duration parse(String text) {
        String s = text == null ? "" : text.strip();
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        if (i == 0 || i == s.length()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a duration; write a number and a unit (ms, s, m, h, d), e.g. 120s");
        }
        long n;
        try {
            n = Long.parseLong(s.substring(0, i));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + text + "\" is too large");
        }
        return switch (s.substring(i)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> throw new IllegalArgumentException("\"" + text + "\" has unit \"" + s.substring(i) + "\"; use ms, s, m, h or d");
        };
    }

    /** The shortest exact form in the largest unit, so a parsed duration prints back as the user wrote it. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s != 0 && s % 86400 == 0) {
            return s / 86400 + "d";
        }
        if (s != 0 && s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s != 0 && s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
