package dev.vmaddr.store;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;

/**
 * Where a page of history ended: the time and the store's sequence number of its last (oldest) event.
 * The next page holds the events strictly older in (at, seq) order, so events written meanwhile (newer,
 * with higher sequence numbers) never shift a page. Opaque to clients: {@link #encode} / {@link #decode}.
 *
 * @param seq the event's sequence number in its store (PostgreSQL: the row id; embedded: the order
 *            of apply, renumbered at each start, which only matters between events of one instant)
 */
public record HistoryCursor(Instant at, long seq) {
    public HistoryCursor {
        Objects.requireNonNull(at, "at");
    }

    public String encode() {
        String plain = at.getEpochSecond() + "." + at.getNano() + "." + seq;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.US_ASCII));
    }

    /** @throws IllegalArgumentException when {@code text} is not a cursor this class made */
    public static HistoryCursor decode(String text) {
        try {
            String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.US_ASCII);
            String[] p = plain.split("\\.", -1);
            if (p.length != 3) {
                throw new IllegalArgumentException("not a history cursor");
            }
            return new HistoryCursor(Instant.ofEpochSecond(Long.parseLong(p[0]), Integer.parseInt(p[1])), Long.parseLong(p[2]));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a cursor from a previous page");
        }
    }

    /** Whether an event at (at, seq) comes after this cursor in newest-first order (it is older). */
    public boolean admits(Instant eventAt, long eventSeq) {
        int c = eventAt.compareTo(at);
        return c < 0 || c == 0 && eventSeq < seq;
    }
}
